/**
 * The provider exactly as `npm start` runs it (provider/src/server.ts), in a child process on a free port, with
 * the environment given here and nothing else from ours (no .env surprises: the variables are all explicit).
 * Used where the bench measures what only the real entry does (WORKERS, the purge timers).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT } from './child.ts';
import { sleep } from './stats.ts';

export interface ProviderProcess {
  origin: string;
  pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startProvider(env: Record<string, string>): Promise<ProviderProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'provider/src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PROVIDER_PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  // However this process ends, the provider (and with WORKERS its workers, which follow their primary) ends too.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  };
  const origin = `http://127.0.0.1:${port}`;
  // Ready when the metadata document answers (with WORKERS, once a worker listens; the rest follow within ms).
  for (let tries = 0; ; tries++) {
    const status = await fetch(`${origin}/.well-known/oauth-authorization-server`).then((res) => res.status, () => 0);
    if (status === 200) break;
    if (exited || tries > 300) {
      await stop();
      throw new Error(`provider/src/server.ts did not start (${JSON.stringify({ ...env, DATABASE_URL: env.DATABASE_URL && '…' })})`);
    }
    await sleep(100);
  }
  console.error(`  provider/src/server.ts ${env.WORKERS ? `WORKERS=${env.WORKERS}` : ''}: pid ${child.pid}, port ${port}`);
  return { origin, pid: child.pid!, stop };
}
