/**
 * Vitest global setup: finds a PostgreSQL server for the tests, or starts a throwaway one, and tells every test
 * file where it is (`inject('postgresAdminUrl')`). Each test file then creates and drops a database of its own
 * (support/postgres.ts). Reference it from a project's `globalSetup` to use it (provider, integration).
 *
 * 1. TEST_DATABASE_URL: a server on which the tests may create and drop databases. (DATABASE_URL is never read:
 *    it may name a database someone cares about.)
 * 2. Otherwise, when PostgreSQL's server binaries are installed (/usr/lib/postgresql/<version>/bin, Debian's
 *    `postgresql` package): a new cluster in a temporary folder, listening on 127.0.0.1 on a free port with its
 *    socket in that folder, fsync off; run as the `postgres` user when the tests run as root. Stopped and
 *    removed after the run.
 * 3. Otherwise the PostgreSQL suites are skipped, and one line says how to enable them; unless
 *    REQUIRE_POSTGRES=1 (CI sets it), which makes the run fail instead, so that CI cannot pass without them.
 */
import type { TestProject } from 'vitest/node';
import { serverBinaries, startThrowawayCluster } from './postgres-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL on which tests may CREATE and DROP databases, or null when no PostgreSQL is available. */
    postgresAdminUrl: string | null;
  }
}

const SKIPPED =
  'PostgreSQL tests SKIPPED: set TEST_DATABASE_URL=postgres://user:password@host/db (a server where tests may ' +
  'create databases) or install PostgreSQL (Debian: apt-get install postgresql) to run them.';

export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresAdminUrl', given);
    return;
  }
  const bin = serverBinaries();
  if (!bin) {
    if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`REQUIRE_POSTGRES=1, but no PostgreSQL: ${SKIPPED}`);
    console.warn(`\n⚠️  ${SKIPPED}\n`);
    project.provide('postgresAdminUrl', null);
    return;
  }
  const cluster = await startThrowawayCluster(bin);
  project.provide('postgresAdminUrl', cluster.url);
  return () => cluster.stop();
}
