/**
 * Provider configuration: the only file that reads the environment.
 *
 * Everything else receives a `ProviderConfig` as an argument, so tests build one with `loadConfig({ … })`
 * and never touch `process.env`. Every variable has a working default: `npm start` needs no `.env`.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';

export interface ClientRegistration {
  client_id: string;
  client_name: string;
  /** `none` marks a public client (RFC 6749 §2.1): no secret, PKCE mandatory. */
  token_endpoint_auth_method: 'client_secret_basic' | 'none';
  client_secret?: string;
  redirect_uris: string[];
  scope: string;
}

export interface ProviderConfig {
  port: number;
  /** RFC 8414 §2: an https (or, for development, http) URL with no query, fragment or trailing slash. */
  issuer: string;
  clients: ClientRegistration[];
  user: { id: string; username: string; password: string };
  sessionSecret: string;
  /** True when SESSION_SECRET was not set and a random one was generated for this run. */
  sessionSecretGenerated: boolean;
  /** Lifetimes in seconds. */
  authorizationCodeLifetime: number;
  accessTokenLifetime: number;
  refreshTokenLifetime: number;
  /** Failed logins allowed per window, per account and per address. */
  loginAttemptsPerWindow: number;
  loginWindowMs: number;
}

export type Env = Record<string, string | undefined>;

/** Reads `provider/.env` (if any) into `process.env`; variables already set win. */
export function loadDotEnv(): void {
  dotenv.config({ path: fileURLToPath(new URL('../.env', import.meta.url)), quiet: true });
}

export function loadConfig(env: Env = process.env): ProviderConfig {
  const port = portNumber(env, 'PORT', 8080);
  const issuer = absoluteUrl(env, 'ISSUER', `http://localhost:${port}`).replace(/\/+$/, '');
  if (new URL(issuer).search || new URL(issuer).hash) {
    throw new Error('ISSUER must not contain a query or fragment (RFC 8414 §2)');
  }
  const clients: ClientRegistration[] = [
    {
      client_id: text(env, 'CLIENT_ID', 'testclient'),
      client_name: text(env, 'CLIENT_NAME', 'Demo Client'),
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret: text(env, 'CLIENT_SECRET', 'testsecret'),
      redirect_uris: [absoluteUrl(env, 'REDIRECT_URI', 'http://localhost:3000/callback')],
      scope: 'profile email',
    },
  ];
  // An optional public client (RFC 6749 §2.1) for single-page and native apps: no secret, PKCE only.
  const publicClientId = env.PUBLIC_CLIENT_ID;
  if (publicClientId) {
    const uris = text(env, 'PUBLIC_REDIRECT_URI', '').split(/\s+/).filter(Boolean);
    clients.push({
      client_id: publicClientId,
      client_name: text(env, 'PUBLIC_CLIENT_NAME', 'Demo Public Client'),
      token_endpoint_auth_method: 'none',
      redirect_uris: uris.map((uri) => absoluteUrl({ PUBLIC_REDIRECT_URI: uri }, 'PUBLIC_REDIRECT_URI', uri)),
      scope: 'profile email',
    });
    if (clients[0]?.client_id === publicClientId) throw new Error('PUBLIC_CLIENT_ID must differ from CLIENT_ID');
  }
  const sessionSecret = env.SESSION_SECRET;
  if (sessionSecret && sessionSecret.length < 32) {
    throw new Error('SESSION_SECRET must be at least 32 characters long (or unset for a random one)');
  }
  return Object.freeze({
    port,
    issuer,
    clients,
    user: {
      id: text(env, 'USER_ID', 'user1'),
      username: text(env, 'OAUTH_USERNAME', 'demo'),
      password: text(env, 'OAUTH_PASSWORD', 'demo'),
    },
    sessionSecret: sessionSecret || randomBytes(32).toString('base64url'),
    sessionSecretGenerated: !sessionSecret,
    authorizationCodeLifetime: positiveInteger(env, 'AUTHORIZATION_CODE_LIFETIME', 600),
    accessTokenLifetime: positiveInteger(env, 'ACCESS_TOKEN_LIFETIME', 3600),
    refreshTokenLifetime: positiveInteger(env, 'REFRESH_TOKEN_LIFETIME', 14 * 24 * 3600),
    loginAttemptsPerWindow: positiveInteger(env, 'LOGIN_ATTEMPTS_PER_WINDOW', 5),
    loginWindowMs: positiveInteger(env, 'LOGIN_WINDOW_SECONDS', 15 * 60) * 1000,
  });
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (value.trim() === '') throw new Error(`${name} must be set`);
  return value;
}

function portNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new Error(`${name} must be a port number between 0 and 65535, got "${raw}"`);
  }
  return port;
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

function absoluteUrl(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  }
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment.
  if (url.hash) throw new Error(`${name} must not contain a fragment, got "${raw}"`);
  return raw;
}
