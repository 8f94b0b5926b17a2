/**
 * The interaction stores in PostgreSQL, so that every provider process sees the same counters and the same
 * one-time consent interactions.
 *
 * - Failed sign-in counters use the store's `rate_limits` table through its express-rate-limit store
 *   (store/postgres-rate-limit.ts): one atomic upsert per failed attempt, from any process.
 * - Consent interactions get a table of their own (`consent_interactions`, created by `preparePostgresInteractions`
 *   before the first request). Deciding is one statement, `UPDATE … WHERE NOT decided … RETURNING`: whichever
 *   process runs it first gets the row back, every other gets nothing, so one page view issues one code across
 *   processes too. Rows are keyed by digests (interaction/store.ts) and the kept answer is sealed
 *   (interaction/consent.ts): the table holds no session id, form token or code.
 *
 * The throttle's check and count are two steps; within a process they run one at a time per account
 * (http/login-throttle.ts), across processes each can let one extra guess through per round.
 */
import type { Pool } from 'pg';
import { migrate, type Migration } from '../store/migrate.ts';
import { deleteExpired } from '../store/postgres-pool.ts';
import { PostgresRateLimitStore } from '../store/postgres-rate-limit.ts';
import { startPurging } from '../store/shared.ts';
import type { AttemptCounter, ConsentInteraction, InteractionStore } from './store.ts';


/**
 * The table, as a migration of its own (applied once, under the migration lock, like the store's). Its version
 * is far from the store's own numbering, so the two lists never collide.
 */
export const INTERACTION_MIGRATIONS: Migration[] = [
  {
    version: 1001,
    name: 'consent_interactions',
    sql: `
      CREATE TABLE consent_interactions (
        key            text COLLATE "C" PRIMARY KEY,
        session_key    text COLLATE "C" NOT NULL,
        -- Creation order, for the per-session cap (timestamps can tie).
        seq            bigint GENERATED ALWAYS AS IDENTITY,
        user_id        text NOT NULL,
        request_digest text NOT NULL,
        expires_at     timestamptz NOT NULL,
        decided        boolean NOT NULL DEFAULT false,
        -- The first answer, sealed with the form's token (interaction/consent.ts).
        outcome        text
      );
      CREATE INDEX consent_interactions_pending ON consent_interactions (session_key, seq) WHERE NOT decided;
      CREATE INDEX consent_interactions_expires_at ON consent_interactions (expires_at);
    `,
  },
];

/** Creates the interaction table if it is missing (safe when several processes start at once). */
export async function preparePostgresInteractions(pool: Pool): Promise<void> {
  await migrate(pool, INTERACTION_MIGRATIONS);
}

export class PostgresAttemptCounter implements AttemptCounter {
  private readonly limits: PostgresRateLimitStore;

  constructor(pool: Pool, windowMs: number) {
    this.limits = new PostgresRateLimitStore(pool, { prefix: 'sign-in:', windowMs });
  }

  async hit(key: string): Promise<number> {
    return (await this.limits.increment(key)).totalHits;
  }

  async count(key: string): Promise<number> {
    return (await this.limits.get(key))?.totalHits ?? 0;
  }

  async reset(key: string): Promise<void> {
    await this.limits.resetKey(key);
  }

  /** Finished windows are deleted by the rate-limit store's purge (every counter shares the table). */
  startPurging(intervalMs = 60_000): () => void {
    return this.limits.startPurging(intervalMs);
  }
}

export class PostgresInteractionStore implements InteractionStore {
  constructor(private readonly pool: Pool) {}

  async create(session: string, key: string, interaction: ConsentInteraction, ttlMs: number, maxPerSession: number): Promise<void> {
    const now = Date.now();
    // One statement: the new row in, and this session's pending rows beyond the cap out, oldest first. (The
    // DELETE does not see the row being inserted, so it keeps maxPerSession - 1 of the others.)
    await this.pool.query({
      name: 'interaction-create',
      text: `WITH created AS (
               INSERT INTO consent_interactions (key, session_key, user_id, request_digest, expires_at)
               VALUES ($1, $2, $3, $4, $5))
             DELETE FROM consent_interactions WHERE key IN (
               SELECT key FROM consent_interactions WHERE session_key = $2 AND NOT decided ORDER BY seq DESC OFFSET $6)`,
      values: [key, session, interaction.userId, interaction.requestDigest, new Date(now + ttlMs), maxPerSession - 1],
    });
  }

  async consume(key: string, decidedTtlMs: number): Promise<ConsentInteraction | 'decided' | null> {
    const now = Date.now();
    const { rows } = await this.pool.query<{ user_id: string; request_digest: string }>({
      name: 'interaction-consume',
      text: `UPDATE consent_interactions SET decided = true, expires_at = $3
             WHERE key = $1 AND NOT decided AND expires_at > $2
             RETURNING user_id, request_digest`,
      values: [key, new Date(now), new Date(now + decidedTtlMs)],
    });
    const won = rows[0];
    if (won) return { userId: won.user_id, requestDigest: won.request_digest };
    // A second statement, so a fresh snapshot: a concurrent winner has committed by now (our UPDATE waited
    // for its row lock), and its row reads as decided.
    const decided = await this.pool.query({
      name: 'interaction-decided',
      text: 'SELECT 1 FROM consent_interactions WHERE key = $1 AND decided AND expires_at > $2',
      values: [key, new Date(now)],
    });
    return decided.rowCount ? 'decided' : null;
  }

  async remember(key: string, outcome: string): Promise<void> {
    await this.pool.query({
      name: 'interaction-remember',
      text: 'UPDATE consent_interactions SET outcome = $2 WHERE key = $1 AND decided',
      values: [key, outcome],
    });
  }

  async outcome(key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ outcome: string | null }>({
      name: 'interaction-outcome',
      text: 'SELECT outcome FROM consent_interactions WHERE key = $1 AND decided AND expires_at > $2',
      values: [key, new Date()],
    });
    return rows[0]?.outcome ?? null;
  }

  /** Deletes expired interactions, in batches through the `expires_at` index. */
  purgeExpired(now = Date.now()): Promise<number> {
    return deleteExpired(this.pool, { name: 'consent_interactions', key: 'key', expiry: 'expires_at' }, now);
  }

  startPurging(intervalMs = 60_000): () => void {
    return startPurging('consent interactions', () => this.purgeExpired(), intervalMs);
  }
}
