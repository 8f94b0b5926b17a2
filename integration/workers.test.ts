/**
 * WORKERS=2: one provider command, a node:cluster primary and two worker processes on one port, sharing the
 * database. A full flow completes whichever worker each request reaches; a worker that dies is replaced; SIGTERM
 * stops every worker cleanly and the primary last.
 */
import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl, usePostgresDatabase } from '../provider/test/support/postgres.ts';
import { Browser } from './support/browser.ts';
import { Sandbox } from './support/processes.ts';
import { callApi, consent, exchange, PROVIDER_ENV, refresh, signIn, startProvider, type Provider } from './support/provider-processes.ts';

const CHILD_TIMEOUT = 60_000;

/** The JSON log lines printed so far (LOG_FORMAT=json), each with the pid of the process that wrote it. */
function logLines(provider: Provider): { pid: number; msg: string; path?: string }[] {
  return provider.app.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { pid: number; msg: string });
}

/** GET /api/me on a new connection each time, so that the cluster hands each to a worker of its choosing. */
function callOnNewConnection(provider: Provider, access_token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(`${provider.url}/api/me`, { agent: false, headers: { authorization: `Bearer ${access_token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    request.setTimeout(10_000, () => request.destroy(new Error('no answer within 10 s')));
    request.on('error', reject);
  });
}

describe.runIf(postgresAdminUrl)('WORKERS=2', () => {
  const database = postgresAdminUrl ? usePostgresDatabase() : undefined;
  let sandbox: Sandbox;
  let provider: Provider;
  beforeAll(async () => {
    sandbox = await Sandbox.create();
    provider = await startProvider(sandbox, database!.url, { WORKERS: '2', LOG_FORMAT: 'json' });
  }, CHILD_TIMEOUT);
  afterAll(() => sandbox?.dispose());

  const workerPids = () => logLines(provider).flatMap(({ msg }) => /^Worker \d+ ready \(pid (\d+)\)$/.exec(msg)?.[1] ?? []).map(Number);

  it('completes a full flow, with requests served by both workers on one port (RFC 6749 §4.1)', async () => {
    expect(provider.app.output).toContain('Starting 2 workers');
    expect(workerPids()).toHaveLength(2);

    const browser = new Browser();
    await signIn(browser, provider.url);
    const tokens = await exchange(provider.url, await consent(browser, provider.url));
    expect(tokens.status).toBe(200);
    const rotated = await refresh(provider.url, tokens.body.refresh_token ?? '');
    expect(rotated.status).toBe(200);
    const access_token = rotated.body.access_token ?? '';
    expect((await callApi(provider.url, access_token)).body).toMatchObject({ sub: 'user1' });

    for (let i = 0; i < 12; i++) expect(await callOnNewConnection(provider, access_token)).toBe(200);
    const servedBy = new Set(logLines(provider).filter((line) => line.path === '/api/me').map((line) => line.pid));
    expect([...servedBy].sort()).toEqual(workerPids().sort());
  }, CHILD_TIMEOUT);

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const browser = new Browser();
    await signIn(browser, provider.url);
    const { body } = await exchange(provider.url, await consent(browser, provider.url));
    const [victim] = workerPids();
    process.kill(victim!, 'SIGKILL');
    // (A connection the primary hands over at the very instant of the death is lost with the worker, as are the
    // worker's own requests in flight; once the primary has seen the death, no new one goes there.)
    await provider.app.waitFor(/Worker \d+ \(pid \d+\) was killed by SIGKILL: starting another/);
    // The other worker takes every request while the replacement starts.
    for (let i = 0; i < 6; i++) expect(await callOnNewConnection(provider, body.access_token ?? '')).toBe(200);
    await provider.app.waitFor(/Worker 3 ready/);
    expect(workerPids()).toHaveLength(3);
    for (let i = 0; i < 6; i++) expect(await callOnNewConnection(provider, body.access_token ?? '')).toBe(200);
  }, CHILD_TIMEOUT);

  it('passes SIGTERM to every worker; each stops cleanly, then the primary exits 0', async () => {
    const live = workerPids().slice(-2);
    expect(await provider.app.stop('SIGTERM')).toBe(0);
    const messages = logLines(provider).map((line) => line.msg);
    expect(messages).toContain('SIGTERM: stopping the 2 workers (each finishes its requests in flight, at most 10 s)');
    expect(messages.filter((msg) => msg === 'SIGTERM: finishing the requests in flight (at most 10 s), then stopping')).toHaveLength(2);
    expect(messages.at(-1)).toBe('Stopped');
    for (const pid of live) expect(() => process.kill(pid, 0)).toThrow(); // gone
  }, CHILD_TIMEOUT);

  it('replaces nothing when Ctrl-C reaches the workers before the primary (a terminal signals them all)', async () => {
    const again = await startProvider(sandbox, database!.url, { WORKERS: '2', LOG_FORMAT: 'json' });
    const pids = logLines(again).flatMap(({ msg }) => /^Worker \d+ ready \(pid (\d+)\)$/.exec(msg)?.[1] ?? []).map(Number);
    for (const pid of pids) process.kill(pid, 'SIGINT');
    await again.app.waitFor(/Worker \d+ stopped/);
    try {
      again.app.signal('SIGINT');
    } catch {
      // The primary may have finished already: with every worker stopped cleanly, it has nothing left to run.
    }
    expect(await again.app.exited).toBe(0);
    expect(again.app.output).not.toMatch(/starting another|"level":50/);
  }, CHILD_TIMEOUT);
});

describe.runIf(postgresAdminUrl)('WORKERS=2 that cannot start', () => {
  const database = postgresAdminUrl ? usePostgresDatabase() : undefined;
  let sandbox: Sandbox;
  let busy: Server | undefined;
  beforeAll(async () => {
    sandbox = await Sandbox.create();
  }, CHILD_TIMEOUT);
  afterAll(async () => {
    await new Promise((resolve) => (busy ? busy.close(resolve) : resolve(undefined)));
    await sandbox?.dispose();
  });

  it('stops with exit code 1 when the workers cannot listen (a busy port), instead of restarting them in a loop', async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy!.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    const started = sandbox.start('provider', { ...PROVIDER_ENV, DATABASE_URL: database!.url, WORKERS: '2', PROVIDER_PORT: String(port) });
    expect(await started.exited).toBe(1);
    expect(started.output).toContain(`ERROR: Port ${port} is already in use (127.0.0.1:${port})`);
    expect(started.output).toMatch(/ERROR: Worker \d+ exited with code 1 before the provider was ready \(see above\): stopping\./);
    expect(started.output).not.toMatch(/starting another|ready at/);
  }, CHILD_TIMEOUT);

  it('checks the database once, in the primary, before starting any worker', async () => {
    const wrong = new URL(database!.url);
    wrong.password = 'not-the-password';
    const started = sandbox.start('provider', { ...PROVIDER_ENV, DATABASE_URL: wrong.href, WORKERS: '2' });
    expect(await started.exited).toBe(1);
    expect(started.lines.filter((line) => /ERROR/.test(line))).toEqual([
      expect.stringMatching(/ERROR: PostgreSQL at 127\.0\.0\.1:\d+\/provider_test_\w+ refused the connection: password authentication failed/),
    ]);
    expect(started.output).not.toMatch(/Starting 2 workers|not-the-password/);
  }, CHILD_TIMEOUT);
});
