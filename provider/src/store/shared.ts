/**
 * Small pieces both stores use: how a configured client registration becomes a `Client`, and the purge timer.
 */
import type { ClientRegistration } from '../config.ts';
import type { Client } from './types.ts';

export function clientFromRegistration(registration: ClientRegistration): Client {
  return {
    id: registration.client_id,
    name: registration.client_name,
    redirectUris: [...registration.redirect_uris],
    grants: ['authorization_code', 'refresh_token'],
    scope: registration.scope.split(' '),
    // RFC 6749 §2.1: a client registered without a secret is public.
    isPublic: registration.token_endpoint_auth_method === 'none',
  };
}

/**
 * Runs `purge` every `intervalMs` on a timer that does not keep the process alive; a run still going when the
 * timer fires again is not doubled. A failure (the database is unreachable, say) is one log line and the next
 * run tries again. Returns a function that stops the timer.
 */
export function startPurging(what: string, purge: () => Promise<unknown>, intervalMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    purge()
      .catch((err: unknown) => console.error(`Purging expired ${what} failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
