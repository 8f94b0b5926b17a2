/**
 * Reading one setting: each function takes the environment and a variable name, applies the default, and throws
 * a `ConfigError` naming the variable when the value cannot be used. `config.ts` decides which settings exist.
 *
 * Both apps read their settings with these functions; each app's own `config-values.ts` adds the readers only it
 * needs (the provider's database, the client's security lab).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { relative } from 'node:path';
import dotenv from 'dotenv';

export type Env = Record<string, string | undefined>;

/** A setting that cannot be used. The message starts with the variable's name; server.ts prints it as one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads `.env` files into `process.env`, the first listed first. Nothing already set is overwritten, so the
 * environment wins over every file and an earlier file over a later one. Returns the files read, relative to `root`.
 */
export function loadDotEnvFiles(files: string[], root: string): string[] {
  const read: string[] = [];
  for (const path of files) {
    if (!existsSync(path)) continue;
    const { error } = dotenv.config({ path, quiet: true });
    if (error) throw new ConfigError(`${relative(root, path)} cannot be read: ${error.message}`);
    read.push(relative(root, path));
  }
  return read;
}

/** The value of a variable, or undefined when it is unset or blank (`SCOPE=` in a .env file counts as unset). */
export function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function port(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  // Port 0 asks the system for a free port; server.ts prints the one it got.
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

export function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(raw)) throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

/** An absolute http(s) URL. RFC 6749 §3.1.2: a redirection endpoint has no fragment (nor has an issuer, RFC 8414 §2). */
export function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.hash || raw.includes('#')) throw new ConfigError(`${name} must not contain a #fragment, got "${raw}"`);
  return raw;
}

/** RFC 8414 §2: the issuer identifier has no query or fragment; without a trailing slash it compares exactly. */
export function issuerUrl(name: string, raw: string): string {
  const issuer = httpUrl(name, raw).replace(/\/+$/, '');
  if (new URL(issuer).search || issuer.includes('?')) {
    throw new ConfigError(`${name} must not contain a ?query (RFC 8414 §2), got "${raw}"`);
  }
  return issuer;
}

/**
 * The key that signs this app's session cookie. `SESSION_SECRET` may be set once for both apps: each derives its
 * own key from it (HMAC-SHA256 over the app's name), so a cookie signed by one app is never valid at the other,
 * and neither key reveals the shared secret. `<APP>_SESSION_SECRET` overrides it for one app.
 */
export function sessionSecret(env: Env, app: 'provider' | 'client'): { secret: string; generated: boolean } {
  const own = `${app.toUpperCase()}_SESSION_SECRET`;
  for (const name of [own, 'SESSION_SECRET']) {
    const value = read(env, name);
    if (value === undefined) continue;
    if (value.length < 32) {
      throw new ConfigError(`${name} must be at least 32 characters long (or unset for a random one), got ${value.length}`);
    }
    if (name === own) return { secret: value, generated: false };
    return { secret: createHmac('sha256', value).update(`${app} session cookie`).digest('base64url'), generated: false };
  }
  // Unset: a random key per start. Sessions (and logins under way) end when the process does.
  return { secret: randomBytes(32).toString('base64url'), generated: true };
}

/**
 * Where to listen. Unset (or `localhost`): the loopback addresses only, 127.0.0.1 and ::1, so that
 * http://localhost works whichever one a browser picks. Anything else is passed to `listen` as it is.
 */
export function host(env: Env): string | undefined {
  const raw = read(env, 'HOST');
  if (raw === undefined || raw.toLowerCase() === 'localhost') return undefined;
  if (isIP(raw) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(raw)) {
    throw new ConfigError(`HOST must be an IP address or a host name without a port (such as 0.0.0.0 or ::), got "${raw}"`);
  }
  return raw;
}

/** True for names that only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  const name = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** Express's `trust proxy`: which proxies may set X-Forwarded-For/-Proto/-Host. */
export type TrustProxy = boolean | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `TRUST_PROXY` takes the values Express accepts: `true`/`false`, a number of proxies in front of the app, or a
 * comma-separated list of addresses, subnets (10.0.0.0/8) and the names loopback, linklocal, uniquelocal.
 */
export function trustProxy(env: Env): TrustProxy {
  const raw = read(env, 'TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  const valid = (entry: string) => {
    const [address = '', prefix, ...rest] = entry.split('/');
    if (PROXY_NAMES.has(address) && prefix === undefined) return true;
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)) || isIP(prefix) === family;
  };
  if (!entries.every(valid)) {
    throw new ConfigError(
      `TRUST_PROXY must be true, false, a number of proxies, or a comma-separated list of addresses and subnets, got "${raw}"`,
    );
  }
  return entries;
}

export interface LogSettings {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** `pretty`: one readable line per event, for a terminal. `json`: one JSON object per line, for log collectors. */
  format: 'pretty' | 'json';
}

export function logSettings(env: Env): LogSettings {
  const level = read(env, 'LOG_LEVEL') ?? 'info';
  const format = read(env, 'LOG_FORMAT') ?? 'pretty';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, silent, got "${level}"`);
  }
  if (format !== 'pretty' && format !== 'json') throw new ConfigError(`LOG_FORMAT must be pretty or json, got "${format}"`);
  return { level: level as LogSettings['level'], format };
}

/**
 * A warning when a URL on this machine names another port than the one this app listens on. Behind a reverse
 * proxy the two legitimately differ (the proxy listens on the public port), so this warns and never stops.
 */
export function portMismatch(urlName: string, raw: string, portName: string, listenPort: number): string | undefined {
  const url = new URL(raw);
  const urlPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (!isLoopback(url.hostname) || listenPort === 0 || urlPort === listenPort) return undefined;
  return (
    `${urlName} ${raw} names port ${urlPort}, but this app listens on ${portName}=${listenPort}. ` +
    `Set ${portName}=${urlPort} or change ${urlName} (behind a reverse proxy the two ports may legitimately differ).`
  );
}
