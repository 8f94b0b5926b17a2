/**
 * Failed-login counters in PostgreSQL: an express-rate-limit `Store`, so that every process counts the same
 * attempts (RFC 6749 §10.10: the throttle must hold however many processes serve the login form).
 *
 * One row per key and a fixed window. `increment` is one atomic upsert (`INSERT … ON CONFLICT … DO UPDATE …
 * RETURNING`): concurrent attempts from any process each see their own count, none is lost. The stored key is
 * the limiter's prefix and a SHA-256 digest of its key, so usernames and addresses are not kept in clear and
 * any key length fits the index. The table comes from the migrations, before the first request: nothing is
 * created in the background.
 */
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Pool } from 'pg';
import { deleteExpired } from './postgres-pool.ts';
import { digest } from './secrets.ts';
import { startPurging } from './shared.ts';
import type { RateLimitStoreOptions } from './memory-rate-limit.ts';

type Row = { hits: number; reset_at: Date };
const info = (row: Row): ClientRateLimitInfo => ({ totalHits: row.hits, resetTime: row.reset_at });

export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs: number;

  constructor(
    private readonly pool: Pool,
    options: RateLimitStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'rl:';
    this.windowMs = options.windowMs ?? 60_000;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private key(key: string): string {
    return this.prefix + digest(key);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { rows } = await this.pool.query<Row>({
      name: 'rate-limit-get',
      text: 'SELECT hits, reset_at FROM rate_limits WHERE key = $1 AND reset_at > $2',
      values: [this.key(key), new Date()],
    });
    return rows[0] && info(rows[0]);
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = new Date();
    // A finished window starts again at one; a live one counts on. Decided on the row, under its lock.
    const { rows } = await this.pool.query<Row>({
      name: 'rate-limit-increment',
      text: `INSERT INTO rate_limits AS r (key, hits, reset_at) VALUES ($1, 1, $3)
             ON CONFLICT (key) DO UPDATE SET
               hits = CASE WHEN r.reset_at > $2 THEN r.hits + 1 ELSE 1 END,
               reset_at = CASE WHEN r.reset_at > $2 THEN r.reset_at ELSE excluded.reset_at END
             RETURNING hits, reset_at`,
      values: [this.key(key), now, new Date(now.getTime() + this.windowMs)],
    });
    return info(rows[0]!);
  }

  async decrement(key: string): Promise<void> {
    await this.pool.query({
      name: 'rate-limit-decrement',
      text: 'UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND reset_at > $2 AND hits > 0',
      values: [this.key(key), new Date()],
    });
  }

  async resetKey(key: string): Promise<void> {
    await this.pool.query({ name: 'rate-limit-reset', text: 'DELETE FROM rate_limits WHERE key = $1', values: [this.key(key)] });
  }

  /** Every counter of this limiter (a maintenance action, not a request path: it scans). */
  async resetAll(): Promise<void> {
    await this.pool.query('DELETE FROM rate_limits WHERE starts_with(key, $1)', [this.prefix]);
  }

  /** Deletes finished windows of every limiter, in batches through the `reset_at` index. */
  purgeExpired(now = Date.now()): Promise<number> {
    return deleteExpired(this.pool, { name: 'rate_limits', key: 'key', expiry: 'reset_at' }, now);
  }

  startPurging(intervalMs = 60_000): () => void {
    return startPurging('failed-login counters', () => this.purgeExpired(), intervalMs);
  }
}
