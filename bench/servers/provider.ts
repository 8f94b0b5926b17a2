/**
 * The provider under test: `createApp(config, deps)` as `provider/src/server.ts` calls it, but without the
 * purge timers (the benchmark purges explicitly), plus bench-only endpoints under `/__bench/` that are answered
 * before the app sees the request:
 *
 * - `POST /__bench/codes?n=N`  issues N authorization codes through the library path the consent POST uses
 *                              (`oauth.authorize` with the signed-in user) and returns them with their PKCE verifiers;
 * - `GET  /__bench/memory`     heap (after two full GCs) and RSS, with the store's counts;
 * - `POST /__bench/purge?at=T` runs `store.purgeExpired(T)` (T defaults to now), as the purge timer would at time T;
 * - `GET  /__bench/sql`        round trips and statements sent to PostgreSQL since the last call (with
 *                              BENCH_COUNT_SQL=1, see ../lib/sql-counter.ts);
 * - `GET  /__bench/loop`       the event loop's delay since the last call, and the longest GC pause in it
 *                              (BENCH_LOOP_DELAY=1 turns the monitor on).
 *
 * Environment:
 * - `BENCH_STORE_URL`: a PostgreSQL database for the store (migrated and seeded by `openStore`, as
 *   DATABASE_URL does for the provider), with the login sessions, sign-in counters and consent interactions on
 *   the same pool. Absent: all in memory.
 * - `BENCH_GRANTS=N`: N live grants before listening (../lib/seed.ts).
 * - `BENCH_PURGE_MS`: run the store's purge timer at this interval, as server.ts does every minute.
 * The token lifetimes come from the usual variables (ACCESS_TOKEN_LIFETIME, …), read by `loadConfig`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createApp, type ProviderDeps } from '../../provider/src/app.ts';
import { loadConfig } from '../../provider/src/config.ts';
import { ExpiringMemoryStore } from '../../provider/src/http/session.ts';
import { createOAuthServer } from '../../provider/src/oauth/server.ts';
import { issueAuthorizationCode } from '../../provider/src/oauth/authorization-request.ts';
import {
  PostgresAttemptCounter,
  PostgresInteractionStore,
  preparePostgresInteractions,
} from '../../provider/src/interaction/postgres.ts';
import { openStore, PostgresSessionStore, type Client, type PostgresStore, type User } from '../../provider/src/store/index.ts';
import { bulkInsertGrants, seedThroughModel } from '../lib/seed.ts';
import { memory, sendJson, serve } from '../lib/serve.ts';

const env = process.env;
// SESSION_SECRET stays unset: a random one is generated for the run.
const config = loadConfig({ ISSUER: 'http://127.0.0.1', ...env });
// Counting (BENCH_COUNT_SQL=1, scenario 10 only: it costs a little on every query) starts before the store
// opens, so that every client of the pool is counted.
const sql = env.BENCH_COUNT_SQL ? (await import('../lib/sql-counter.ts')).countSql() : undefined;
const store = await openStore({ databaseUrl: env.BENCH_STORE_URL, clients: config.clients, user: config.user });
const pool = store.kind === 'postgres' ? (store as PostgresStore).pool : undefined;
// On PostgreSQL everything server.ts keeps there is there too (provider/src/stores.ts): sessions, sign-in
// counters, consent interactions. In memory, createApp's defaults are the memory ones.
const deps: ProviderDeps = { store, sessionStore: new ExpiringMemoryStore() };
if (pool) {
  await preparePostgresInteractions(pool);
  Object.assign(deps, {
    sessionStore: new PostgresSessionStore(pool),
    attempts: new PostgresAttemptCounter(pool, config.loginWindowMs),
    interactions: new PostgresInteractionStore(pool),
  });
}
const app = createApp(config, deps);
// A second library instance over the same store and config: it issues codes exactly as the app's does.
const oauth = createOAuthServer(config, store);
const client = (await store.findClient(config.clients[0]!.client_id)) as Client;
const user = (await store.findUser(config.user.id)) as User;

async function issueCodes(n: number) {
  const codes = [];
  for (let i = 0; i < n; i++) {
    const code_verifier = randomBytes(32).toString('base64url');
    const code_challenge = createHash('sha256').update(code_verifier).digest('base64url');
    const request = { client, redirect_uri: client.redirectUris[0]!, scope: ['profile'], state: 'bench', code_challenge, code_challenge_method: 'S256' as const };
    codes.push({ code: await issueAuthorizationCode(oauth, request, user), code_verifier });
  }
  return codes;
}

const grants = Number(env.BENCH_GRANTS ?? 0);
// On PostgreSQL one grant goes through the model (its access token is the one presented), the rest in bulk.
const throughModel = pool ? Math.min(grants, 1) : grants;
const token = grants > 0 ? await seedThroughModel(store, config, client, user, throughModel) : undefined;
if (pool) await bulkInsertGrants(pool, config, client, user, grants - throughModel);
sql?.take();

if (env.BENCH_PURGE_MS) store.startPurging(Number(env.BENCH_PURGE_MS));
const loop = env.BENCH_LOOP_DELAY ? monitorEventLoopDelay({ resolution: 1 }) : undefined;
loop?.enable();
// The longest garbage collection pause in the same period: a delay the purge did not cause.
let longestGc = 0;
if (loop) new PerformanceObserver((list) => list.getEntries().forEach(({ duration }) => (longestGc = Math.max(longestGc, duration)))).observe({ entryTypes: ['gc'] });

const ms = (ns: number) => ns / 1e6;
function loopDelay() {
  if (!loop) return null;
  const delay = { max: ms(loop.max), p99: ms(loop.percentile(99)), mean: ms(loop.mean), longestGc };
  loop.reset();
  longestGc = 0;
  return delay;
}

async function purge(at: number) {
  const started = performance.now();
  const dropped = await store.purgeExpired(at);
  return { dropped, ms: performance.now() - started };
}

serve(
  (req, res) => {
    // Checked on the raw path so that the measured requests pay nothing for the bench endpoints.
    if (!req.url?.startsWith('/__bench/')) return app(req, res);
    const url = new URL(req.url, 'http://bench');
    const number = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const answer = (work: Promise<unknown>) =>
      void work.then((body) => sendJson(res, body), (err: unknown) => res.writeHead(500).end(String(err)));
    switch (url.pathname) {
      case '/__bench/codes':
        return answer(issueCodes(number('n', 1)));
      case '/__bench/memory':
        return answer(store.size().then((size) => ({ ...memory(), ...size })));
      case '/__bench/purge':
        return answer(purge(number('at', Date.now())));
      case '/__bench/sql':
        return sendJson(res, sql?.take() ?? { roundTrips: 0, statements: 0, byStatement: {} });
      case '/__bench/loop':
        return sendJson(res, loopDelay());
      default:
        res.writeHead(404).end();
    }
  },
  { token, seeded: grants, store: store.kind, ...memory(), ...(await store.size()) },
);
