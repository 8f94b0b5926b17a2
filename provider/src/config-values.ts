/**
 * Reading the provider's own settings. The readers both apps share (ports, URLs, session secrets, HOST,
 * TRUST_PROXY, logs) are in common/src/config-values.ts, re-exported here so that `config.ts` has one place to look.
 */
import { ConfigError, read, type Env } from '@oauth-reference/common/config-values';

export * from '@oauth-reference/common/config-values';

/** Where the provider keeps its state when it is not in memory: a PostgreSQL URL, and what may be printed of it. */
export interface DatabaseSettings {
  /** Holds the password: passed to `pg`, never printed. TLS options (`sslmode`, `sslrootcert`…) are read from it. */
  url: string;
  /** "PostgreSQL at host:5432/db": no user name, no password, no options. */
  description: string;
}

/**
 * `DATABASE_URL`, as libpq and `pg` take it: `postgres://user:password@host:5432/database?sslmode=verify-full`.
 * A refused value is never repeated in the message: it may hold a password.
 */
export function database(env: Env): DatabaseSettings | undefined {
  const raw = read(env, 'DATABASE_URL');
  if (raw === undefined) return undefined;
  const refused = new ConfigError(
    'DATABASE_URL must be a URL such as postgres://user:password@localhost:5432/oauth (the value is not shown: it may hold a password)',
  );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw refused;
  // A Unix socket is named by `?host=/run/postgresql`, the host part of the URL then being empty.
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const name = decodeURIComponent(url.pathname.slice(1)) || '(the user’s default database)';
  return { url: raw, description: `PostgreSQL at ${host}:${url.port || 5432}/${name}` };
}
