/**
 * The PostgreSQL server the benchmark's database rows run on, found the way the provider's tests find theirs:
 *
 * 1. BENCH_DATABASE_URL, else TEST_DATABASE_URL: a server on which we may create and drop databases (each
 *    provider under test gets a database of its own, dropped at the end). DATABASE_URL is never read: it may
 *    name a database someone cares about.
 * 2. Otherwise, when PostgreSQL's server binaries are installed: a throwaway cluster in a temporary folder
 *    (provider/test/support/postgres-cluster.ts, the same code the tests use), removed at the end.
 * 3. Otherwise null, and the PostgreSQL rows are skipped with one line saying how to enable them.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { serverBinaries, startThrowawayCluster } from '../../provider/test/support/postgres-cluster.ts';

export const POSTGRES_SKIPPED =
  'PostgreSQL rows SKIPPED: no PostgreSQL server binaries found. Set BENCH_DATABASE_URL=postgres://user:password@host/db ' +
  '(a server where the benchmark may create databases) or install PostgreSQL (Debian: apt-get install postgresql).';

export interface BenchPostgres {
  /** Where the server came from, for the report (never the URL: it holds a password). */
  source: string;
  /** A new, empty database; returns its URL. */
  createDatabase(): Promise<string>;
  /** A statement on a database created here, on a connection of its own. */
  query(databaseUrl: string, sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Drops every database created here and stops the throwaway cluster, if we started one. */
  close(): Promise<void>;
}

export async function findPostgres(): Promise<BenchPostgres | null> {
  const given = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (given) return benchPostgres(given, process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'TEST_DATABASE_URL');
  const bin = serverBinaries();
  if (!bin) return null;
  const cluster = await startThrowawayCluster(bin, 'bench-pg-');
  return benchPostgres(cluster.url, `a throwaway cluster (${bin})`, () => cluster.stop());
}

function benchPostgres(adminUrl: string, source: string, stopCluster?: () => void): BenchPostgres {
  const created: string[] = [];
  const urlOf = (database: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return url.href;
  };

  async function query(url: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(sql, values);
    } finally {
      await client.end();
    }
  }

  return {
    source,
    async createDatabase() {
      const name = `bench_${randomBytes(6).toString('hex')}`;
      await query(adminUrl, `CREATE DATABASE ${name}`);
      created.push(name);
      return urlOf(name);
    },
    query,
    async close() {
      try {
        for (const name of created.splice(0)) await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        stopCluster?.();
      }
    },
  };
}
