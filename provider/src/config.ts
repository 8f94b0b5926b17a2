/**
 * Provider configuration: the only file that reads the environment (and the .env files).
 *
 * Everything else receives a `ProviderConfig` as an argument, so tests build one with `loadConfig({ … })` and
 * never touch `process.env`. Every variable has a working default: `npm start` needs no `.env`.
 *
 * Both apps read the same root `.env`, so names cannot collide: a setting of one app only is prefixed
 * (`PROVIDER_PORT`, `CLIENT_PORT`), and a name without prefix means the same fact for both apps (`CLIENT_ID`,
 * `REDIRECT_URI`, `ISSUER`, `HOST`, `TRUST_PROXY`). See .env.example.
 */
import { fileURLToPath } from 'node:url';
import * as value from './config-values.ts';
import { ConfigError, type DatabaseSettings, type Env, type LogSettings, type TrustProxy } from './config-values.ts';

export { ConfigError, type DatabaseSettings, type Env, type LogSettings, type TrustProxy };

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
  /** Undefined: the loopback addresses 127.0.0.1 and ::1 only. */
  host: string | undefined;
  port: number;
  /** Express's `trust proxy`: the sign-in throttle's client address and `Secure` cookies depend on it. */
  trustProxy: TrustProxy;
  /** RFC 8414 §2: an https (or, for development, http) URL with no query, fragment or trailing slash. */
  issuer: string;
  clients: ClientRegistration[];
  user: { id: string; username: string; password: string };
  /** True while the demo user has its default credentials: the sign-in page then shows them. */
  demoUser: boolean;
  sessionSecret: string;
  /** True when no session secret was set and a random one was generated for this run. */
  sessionSecretGenerated: boolean;
  /** Lifetimes in seconds. */
  authorizationCodeLifetime: number;
  accessTokenLifetime: number;
  refreshTokenLifetime: number;
  /** PostgreSQL (`DATABASE_URL`), or undefined for the in-memory store: one process, forgotten at restart. */
  database: DatabaseSettings | undefined;
  /** Provider processes sharing the port (`WORKERS`, node:cluster); above 1 only with a database. */
  workers: number;
  /** Failed logins allowed per window, per account and per address. */
  loginAttemptsPerWindow: number;
  loginWindowMs: number;
  log: LogSettings;
  /** Settings that work but probably are not what was meant; printed at start. */
  warnings: string[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENV_FILES = [fileURLToPath(new URL('../.env', import.meta.url)), `${ROOT}.env`];

/**
 * Reads `provider/.env`, then the root `.env`, into `process.env`. Nothing already set is overwritten, so the
 * environment wins over both files and the app's own file over the shared one. Returns the files read.
 */
export function loadDotEnv(): string[] {
  return value.loadDotEnvFiles(ENV_FILES, ROOT);
}

export function loadConfig(env: Env = process.env): ProviderConfig {
  const port = value.port(env, 'PROVIDER_PORT', 8080);
  // The client's port, only to derive the default redirect URI: http://localhost:$CLIENT_PORT/callback.
  const clientPort = value.port(env, 'CLIENT_PORT', 3000);
  const issuer = value.issuerUrl('ISSUER', value.read(env, 'ISSUER') ?? `http://localhost:${port}`);
  const redirect_uri = value.httpUrl('REDIRECT_URI', value.read(env, 'REDIRECT_URI') ?? `http://localhost:${clientPort}/callback`);
  const clients: ClientRegistration[] = [
    {
      client_id: value.read(env, 'CLIENT_ID') ?? 'testclient',
      client_name: value.read(env, 'CLIENT_NAME') ?? 'Demo Client',
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret: value.read(env, 'CLIENT_SECRET') ?? 'testsecret',
      redirect_uris: [redirect_uri],
      scope: 'profile email',
    },
  ];
  // An optional public client (RFC 6749 §2.1) for single-page and native apps: no secret, PKCE only.
  const publicClientId = value.read(env, 'PUBLIC_CLIENT_ID');
  if (publicClientId) {
    const uris = (value.read(env, 'PUBLIC_REDIRECT_URI') ?? '').split(/\s+/).filter(Boolean);
    if (uris.length === 0) throw new ConfigError('PUBLIC_REDIRECT_URI must list the public client’s redirect URIs');
    clients.push({
      client_id: publicClientId,
      client_name: value.read(env, 'PUBLIC_CLIENT_NAME') ?? 'Demo Public Client',
      token_endpoint_auth_method: 'none',
      redirect_uris: uris.map((uri) => value.httpUrl('PUBLIC_REDIRECT_URI', uri)),
      scope: 'profile email',
    });
    if (clients[0]?.client_id === publicClientId) throw new ConfigError('PUBLIC_CLIENT_ID must differ from CLIENT_ID');
  }
  const user = {
    id: value.read(env, 'USER_ID') ?? 'user1',
    username: value.read(env, 'OAUTH_USERNAME') ?? 'demo',
    password: value.read(env, 'OAUTH_PASSWORD') ?? 'demo',
  };
  const host = value.host(env);
  const database = value.database(env);
  const workers = value.positiveInteger(env, 'WORKERS', 1);
  if (workers > 1 && !database) {
    throw new ConfigError(
      `WORKERS=${workers} needs DATABASE_URL: each worker is a process of its own, and processes cannot share memory, ` +
        'so grants, sign-ins and counters kept in memory would differ from one request to the next. Set DATABASE_URL, or WORKERS=1.',
    );
  }
  const session = value.sessionSecret(env, 'provider');
  if (session.generated && (database || workers > 1)) {
    // A random key per process would make every other process, and every restart, refuse the login cookies.
    const why = database ? 'with DATABASE_URL, sign-ins outlive a restart' : `with WORKERS=${workers}, any process may serve a request`;
    throw new ConfigError(
      `SESSION_SECRET must be set (at least 32 characters; or PROVIDER_SESSION_SECRET): ${why}, so every process must sign login cookies with the same key.`,
    );
  }

  const warnings = [
    value.read(env, 'PORT') !== undefined &&
      'PORT is ignored: set PROVIDER_PORT for the provider (and CLIENT_PORT for the client), so one .env can serve both.',
    value.portMismatch('ISSUER', issuer, 'PROVIDER_PORT', port),
    host !== undefined && !value.isLoopback(host) && hostWarning(host, user.password === 'demo' || clients[0]?.client_secret === 'testsecret'),
  ].filter((warning): warning is string => typeof warning === 'string');

  return Object.freeze({
    host,
    port,
    trustProxy: value.trustProxy(env),
    issuer,
    clients,
    user,
    demoUser: user.username === 'demo' && user.password === 'demo',
    sessionSecret: session.secret,
    sessionSecretGenerated: session.generated,
    authorizationCodeLifetime: value.positiveInteger(env, 'AUTHORIZATION_CODE_LIFETIME', 600),
    accessTokenLifetime: value.positiveInteger(env, 'ACCESS_TOKEN_LIFETIME', 3600),
    refreshTokenLifetime: value.positiveInteger(env, 'REFRESH_TOKEN_LIFETIME', 14 * 24 * 3600),
    database,
    workers,
    loginAttemptsPerWindow: value.positiveInteger(env, 'LOGIN_ATTEMPTS_PER_WINDOW', 5),
    loginWindowMs: value.positiveInteger(env, 'LOGIN_WINDOW_SECONDS', 15 * 60) * 1000,
    log: value.logSettings(env),
    warnings,
  });
}

/**
 * Only the database, for `npm run db:migrate -w provider`, which needs nothing else (and no session secret).
 */
export function loadDatabaseConfig(env: Env = process.env): DatabaseSettings | undefined {
  return value.database(env);
}

/**
 * With PROVIDER_PORT=0 the system picks the port when the server listens; the settings derived from the port
 * (the issuer, unless ISSUER is set) are derived again from the port it got.
 */
export function loadConfigForPort(port: number, env: Env = process.env): ProviderConfig {
  return loadConfig({ ...env, PROVIDER_PORT: String(port) });
}

function hostWarning(host: string, demoCredentials: boolean): string {
  const reachable = `HOST=${host}: the provider accepts connections from other machines`;
  return demoCredentials
    ? `${reachable}, and the demo credentials (demo / demo, testclient / testsecret) still work. Set OAUTH_PASSWORD and CLIENT_SECRET.`
    : `${reachable}. Serve it over https only (README: "Before you use this in production").`;
}
