/**
 * Everything one provider process remembers, opened together for server.ts: the grants (store/), the login
 * sessions, the failed sign-in counters and the one-time consent interactions (interaction/).
 *
 * - No DATABASE_URL: all in this process's memory. Nothing to set up, and nothing shared: one process only, and
 *   a restart signs everyone out and invalidates every code and token.
 * - DATABASE_URL: all in PostgreSQL, on the process's one pool, so that any number of processes (WORKERS, or
 *   several hosts) share them and a restart forgets nothing.
 * Each backend deletes what has expired on timers; close() stops them and releases the pool.
 */
import type { ProviderDeps } from './app.ts';
import type { DatabaseSettings, ProviderConfig } from './config.ts';
import { DatabaseStartError, describeDatabase, messageOf, openDatabase } from './database.ts';
import { ExpiringMemoryStore } from './http/session.ts';
import { MemoryAttemptCounter, MemoryInteractionStore } from './interaction/memory.ts';
import { PostgresAttemptCounter, PostgresInteractionStore } from './interaction/postgres.ts';
import { InMemoryStore, openStore, PostgresSessionStore } from './store/index.ts';

export interface ProviderStores {
  deps: Required<Pick<ProviderDeps, 'store' | 'sessionStore' | 'attempts' | 'interactions'>>;
  /** Where the state lives, for the start-up line: no password, no user name. */
  description: string;
  close(): Promise<void>;
}

const PURGE_EVERY_MS = 60_000;

export async function openStores(config: ProviderConfig): Promise<ProviderStores> {
  return config.database ? openPostgres(config, config.database) : openMemory(config);
}

function openMemory(config: ProviderConfig): ProviderStores {
  const store = new InMemoryStore(config);
  const sessionStore = new ExpiringMemoryStore();
  // The counters and interactions drop expired entries as new ones arrive; grants and sessions on a timer.
  const stops = [store.startPurging(PURGE_EVERY_MS), every(PURGE_EVERY_MS, () => sessionStore.purgeExpired())];
  return {
    deps: { store, sessionStore, attempts: new MemoryAttemptCounter(config.loginWindowMs), interactions: new MemoryInteractionStore() },
    description: 'in memory (one process; a restart forgets every grant and sign-in)',
    close: async () => stops.forEach((stop) => stop()),
  };
}

async function openPostgres(config: ProviderConfig, database: DatabaseSettings): Promise<ProviderStores> {
  const { pool, applied } = await openDatabase(database);
  let store;
  try {
    // Migrated already; this writes the configured clients and user (secrets hashed).
    store = await openStore({ pool, clients: config.clients, user: config.user });
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseStartError(`${database.description}: ${messageOf(err)}.`);
  }
  const sessionStore = new PostgresSessionStore(pool);
  const attempts = new PostgresAttemptCounter(pool, config.loginWindowMs);
  const interactions = new PostgresInteractionStore(pool);
  // Expired rows go in bounded batches through their expiry index; several processes purging at once skip each
  // other's rows (FOR UPDATE SKIP LOCKED) instead of waiting.
  const stops = [
    store.startPurging(PURGE_EVERY_MS),
    sessionStore.startPurging(PURGE_EVERY_MS),
    attempts.startPurging(PURGE_EVERY_MS),
    interactions.startPurging(PURGE_EVERY_MS),
  ];
  return {
    deps: { store, sessionStore, attempts, interactions },
    description: describeDatabase(database, applied),
    async close() {
      stops.forEach((stop) => stop());
      await store.close();
      await pool.end();
    },
  };
}

/** Runs `task` every `ms` on a timer that does not keep the process alive; returns what stops it. */
function every(ms: number, task: () => unknown): () => void {
  const timer = setInterval(task, ms).unref();
  return () => clearInterval(timer);
}
