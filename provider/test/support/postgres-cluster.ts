/**
 * A throwaway PostgreSQL cluster in a temporary folder, for the tests (postgres-setup.ts) and the benchmark
 * (bench/lib/postgres.ts): `initdb` and `pg_ctl` from the installed server binaries, listening on 127.0.0.1 on a
 * free port with its socket in that folder, fsync off, run as the `postgres` user when we are root (initdb
 * refuses to run as root). `stop()` stops it and removes the folder.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayCluster {
  /** An admin URL (user `postgres`, database `postgres`): may create and drop databases. */
  url: string;
  stop(): void;
}

/** The newest installed server's bin folder (/usr/lib/postgresql/<version>/bin, Debian's `postgresql`), or null. */
export function serverBinaries(): string | null {
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

/** Runs a PostgreSQL binary as the `postgres` user when we are root. */
function asServerUser(asRoot: boolean, command: string, args: string[]): void {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, argv, { stdio: 'pipe', timeout: 60_000 });
}

/** `prefix` names the temporary folder, so that a cluster left behind by a killed run says whose it is. */
export async function startThrowawayCluster(bin: string, prefix = 'provider-test-pg-'): Promise<ThrowawayCluster> {
  const asRoot = process.getuid?.() === 0;
  const folder = mkdtempSync(join(tmpdir(), prefix));
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
