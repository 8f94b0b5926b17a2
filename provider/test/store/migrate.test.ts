/**
 * The migration runner (src/store/migrate.ts) on a database of this file's own.
 */
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/index.ts';
import { postgresAdminUrl, usePostgresDatabase } from '../support/postgres.ts';

// A skipped suite's body still runs to collect its tests: the database is created only when there is a server.
const database = postgresAdminUrl ? usePostgresDatabase() : undefined;

describe.skipIf(!database)('schema migrations', () => {

  it('applies every migration once when several workers start together, and nothing afterwards', async () => {
    const pools = Array.from({ length: 5 }, () => database!.pool({ max: 1 }));
    const applied = await Promise.all(pools.map((pool) => migrate(pool)));
    // One worker applied them under the lock; the others waited, then found them recorded.
    expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
    expect(applied.flat()).toContain('1_initial_schema');
    expect(await migrate(pools[0]!)).toEqual([]);
    const { rows } = await pools[0]!.query('SELECT version, count(*)::int AS times FROM schema_migrations GROUP BY version');
    for (const row of rows) expect(row.times).toBe(1);
    const tables = await pools[0]!.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('clients', 'users', 'grants', 'login_sessions', 'rate_limits')");
    expect(tables.rows[0].n).toBe(5);
  });

  it('applies pending migrations in version order, all or nothing', async () => {
    const pool = database!.pool({ max: 1 });
    await migrate(pool);
    const failing = [
      { version: 901, name: 'second', sql: 'ALTER TABLE migrate_test ADD COLUMN y int' },
      { version: 900, name: 'first', sql: 'CREATE TABLE migrate_test (x int)' },
      { version: 902, name: 'broken', sql: 'SELECT 1 / 0' },
    ];
    await expect(migrate(pool, failing)).rejects.toThrow(/division by zero/);
    const { rows } = await pool.query("SELECT to_regclass('migrate_test') AS table, (SELECT count(*)::int FROM schema_migrations WHERE version >= 900) AS recorded");
    expect(rows[0]).toEqual({ table: null, recorded: 0 });

    const valid = failing.slice(0, 2);
    expect(await migrate(pool, valid)).toEqual(['900_first', '901_second']);
    expect(await migrate(pool, valid)).toEqual([]);
  });
});
