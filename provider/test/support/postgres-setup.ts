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
 * 3. Otherwise the PostgreSQL suites are skipped, and one line says how to enable them.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL on which tests may CREATE and DROP databases, or null when no PostgreSQL is available. */
    postgresAdminUrl: string | null;
  }
}

const SKIPPED =
  'PostgreSQL tests SKIPPED: set TEST_DATABASE_URL=postgres://user:password@host/db (a server where tests may ' +
  'create databases) or install PostgreSQL (Debian: apt-get install postgresql) to run them.';

/** The newest installed server's bin folder, or null. */
function serverBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'initdb')) && existsSync(join(root, version, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root (initdb refuses to run as root). */
function asServerUser(asRoot: boolean, command: string, args: string[]): void {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, argv, { stdio: 'pipe', timeout: 60_000 });
}

async function startThrowawayCluster(bin: string) {
  const asRoot = process.getuid?.() === 0;
  const folder = mkdtempSync(join(tmpdir(), 'provider-test-pg-'));
  const data = join(folder, 'data');
  const password = randomBytes(18).toString('base64url');
  writeFileSync(join(folder, 'password'), password);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(folder, uid, gid);
    chownSync(join(folder, 'password'), uid, gid);
  }
  const port = await freePort();
  asServerUser(asRoot, join(bin, 'initdb'), [
    '-D', data, '-U', 'postgres', `--pwfile=${join(folder, 'password')}`, '--auth=scram-sha-256',
    '-E', 'UTF8', '--locale=C', '--no-sync',
  ]);
  const options = [
    `-p ${port}`, `-k ${folder}`, "-c listen_addresses='127.0.0.1'", '-c fsync=off', '-c synchronous_commit=off',
    '-c full_page_writes=off', '-c max_connections=300',
  ].join(' ');
  asServerUser(asRoot, join(bin, 'pg_ctl'), ['-D', data, '-l', join(folder, 'server.log'), '-o', options, '-w', '-t', '30', 'start']);
  const stop = () => {
    try {
      asServerUser(asRoot, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop };
}

export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresAdminUrl', given);
    return;
  }
  const bin = serverBinaries();
  if (!bin) {
    console.warn(`\n⚠️  ${SKIPPED}\n`);
    project.provide('postgresAdminUrl', null);
    return;
  }
  const cluster = await startThrowawayCluster(bin);
  project.provide('postgresAdminUrl', cluster.url);
  return () => cluster.stop();
}
