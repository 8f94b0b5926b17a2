/**
 * The one connection pool of a provider process. Grants, login sessions and failed-login counters all use it.
 *
 * TLS comes from the URL: `?sslmode=require` (or `verify-full`, with `sslrootcert=`…) is read by `pg` itself.
 * The URL holds a password, so it is never logged; neither are `pg`'s error messages wrapped around it.
 */
import pg from 'pg';

export interface PoolOptions {
  /** Connections this process may open (the server's max_connections is shared by every process). */
  max?: number;
  /** How long a query may run on the server before PostgreSQL cancels it. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection, new or from the pool, before the request fails. */
  connectionTimeoutMs?: number;
}

export function createPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const statementTimeout = options.statementTimeoutMs ?? 5_000;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    // Server side: no request holds a row lock or a connection for long.
    statement_timeout: statementTimeout,
    idle_in_transaction_session_timeout: 10_000,
    // Client side: a server that stopped answering (no TCP reset) does not hang a request either.
    query_timeout: statementTimeout + 1_000,
    keepAlive: true,
    idleTimeoutMillis: 30_000,
    application_name: 'oauth-provider',
  });
  // An idle connection that breaks (the server restarted, say) emits 'error' on the pool; without a listener
  // that would crash the process. The pool drops the connection and opens a new one when next needed.
  pool.on('error', (err) => console.error(`PostgreSQL connection lost: ${err.message}`));
  return pool;
}
