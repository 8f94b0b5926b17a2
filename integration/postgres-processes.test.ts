/**
 * Two provider processes on one PostgreSQL database, over real HTTP, as two hosts behind a load balancer without
 * sticky sessions would run: any step of a flow may reach either process, including the same code or refresh
 * token reaching both at the same instant. Then the hard ways to lose a process or the database: `kill -9`
 * under traffic, and the database taken away (a TCP proxy of the test's own, never an outside server).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl, usePostgresDatabase } from '../provider/test/support/postgres.ts';
import { TcpProxy } from '../provider/test/support/tcp-proxy.ts';
import { Browser } from './support/browser.ts';
import { Sandbox } from './support/processes.ts';
import {
  authorizationPath,
  callApi,
  consent,
  exchange,
  pkce,
  PROVIDER_ENV,
  refresh,
  signedInWithTokens,
  signIn,
  startProvider,
  type Provider,
} from './support/provider-processes.ts';

const CHILD_TIMEOUT = 60_000;

describe.runIf(postgresAdminUrl)('two provider processes on one PostgreSQL database', () => {
  const database = postgresAdminUrl ? usePostgresDatabase() : undefined;
  let sandbox: Sandbox;
  let a: Provider;
  let b: Provider;
  beforeAll(async () => {
    sandbox = await Sandbox.create();
    [a, b] = await Promise.all([startProvider(sandbox, database!.url), startProvider(sandbox, database!.url)]);
  }, CHILD_TIMEOUT);
  afterAll(() => sandbox?.dispose());

  it('signs in on A, consents on B, exchanges the code on A and reads /api/me on B (RFC 6749 §4.1)', async () => {
    const browser = new Browser();
    await signIn(browser, a.url); // the login session is written by A…
    const code = await consent(browser, b.url); // …read by B, which issues the code…
    const tokens = await exchange(a.url, code); // …that A redeems
    expect(tokens.status).toBe(200);
    const me = await callApi(b.url, tokens.body.access_token ?? '');
    expect(me).toMatchObject({ status: 200, body: { sub: 'user1', username: 'demo' } });
    // And the other way round, after a rotation on B (RFC 6749 §6).
    const rotated = await refresh(b.url, tokens.body.refresh_token ?? '');
    expect(rotated.status).toBe(200);
    expect((await callApi(a.url, rotated.body.access_token ?? '')).status).toBe(200);
  }, CHILD_TIMEOUT);

  it('redeems one code at most once when 20 requests race across both processes, and no token issued in the race works (RFC 6749 §4.1.2)', async () => {
    const browser = new Browser();
    await signIn(browser, a.url);
    const code = await consent(browser, b.url);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => exchange(i % 2 ? a.url : b.url, code)));

    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(1);
    // Every other request is refused as a used code, never a 5xx.
    for (const answer of answers.filter((each) => each.status !== 200)) {
      expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    }
    // A code presented twice revokes the grant (a replay's revocation may even overtake the winner's save).
    for (const { body } of answers.filter((answer) => answer.status === 200)) {
      for (const provider of [a, b]) expect((await callApi(provider.url, body.access_token ?? '')).status).toBe(401);
      expect((await refresh(a.url, body.refresh_token ?? '')).status).toBe(400);
    }
  }, CHILD_TIMEOUT);

  it('rotates one refresh token at most once when 20 requests race across both processes, then revokes the whole family (RFC 9700 §4.14.2)', async () => {
    const { tokens } = await signedInWithTokens(a.url);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => refresh(i % 2 ? a.url : b.url, tokens.refresh_token)));

    const won = answers.filter((answer) => answer.status === 200);
    expect(won.length).toBeLessThanOrEqual(1);
    for (const answer of answers.filter((each) => each.status !== 200)) {
      expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    }
    // Reuse detected: the old pair and any pair issued in the race are all dead, on both processes.
    const family = [tokens, ...won.map((answer) => answer.body as typeof tokens)];
    for (const member of family) {
      for (const provider of [a, b]) expect((await callApi(provider.url, member.access_token)).status).toBe(401);
      expect((await refresh(b.url, member.refresh_token)).status).toBe(400);
    }
  }, CHILD_TIMEOUT);

  it('keeps issued tokens and the login session when a process is killed with kill -9 under traffic and started again', async () => {
    const { browser, tokens } = await signedInWithTokens(a.url);
    let running = true;
    const traffic = (provider: string) =>
      (async () => {
        const statuses: (number | 'failed')[] = [];
        while (running) statuses.push(await callApi(provider, tokens.access_token).then((res) => res.status, () => 'failed' as const));
        return statuses;
      })();
    const onA = [traffic(a.url), traffic(a.url)];
    const onB = [traffic(b.url), traffic(b.url)];
    await new Promise((resolve) => setTimeout(resolve, 500));
    await a.app.kill(); // SIGKILL: no graceful shutdown, requests and connections cut wherever they were
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    expect((await Promise.all(onA)).flat()).toContain('failed');
    // The other process never noticed.
    expect(new Set((await Promise.all(onB)).flat())).toEqual(new Set([200]));

    const port = a.port;
    a = await startProvider(sandbox, database!.url, { PROVIDER_PORT: String(port) });
    expect(a.port).toBe(port);
    expect((await callApi(a.url, tokens.access_token)).status).toBe(200);
    // The login session: the consent page comes at once, without signing in again.
    const page = await browser.get(a.url + authorizationPath(pkce().code_challenge));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="decision"');
    const rotated = await refresh(a.url, tokens.refresh_token);
    expect(rotated.status).toBe(200);
  }, CHILD_TIMEOUT);
});

describe.runIf(postgresAdminUrl)('the database lost while the providers run', () => {
  const database = postgresAdminUrl ? usePostgresDatabase() : undefined;
  let sandbox: Sandbox;
  let proxy: TcpProxy;
  let a: Provider;
  let b: Provider;
  beforeAll(async () => {
    sandbox = await Sandbox.create();
    const target = new URL(database!.url);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    const url = proxy.databaseUrl(database!.url);
    [a, b] = await Promise.all([startProvider(sandbox, url), startProvider(sandbox, url)]);
  }, CHILD_TIMEOUT);
  afterAll(async () => {
    await sandbox?.dispose();
    await proxy?.close();
  });

  it('answers 503 with Retry-After while it is away, never crashes, and serves again by itself once it is back', async () => {
    const { browser, tokens } = await signedInWithTokens(a.url);
    await proxy.cut();

    for (const provider of [a, b]) {
      const me = await callApi(provider.url, tokens.access_token);
      expect(me).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
      expect(me.headers.get('retry-after')).toBe('5');
      expect(me.headers.get('www-authenticate')).toBeNull();
      expect(await refresh(provider.url, tokens.refresh_token)).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
      // The authorization endpoint cannot check the client or its redirect URI: an error page, not a redirect.
      const page = await browser.get(provider.url + authorizationPath(pkce().code_challenge));
      expect(page.status).toBe(503);
      expect(page.headers.get('location')).toBeNull();
      expect(await page.text()).toContain('Temporarily unavailable');
    }

    await proxy.restore();
    for (const provider of [a, b]) {
      expect((await callApi(provider.url, tokens.access_token)).status).toBe(200);
    }
    // The same processes, never restarted, with the tokens and the login session as they were.
    for (const provider of [a, b]) expect(provider.app.output).not.toMatch(/Stopped|\n\s+at /);
    expect((await browser.get(a.url + authorizationPath(pkce().code_challenge))).status).toBe(200);
    expect((await refresh(b.url, tokens.refresh_token)).status).toBe(200);
  }, CHILD_TIMEOUT);
});

describe.runIf(postgresAdminUrl)('the database unreachable at start', () => {
  const database = postgresAdminUrl ? usePostgresDatabase() : undefined;
  let sandbox: Sandbox;
  let proxy: TcpProxy;
  let password: string;
  beforeAll(async () => {
    sandbox = await Sandbox.create();
    const target = new URL(database!.url);
    password = decodeURIComponent(target.password);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
  }, CHILD_TIMEOUT);
  afterAll(async () => {
    await sandbox?.dispose();
    await proxy?.close();
  });

  it('retries for a few seconds, then stops with one line naming the server but not the password, exit code 1', async () => {
    await proxy.cut();
    const started = sandbox.start('provider', { ...PROVIDER_ENV, DATABASE_URL: proxy.databaseUrl(database!.url) });
    expect(await started.exited).toBe(1);
    const errors = started.lines.filter((line) => /ERROR/.test(line));
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(`ERROR: Cannot reach PostgreSQL at 127\\.0\\.0\\.1:${proxy.port}/provider_test_\\w+ \\(connect ECONNREFUSED .*, tried for 5 s\\)\\. Is the server running`),
      ),
    ]);
    expect(started.output).not.toContain(password);
    expect(started.output).not.toMatch(/ready at|\n\s+at /);
  }, CHILD_TIMEOUT);

  it('starts once the database comes up within those seconds', async () => {
    await proxy.cut();
    const started = sandbox.start('provider', { ...PROVIDER_ENV, DATABASE_URL: proxy.databaseUrl(database!.url) });
    setTimeout(() => void proxy.restore(), 1_500);
    expect(await started.port()).toBeGreaterThan(0);
    expect(started.output).toMatch(/Storage: PostgreSQL at 127\.0\.0\.1:\d+\/provider_test_\w+ \(/);
    expect(started.output).not.toContain(password);
    expect(await started.stop()).toBe(0);
  }, CHILD_TIMEOUT);

  it('stops at once, without retrying, when the server refuses the password', async () => {
    const wrong = new URL(database!.url);
    wrong.password = 'not-the-password';
    const started = sandbox.start('provider', { ...PROVIDER_ENV, DATABASE_URL: wrong.href });
    expect(await started.exited).toBe(1);
    expect(started.output).toMatch(/ERROR: PostgreSQL at 127\.0\.0\.1:\d+\/provider_test_\w+ refused the connection: password authentication failed for user "postgres"\. Check DATABASE_URL\./);
    expect(started.output).not.toContain('not-the-password');
  }, CHILD_TIMEOUT);
});

describe.runIf(postgresAdminUrl)('npm run db:migrate -w provider', () => {
  const database = postgresAdminUrl ? usePostgresDatabase() : undefined;
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.create();
  }, CHILD_TIMEOUT);
  afterAll(() => sandbox?.dispose());

  /** What the npm script runs, in the sandbox, with only `env` set. */
  function migrateCli(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'provider/src/store/migrate-cli.ts', ...args], {
      cwd: sandbox.dir,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
  }

  it('applies the migrations once, reads DATABASE_URL as the provider does, and never prints the password', async () => {
    const password = decodeURIComponent(new URL(database!.url).password);
    const first = await migrateCli({ DATABASE_URL: database!.url });
    expect(first).toEqual({ code: 0, output: expect.stringMatching(/^PostgreSQL at 127\.0\.0\.1:\d+\/provider_test_\w+: applied 1_initial_schema, 1001_consent_interactions\n$/) });
    const again = await migrateCli({}, [database!.url]);
    expect(again).toEqual({ code: 0, output: expect.stringMatching(/: the schema is up to date\.\n$/) });
    expect(first.output + again.output).not.toContain(password);
  }, CHILD_TIMEOUT);

  it('says what is missing when there is no database URL', async () => {
    expect(await migrateCli({})).toEqual({ code: 1, output: 'Migration failed: DATABASE_URL is not set (or pass the database URL as the first argument)\n' });
  }, CHILD_TIMEOUT);
});
