// Configuration is read once, here, and nowhere else: every other module receives it as an argument.
// A bad value stops the client at start with a message that names the variable to fix.
//
// Both apps read the same root `.env`, so names cannot collide: a setting of one app only is prefixed
// (`CLIENT_PORT`, `PROVIDER_PORT`), and a name without prefix means the same fact for both apps (`CLIENT_ID`,
// `REDIRECT_URI`, `ISSUER`, `HOST`, `TRUST_PROXY`). See .env.example.
import { fileURLToPath } from 'node:url';
import * as value from './config-values.ts';
import { ConfigError, type Env, type LabSettings, type LogSettings, type TrustProxy } from './config-values.ts';

export { ConfigError, type Env, type LabSettings, type LogSettings, type TrustProxy };

export interface ClientConfig {
  /** Undefined: the loopback addresses 127.0.0.1 and ::1 only. */
  host: string | undefined;
  port: number;
  /** Express's `trust proxy`: `Secure` cookies and the canonical-origin redirect behind a proxy depend on it. */
  trustProxy: TrustProxy;
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
  /** True when no session secret was set and a random one was made: sessions end when the process does. */
  sessionSecretIsRandom: boolean;
  /** Stack traces are shown only when NODE_ENV=development. */
  development: boolean;
  log: LogSettings;
  /** The security lab (`/lab`, client/src/lab/): attacks this client runs against its authorization server. */
  lab: LabSettings;
  /** Settings that work but probably are not what was meant; printed at start. */
  warnings: string[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENV_FILES = [fileURLToPath(new URL('../.env', import.meta.url)), `${ROOT}.env`];

/**
 * Reads `client/.env`, then the root `.env`, into `process.env`. Nothing already set is overwritten, so the
 * environment wins over both files and the app's own file over the shared one. Returns the files read.
 */
export function loadDotEnv(): string[] {
  return value.loadDotEnvFiles(ENV_FILES, ROOT);
}

export function loadConfig(env: Env = process.env): Readonly<ClientConfig> {
  const port = value.port(env, 'CLIENT_PORT', 3000);
  // The provider's port, only to derive the default issuer: the same http://localhost:$PROVIDER_PORT the provider
  // derives. AUTH_SERVER, when set, names another authorization server for this client alone.
  const providerPort = value.port(env, 'PROVIDER_PORT', 8080);
  const issuerName = value.read(env, 'AUTH_SERVER') !== undefined ? 'AUTH_SERVER' : 'ISSUER';
  const authServer = value.issuerUrl(issuerName, value.read(env, issuerName) ?? `http://localhost:${providerPort}`);
  const redirect_uri = value.httpUrl('REDIRECT_URI', value.read(env, 'REDIRECT_URI') ?? `http://localhost:${port}/callback`);
  const resourceUrl = value.httpUrl('RESOURCE_URL', value.read(env, 'RESOURCE_URL') ?? `${authServer}/api/me`);
  const scope = value.read(env, 'SCOPE') ?? 'profile';
  // RFC 6749 §3.3: scope is a list of space-delimited tokens made of printable ASCII except `"` and `\`.
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(scope)) {
    throw new ConfigError(`SCOPE must be space-separated scope tokens (RFC 6749 §3.3), got "${scope}"`);
  }
  const session = value.sessionSecret(env, 'client');
  const host = value.host(env);
  const lab = value.lab(env, authServer);

  const warnings = [
    value.read(env, 'PORT') !== undefined &&
      'PORT is ignored: set CLIENT_PORT for the client (and PROVIDER_PORT for the provider), so one .env can serve both.',
    value.portMismatch('REDIRECT_URI', redirect_uri, 'CLIENT_PORT', port),
    providerPort === 0 &&
      issuerName === 'ISSUER' &&
      value.read(env, 'ISSUER') === undefined &&
      'PROVIDER_PORT=0: the provider picks its port at start, so the client cannot know its issuer. Set ISSUER.',
    host !== undefined &&
      !value.isLoopback(host) &&
      `HOST=${host}: the client accepts connections from other machines. Its REDIRECT_URI must name an address they can reach.`,
    lab.enabled &&
      !value.isLoopback(new URL(authServer).hostname) &&
      `LAB=on: the security lab at /lab runs attacks against ${authServer}, which is not on this machine. Use it only against an authorization server you run.`,
  ].filter((warning): warning is string => typeof warning === 'string');

  return Object.freeze({
    host,
    port,
    trustProxy: value.trustProxy(env),
    authServer,
    client_id: value.read(env, 'CLIENT_ID') ?? 'testclient',
    client_secret: value.read(env, 'CLIENT_SECRET') ?? 'testsecret',
    redirect_uri,
    scope,
    resourceUrl,
    sessionSecret: session.secret,
    sessionSecretIsRandom: session.generated,
    development: env.NODE_ENV === 'development',
    log: value.logSettings(env),
    lab,
    warnings,
  });
}

/**
 * With CLIENT_PORT=0 the system picks the port when the server listens; the settings derived from the port (the
 * redirect URI, unless REDIRECT_URI is set) are derived again from the port it got.
 */
export function loadConfigForPort(port: number, env: Env = process.env): Readonly<ClientConfig> {
  return loadConfig({ ...env, CLIENT_PORT: String(port) });
}
