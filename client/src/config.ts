// Configuration is read once, here, and nowhere else: every other module receives it as an argument.
// A bad value stops the client at start with a message that names the variable to fix.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';

export interface ClientConfig {
  port: number;
  /** Issuer identifier of the authorization server (RFC 8414 §2), compared exactly, so no trailing slash. */
  authServer: string;
  // OAuth parameters keep their wire names (RFC 6749 §2.2, §2.3.1, §3.1.2, §3.3).
  client_id: string;
  client_secret: string;
  redirect_uri: string;
  scope: string;
  /** The protected resource this client calls with the access token (RFC 6750). */
  resourceUrl: string;
  sessionSecret: string;
  /** True when SESSION_SECRET was unset and a random one was made: sessions end when the process does. */
  sessionSecretIsRandom: boolean;
  /** Stack traces are shown only when NODE_ENV=development. */
  development: boolean;
}

type Env = Record<string, string | undefined>;

/** Loads client/.env (if there is one) without overriding variables already set, then returns process.env. */
function readEnvironment(): Env {
  dotenv.config({ path: fileURLToPath(new URL('../.env', import.meta.url)), quiet: true });
  return process.env;
}

export function loadConfig(env: Env = readEnvironment()): Readonly<ClientConfig> {
  // An empty value (`SCOPE=` in .env) counts as unset, so the default applies.
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;

  const port = parsePort(read('PORT') ?? '3000');
  const authServer = parseUrl('AUTH_SERVER', read('AUTH_SERVER') ?? 'http://localhost:8080');
  // RFC 8414 §2: the issuer identifier has no query or fragment component.
  if (new URL(authServer).search) fail('AUTH_SERVER', `must not contain a ?query, got "${authServer}"`);
  const redirect_uri = parseUrl('REDIRECT_URI', read('REDIRECT_URI') ?? `http://localhost:${port}/callback`);
  const resourceUrl = parseUrl('RESOURCE_URL', read('RESOURCE_URL') ?? `${authServer}/api/me`);
  const scope = read('SCOPE') ?? 'profile';
  // RFC 6749 §3.3: scope is a list of space-delimited tokens made of printable ASCII except `"` and `\`.
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(scope)) {
    fail('SCOPE', 'must be space-separated scope tokens (RFC 6749 §3.3)');
  }
  const sessionSecret = read('SESSION_SECRET');
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    fail('SESSION_SECRET', 'must be at least 32 characters long (or unset for a random one)');
  }

  return Object.freeze({
    port,
    authServer,
    client_id: read('CLIENT_ID') ?? 'testclient',
    client_secret: read('CLIENT_SECRET') ?? 'testsecret',
    redirect_uri,
    scope,
    resourceUrl,
    sessionSecret: sessionSecret ?? randomBytes(32).toString('base64url'),
    sessionSecretIsRandom: sessionSecret === undefined,
    development: env.NODE_ENV === 'development',
  });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) fail('PORT', `must be a port number from 1 to 65535, got "${value}"`);
  return port;
}

function parseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(name, `must be an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(name, `must use http or https, got "${value}"`);
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment (and neither may an issuer, RFC 8414 §2).
  if (url.hash || value.includes('#')) fail(name, `must not contain a #fragment, got "${value}"`);
  return value;
}

function fail(name: string, problem: string): never {
  throw new Error(`Invalid configuration: ${name} ${problem}`);
}
