import type { Client } from '../store/index.ts';

/** RFC 8252 §7.3: loopback IP literals (not "localhost", RFC 8252 §8.3) on plain http. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

export function isLoopbackRedirect(uri: string): boolean {
  const url = new URL(uri);
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Is `presented` one of the client's registered redirect URIs? RFC 9700 §4.1.3 and RFC 6749 §3.1.2.3: exact
 * string comparison, no prefixes or patterns. The one exception, RFC 8252 §7.3 (also RFC 9700 §2.1): a native
 * app's loopback redirect may use any port, because the app picks a free port when it starts.
 */
export function redirectUriMatches(client: Client, presented: string): boolean {
  if (client.redirectUris.includes(presented)) return true;
  if (!client.isPublic) return false;
  let url: URL;
  try {
    url = new URL(presented);
  } catch {
    return false;
  }
  if (!isLoopbackRedirect(presented) || url.username || url.password) return false;
  return client.redirectUris.some((registered) => {
    if (!isLoopbackRedirect(registered)) return false;
    const expected = new URL(registered);
    expected.port = url.port;
    return expected.href === url.href;
  });
}
