/**
 * Schema migrations: the numbered SQL files in ./migrations, applied in order, each once.
 *
 * All pending files run in ONE transaction that first takes a transaction-scoped advisory lock
 * (`pg_advisory_xact_lock`). Workers starting together queue on the lock; the first applies the files, and the
 * others, once it commits, find them recorded in `schema_migrations` and apply nothing. A failure rolls every
 * file back (PostgreSQL's DDL is transactional), and the lock is released with the transaction, even when the
 * process dies.
 *
 * Why not node-pg-migrate: it takes a session lock with `pg_try_advisory_lock` and fails ("Another migration is
 * already running") instead of waiting, so the second of two workers starting at once would crash; it also
 * brings a file loader, a CLI and a JavaScript DSL we do not need for a handful of SQL files. This runner is
 * the few lines that do exactly what we need.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Pool, QueryConfig } from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** An arbitrary constant: the one advisory lock key this application uses for migrations. */
const MIGRATION_LOCK = 421_749_001;
const FILE_NAME = /^(\d+)_([\w-]+)\.sql$/;
/**
 * Waiting for another worker's migration may take longer than a request's timeouts (postgres-pool.ts), so
 * these statements get their own, server side (`SET LOCAL`) and client side (`query_timeout`, which `pg`
 * reads from the query but its types do not declare).
 */
const MIGRATION_TIMEOUT_MS = 60_000;
const slow = (text: string, values: unknown[] = []) => ({ text, values, query_timeout: MIGRATION_TIMEOUT_MS + 1_000 }) as QueryConfig;

/** The migrations shipped with the provider, by version. */
export function bundledMigrations(): Migration[] {
  const folder = fileURLToPath(new URL('./migrations/', import.meta.url));
  return readdirSync(folder)
    .map((file) => ({ file, match: FILE_NAME.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), name: match[2]!, sql: readFileSync(folder + file, 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

/** Applies the pending migrations; returns the names of those applied by this call (none if up to date). */
export async function migrate(pool: Pool, migrations: Migration[] = bundledMigrations()): Promise<string[]> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
    await client.query(slow('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]));
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const names: string[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(slow(migration.sql));
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      names.push(`${migration.version}_${migration.name}`);
    }
    await client.query('COMMIT');
    return names;
  } catch (err) {
    failed = true;
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    // A connection that failed mid-transaction is discarded, not handed to the next caller.
    client.release(failed);
  }
}
