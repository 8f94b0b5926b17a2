/**
 * Opening PostgreSQL at start: the process's one pool, a few seconds of patience while the server comes up (a
 * container started alongside, a restart in progress), then the migrations, applied once under their lock
 * (store/migrate.ts). What waiting cannot fix (a wrong password, a missing database, a TLS error) fails at once.
 * Either way the caller gets one line to print, naming the server as "PostgreSQL at host:port/db", never the URL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { DatabaseSettings } from './config.ts';
import { INTERACTION_MIGRATIONS } from './interaction/postgres.ts';
import { bundledMigrations, type Migration } from './store/migrate.ts';
import { createPool, isDatabaseUnavailable, migrate } from './store/index.ts';

/** How long an unreachable server is waited for at start before giving up. */
const PATIENCE_MS = 5_000;
const RETRY_EVERY_MS = 500;

/** The database could not be opened; the message is one line, safe to print. */
export class DatabaseStartError extends Error {
  override name = 'DatabaseStartError';
}

/** The migrations of every table the provider uses: the grants' store, and the sign-in and consent interactions. */
export function allMigrations(): Migration[] {
  return [...bundledMigrations(), ...INTERACTION_MIGRATIONS];
}

/** A pool on a reachable, migrated database; `applied` names the migrations this call applied (none if up to date). */
export async function openDatabase(settings: DatabaseSettings, patienceMs = PATIENCE_MS): Promise<{ pool: Pool; applied: string[] }> {
  const pool = createPool(settings.url);
  try {
    await waitUntilReachable(pool, settings, patienceMs);
    return { pool, applied: await migrate(pool, allMigrations()) };
  } catch (err) {
    await pool.end().catch(() => {});
    if (err instanceof DatabaseStartError) throw err;
    throw new DatabaseStartError(`${settings.description}: ${messageOf(err)}. Check DATABASE_URL.`);
  }
}

/** "PostgreSQL at host:5432/db (schema up to date)", for the start-up line. */
export function describeDatabase(settings: DatabaseSettings, applied: string[]): string {
  return `${settings.description} (${applied.length > 0 ? `applied ${applied.join(', ')}` : 'schema up to date'})`;
}

async function waitUntilReachable(pool: Pool, settings: DatabaseSettings, patienceMs: number): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) {
        throw new DatabaseStartError(`${settings.description} refused the connection: ${messageOf(err)}. Check DATABASE_URL.`);
      }
      if (Date.now() >= deadline) {
        throw new DatabaseStartError(
          `Cannot reach ${settings.description} (${messageOf(err)}, tried for ${Math.round(patienceMs / 1000)} s). ` +
            'Is the server running, and does DATABASE_URL name it?',
        );
      }
      await sleep(RETRY_EVERY_MS);
    }
  }
}

/** pg's messages name a host, a port or a user at most, never the password. */
export function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Node's connection errors may be an AggregateError (one per address tried) with an empty message.
  return err.message || (err as { code?: string }).code || err.name;
}
