/**
 * A database of its own for each test file, on the server the global setup found (postgres-setup.ts).
 *
 * `usePostgresDatabase()` registers the file's hooks: the database is created before its first test and dropped
 * after its last, with every pool opened through it ended first.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';

export const postgresAdminUrl = inject('postgresAdminUrl');

/** The URL of another database on the same server. */
function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.href;
}

export interface TestDatabase {
  url: string;
  /** A pool on the test database, ended with it. */
  pool(options?: pg.PoolConfig): pg.Pool;
}

/** Registers beforeAll/afterAll in the calling scope; the returned object is usable once beforeAll has run. */
export function usePostgresDatabase(): TestDatabase {
  if (!postgresAdminUrl) throw new Error('no PostgreSQL server for the tests (see test/support/postgres-setup.ts)');
  const adminUrl = postgresAdminUrl;
  const name = `provider_test_${randomBytes(6).toString('hex')}`;
  const url = databaseUrl(adminUrl, name);
  const pools: pg.Pool[] = [];

  async function admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(() => admin(`CREATE DATABASE ${name}`));
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  return {
    url,
    pool(options = {}) {
      const pool = new pg.Pool({ connectionString: url, ...options });
      pool.on('error', () => {}); // a connection cut by a test is the test's business
      pools.push(pool);
      return pool;
    },
  };
}
