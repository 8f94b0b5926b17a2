/**
 * Anonymous flood of the client (issue 11, items 8, 11 and 12): 200,000 requests from visitors who never sign in,
 * against the client as `npm start` runs it (client/src/server.ts in a child process, talking to the real provider
 * in another). Each round of six is what an attacker can send without an account:
 *
 *   GET /                     the home page
 *   GET /login                what a cross-site page can make the browser do (changes nothing)
 *   POST /login               starts a login: a pending-login cookie, nothing on the server
 *   GET /callback (genuine)   that login's state and cookie, with a made-up code: the state is spent, the token
 *                             request refused by the provider, the refusal kept as a short-lived story
 *   GET /callback (replay)    the same again: refused as already used, nothing stored
 *   GET /callback (forged)    a made-up state and no cookie: refused, kept as a short-lived story
 *
 * Meanwhile a real user logs in through the provider (sign-in, consent, callback, home page) every second.
 * Target: RSS grows by at most 64 MB, the process stays up, no answer is a 5xx, and the user's logins complete.
 * RSS is read from /proc/<pid>/status, so the client runs exactly as shipped (no benchmark endpoints).
 *
 *   npm run stress -- client-sessions
 *   STRESS_REQUESTS=20000 npm run stress -- client-sessions
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Browser, signInAndConsent } from '../../integration/support/browser.ts';
import { freePort } from '../lib/provider-process.ts';
import { mb, MB, rss } from '../lib/stats.ts';

const REQUESTS = Number(process.env.STRESS_REQUESTS ?? 200_000);
const CONCURRENCY = 32;
const TARGET_GROWTH_MB = 64;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One app as `npm start` runs it, quiet but for errors; resolves once `ready` answers 200. */
async function start(entry: string, env: Record<string, string>, ready: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const state = { exited: false };
  child.once('exit', () => (state.exited = true));
  for (let tries = 0; ; tries++) {
    const status = await fetch(ready).then((res) => res.status, () => 0);
    if (status === 200) break;
    if (tries > 150 || state.exited) throw new Error(`${entry} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const stop = async () => {
    if (state.exited) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  return { pid: child.pid as number, state, stop };
}

/** A real user's login, as the browser does it; resolves with its duration, throws unless it ends signed in. */
async function userLogin(client: string): Promise<number> {
  const started = performance.now();
  const browser = new Browser();
  const login = await browser.post(`${client}/login`, {});
  if (login.status !== 303) throw new Error(`POST /login answered ${login.status}`);
  const callback = await signInAndConsent(browser, new URL(login.headers.get('location') ?? ''));
  const back = await browser.get(callback);
  if (back.status !== 303) throw new Error(`the callback answered ${back.status}`);
  const home = await (await browser.get(`${client}/`)).text();
  if (!home.includes('You are logged in')) throw new Error('the home page does not say "You are logged in"');
  return performance.now() - started;
}

export async function clientSessions(): Promise<void> {
  const [clientPort, providerPort] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${clientPort}`;
  const provider = `http://127.0.0.1:${providerPort}`;
  const redirect_uri = `${client}/callback`;
  const secret = () => randomBytes(32).toString('base64url');
  const providerApp = await start('provider/src/server.ts', { PROVIDER_PORT: String(providerPort), ISSUER: provider, REDIRECT_URI: redirect_uri, SESSION_SECRET: secret() }, `${provider}/.well-known/oauth-authorization-server`);
  const clientApp = await start('client/src/server.ts', { CLIENT_PORT: String(clientPort), AUTH_SERVER: provider, REDIRECT_URI: redirect_uri, SESSION_SECRET: secret() }, `${client}/`);

  try {
    const flood = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const statuses = new Map<number, number>();
    const send = (method: string, path: string, headers: http.OutgoingHttpHeaders = {}) =>
      new Promise<http.IncomingMessage | undefined>((resolve) => {
        const req = http.request({ agent: flood, host: '127.0.0.1', port: clientPort, method, path, headers }, (res) => {
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          res.resume().on('end', () => resolve(res));
        });
        req.on('error', () => {
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
          resolve(undefined);
        });
        req.end();
      });
    const callback = (state: string, cookie?: string) =>
      send('GET', `/callback?${new URLSearchParams({ code: secret(), state, iss: provider })}`, cookie ? { cookie } : {});

    /** One round of six anonymous requests (see the header). */
    const round = async () => {
      await send('GET', '/');
      await send('GET', '/login', { 'sec-fetch-site': 'cross-site' });
      const login = await send('POST', '/login', { 'sec-fetch-site': 'same-origin', 'content-length': '0' });
      const state = new URL(login?.headers.location ?? 'http://x/').searchParams.get('state') ?? '';
      const cookie = login?.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
      await callback(state, cookie);
      await callback(state, cookie);
      await callback(secret());
    };
    const run = async (requests: number) => {
      let rounds = Math.ceil(requests / 6);
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (rounds-- > 0) await round(); }));
    };

    // Warm-up: a login and a few thousand flood requests, so that start-up allocation is done.
    await userLogin(client);
    await run(3_000);
    statuses.clear();
    const before = rss(clientApp.pid);

    // The flood, with a real login every second and RSS sampled every 100 ms.
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, clientApp.state.exited ? 0 : rss(clientApp.pid))), 100);
    const logins: number[] = [];
    const failures: string[] = [];
    let flooding = true;
    const user = (async () => {
      while (flooding) {
        await userLogin(client).then((ms) => logins.push(ms), (err: Error) => failures.push(err.message));
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    const started = performance.now();
    await run(REQUESTS);
    const seconds = (performance.now() - started) / 1000;
    flooding = false;
    await user;
    clearInterval(sampler);
    flood.destroy();
    const after = clientApp.state.exited ? 0 : rss(clientApp.pid);
    await new Promise((resolve) => setTimeout(resolve, 10_000)); // idle: the garbage collector gives memory back
    const settled = clientApp.state.exited ? 0 : rss(clientApp.pid);
    const alive = !clientApp.state.exited && (await userLogin(client).then(() => true, () => false));

    const sent = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    const sorted = [...logins].sort((a, b) => a - b);
    const fiveHundreds = [...statuses].filter(([status]) => status >= 500 || status === 0).reduce((sum, [, count]) => sum + count, 0);
    console.log(`  ${sent.toLocaleString('en')} anonymous requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds).toLocaleString('en')}/s, ${CONCURRENCY} connections)`);
    console.log(`  answers: ${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status || 'error'} × ${count.toLocaleString('en')}`).join(', ')}`);
    console.log(`  client RSS before ${mb(before)}, peak ${mb(peak)}, at the end ${mb(after)}, 10 s later ${mb(settled)}`);
    console.log(`  growth at peak ${mb(peak - before)} (target ≤ ${TARGET_GROWTH_MB} MB)`);
    console.log(`  real logins during the flood: ${logins.length} completed, ${failures.length} failed` + (sorted.length ? `; median ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, slowest ${Math.round(sorted.at(-1) ?? 0)} ms` : ''));
    console.log(`  client still up and completing a login afterwards: ${alive ? 'yes' : 'NO'}`);

    const missed = [
      peak - before > TARGET_GROWTH_MB * MB && `RSS grew by ${mb(peak - before)}`,
      fiveHundreds > 0 && `${fiveHundreds} answers were 5xx or connection errors`,
      !alive && 'the client is down',
      logins.length === 0 && 'no login completed during the flood',
      failures.length > 0 && `logins failed: ${[...new Set(failures)].join('; ')}`,
    ].filter(Boolean);
    if (missed.length > 0) throw new Error(missed.join(', '));
  } finally {
    await Promise.all([clientApp.stop(), providerApp.stop()]);
  }
}

// Run directly: `tsx bench/stress/client-sessions.ts`.
if (process.argv[1] === fileURLToPath(import.meta.url)) await clientSessions();
