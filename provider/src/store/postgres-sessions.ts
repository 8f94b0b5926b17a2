/**
 * Login sessions in PostgreSQL: connect-pg-simple on the provider's pool, wrapped so that the table is keyed by
 * a digest of the session id, never the id itself. The id is the bearer credential of a signed-in browser (the
 * cookie carries it); like codes and tokens, it is stored only as a SHA-256 digest, so a leaked copy of the
 * table holds no usable session.
 *
 * The table (`login_sessions`) is created by the migrations, not by connect-pg-simple at run time, and
 * connect-pg-simple's own pruning (one unbounded DELETE) is off: `purgeExpired` deletes in bounded batches
 * through the `expire` index, like the grants' purge.
 */
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type { Pool } from 'pg';
import { deleteExpired } from './postgres-pool.ts';
import { digest } from './secrets.ts';
import { startPurging } from './shared.ts';

const PgSessionStore = connectPgSimple(session);
const TABLE = 'login_sessions';

export class PostgresSessionStore extends session.Store {
  private readonly inner: InstanceType<typeof PgSessionStore>;

  constructor(private readonly pool: Pool) {
    super();
    this.inner = new PgSessionStore({ pool, tableName: TABLE, createTableIfMissing: false, pruneSessionInterval: false });
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.inner.get(digest(sid), callback);
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    this.inner.set(digest(sid), data, callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.inner.destroy(digest(sid), callback);
  }

  // No `touch`, as in the memory store: the cookie does not roll (its expiry is set at sign-in), so the row's expiry
  // must not move either, and a page view that changes nothing writes nothing (one statement fewer per page).

  /** Deletes expired sessions, in batches through the `expire` index; several processes may run it at once. */
  purgeExpired(now = Date.now()): Promise<number> {
    return deleteExpired(this.pool, { name: TABLE, key: 'sid', expiry: 'expire' }, now);
  }

  startPurging(intervalMs = 60_000): () => void {
    return startPurging('login sessions', () => this.purgeExpired(), intervalMs);
  }
}
