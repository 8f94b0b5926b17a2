/**
 * Starts a server under test in its own Node process, so that the server and the load generator (this process)
 * do not share an event loop: on two cores, one runs the server and one runs autocannon or the flow loops.
 *
 * A server entry listens on port 0 and prints one JSON line, `{ "port": …, … }`, when it is ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerChild<Info> {
  origin: string;
  pid: number;
  info: Info;
  stop(): Promise<void>;
}

export interface ChildOptions {
  env?: Record<string, string>;
  /** A directory for `node --cpu-prof` output (written when the child exits). */
  profileDir?: string;
}

/** Children still running: stopped when this process exits, however it exits (a failed scenario included). */
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGTERM')));

/** Every child started with a profile directory: its pid names its profile file. */
export const profiledChildren: { pid: number; label: string; readyMs: number }[] = [];

export async function startServer<Info extends { port: number }>(
  entry: string,
  { env = {}, profileDir }: ChildOptions = {},
): Promise<ServerChild<Info>> {
  const flags = ['--expose-gc', '--import', 'tsx'];
  if (profileDir) flags.push('--cpu-prof', '--cpu-prof-dir', profileDir);
  const child = spawn(process.execPath, [...flags, fileURLToPath(new URL(`../servers/${entry}`, import.meta.url))], {
    cwd: ROOT,
    env: { ...inheritedEnv(), NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const info = await firstLine<Info>(child, entry);
  // A database URL holds a password: the label says that there is one, not what it is.
  const shown = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, name.endsWith('_URL') ? '…' : value]));
  const label = `${entry} ${JSON.stringify(shown)}`;
  console.error(`  ${label}: pid ${child.pid}, port ${info.port}`);
  if (profileDir) profiledChildren.push({ pid: child.pid!, label, readyMs: (info as { readyMs?: number }).readyMs ?? 0 });
  return { origin: `http://127.0.0.1:${info.port}`, pid: child.pid!, info, stop: () => stop(child) };
}

/**
 * This process's environment minus the provider's deployment settings: a DATABASE_URL or WORKERS meant for
 * `npm start` must not turn a benchmark child into something else. The bench passes its own (BENCH_STORE_URL).
 */
export function inheritedEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _database, WORKERS: _workers, ...rest } = process.env;
  return rest;
}

function firstLine<Info>(child: ChildProcess, entry: string): Promise<Info> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as Info));
    child.once('exit', (code) => reject(new Error(`${entry} exited with code ${code} before it was ready`)));
  });
}

/** SIGTERM: the entry exits through `process.exit`, which lets `--cpu-prof` write its profile. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
