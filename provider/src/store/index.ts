/**
 * The provider's storage: one interface (types.ts), two implementations. `openStore` picks one.
 *
 * - No database: `InMemoryStore`, exactly as the provider has always run (one process; a restart forgets).
 * - A database: `PostgresStore` on one pool for this process, after the migrations have been applied (safe
 *   when several processes start at once) and the configured clients and user written (secrets hashed).
 *
 * Login sessions and failed-login counters live beside the grants, on the same pool when there is one:
 * `new PostgresSessionStore(store.pool)`, `new PostgresRateLimitStore(store.pool, { prefix })`, or their
 * memory counterparts (`ExpiringMemoryStore` in http/session.ts, `MemoryRateLimitStore`).
 */
import type { Pool } from 'pg';
import { InMemoryStore } from './memory.ts';
import { migrate } from './migrate.ts';
import { PostgresStore } from './postgres.ts';
import { createPool, type PoolOptions } from './postgres-pool.ts';
import type { StoreOptions, Store } from './types.ts';

export type * from './types.ts';
export { InMemoryStore } from './memory.ts';
export { PostgresStore } from './postgres.ts';
export { PostgresSessionStore } from './postgres-sessions.ts';
export { PostgresRateLimitStore } from './postgres-rate-limit.ts';
export { MemoryRateLimitStore } from './memory-rate-limit.ts';
export { createPool, isDatabaseUnavailable } from './postgres-pool.ts';
export { migrate } from './migrate.ts';

export interface OpenStoreOptions extends StoreOptions {
  /** A PostgreSQL URL; TLS options come from it (`sslmode`). Absent: the in-memory store. */
  databaseUrl?: string;
  /** An existing pool instead of `databaseUrl` (tests share one); the store then does not end it. */
  pool?: Pool;
  poolOptions?: PoolOptions;
}

/** A ready store: migrated and seeded when on PostgreSQL. `store.close()` releases what it opened. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { databaseUrl, pool: given, poolOptions, clients, user } = options;
  if (!given && !databaseUrl) return new InMemoryStore({ clients, user });
  const pool = given ?? createPool(databaseUrl!, poolOptions);
  try {
    await migrate(pool);
    const store = new PostgresStore(pool, !given);
    await store.upsertConfigured({ clients, user });
    return store;
  } catch (err) {
    if (!given) await pool.end();
    throw err;
  }
}
