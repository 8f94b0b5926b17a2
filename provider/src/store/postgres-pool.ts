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

/**
 * Whether an error means "the database cannot be reached right now" (refused, cut, restarting, timed out), as
 * opposed to a bug in a statement: the first is worth a 503 and a retry, the second is not.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    // Node's socket errors, and PostgreSQL's classes 08 (connection exception) and 57P (operator intervention:
    // shutdown, restart, cannot connect now); 57014 is a statement cancelled by statement_timeout.
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|EAI_AGAIN)$/.test(code)) return true;
    if (/^(08|57P)/.test(code) || code === '57014') return true;
  }
  // pg's own client-side failures carry no code.
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(err.message);
}

/** Rows deleted per statement by `deleteExpired`: each statement holds its locks briefly. */
const PURGE_BATCH = 1_000;

/**
 * Deletes the rows of `table` whose `expiry` has passed, PURGE_BATCH per statement through the index on `expiry`,
 * until a statement finds fewer. Rows another process is deleting or using right now are skipped
 * (`FOR UPDATE SKIP LOCKED`), so several processes purging at once neither wait for each other nor collide.
 * The names are this project's own table and column names, never input.
 */
export async function deleteExpired(
  pool: pg.Pool,
  table: { name: string; key: string; expiry: string },
  now = Date.now(),
): Promise<number> {
  const { name, key, expiry } = table;
  const text = `DELETE FROM ${name} WHERE ${key} IN (
    SELECT ${key} FROM ${name} WHERE ${expiry} <= $1 ORDER BY ${expiry} LIMIT $2 FOR UPDATE SKIP LOCKED)`;
  let dropped = 0;
  for (;;) {
    // Named (`purge-grants`…): prepared once per connection, and visible to the test that checks every plan.
    const { rowCount } = await pool.query({ name: `purge-${name}`, text, values: [new Date(now), PURGE_BATCH] });
    dropped += rowCount ?? 0;
    if ((rowCount ?? 0) < PURGE_BATCH) return dropped;
  }
}
