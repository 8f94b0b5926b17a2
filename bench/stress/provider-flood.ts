/**
 * Anonymous flood of the provider (issue 11, item 1): 200,000 anonymous `GET /oauth/authorize` (and `GET /login`)
 * requests, each with a 12 KB parameter, against the provider as `npm start` runs it (provider/src/server.ts in a
 * child process). Meanwhile a real user runs the whole flow (sign-in, consent, code exchange) every second.
 *
 * Target: RSS grows by at most 64 MB, the process stays up, and the user's flows complete during the flood.
 * RSS is read from /proc/<pid>/status, so the server runs exactly as shipped (no benchmark endpoints). A control
 * run puts the same load on the metadata document first, to show what any busy process adds to its idle RSS.
 *
 *   npm run stress -- provider-flood                  200,000 requests
 *   npm run stress -- provider-flood-postgres         the same with DATABASE_URL, counting the rows left behind
 *   STRESS_REQUESTS=20000 npm run stress -- provider-flood
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { HttpClient, type Reply } from '../lib/http.ts';
import { findPostgres, POSTGRES_SKIPPED } from '../lib/postgres.ts';
import { startProvider } from '../lib/provider-process.ts';
import { mb, MB, rss } from '../lib/stats.ts';

const REQUESTS = Number(process.env.STRESS_REQUESTS ?? 200_000);
const WARMUP = 20_000;
const CONCURRENCY = 64;
const PARAMETER_BYTES = 12 * 1024;
const TARGET_GROWTH_MB = 64;
const CLIENT = { id: 'testclient', secret: 'testsecret', redirect_uri: 'http://localhost:3000/callback' };

function authorizeQuery(extra: Record<string, string> = {}): string {
  const code_challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
  return new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT.id,
    redirect_uri: CLIENT.redirect_uri,
    scope: 'profile',
    state: randomBytes(16).toString('base64url'),
    code_challenge,
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
}

/** The cookies a response sets, as `name=value` pairs. */
function cookiesOf(reply: Reply): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const line of reply.headers['set-cookie'] ?? []) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    jar[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return jar;
}

/** One whole flow as a browser and the client's back end would run it; throws on any unexpected answer. */
async function userFlow(client: HttpClient): Promise<number> {
  const started = performance.now();
  const jar: Record<string, string> = {};
  const cookie = () => Object.entries(jar).map(([name, value]) => `${name}=${value}`).join('; ');
  const step = async (reply: Promise<Reply>, status: number, name: string) => {
    const answer = await reply;
    if (answer.status !== status) throw new Error(`${name}: expected ${status}, got ${answer.status}`);
    Object.assign(jar, cookiesOf(answer));
    return answer;
  };
  const code_verifier = randomBytes(32).toString('base64url');
  const code_challenge = createHash('sha256').update(code_verifier).digest('base64url');
  const path = `/oauth/authorize?${authorizeQuery({ code_challenge })}`;
  await step(client.request('GET', path, { cookie: cookie() }), 303, 'authorize');
  const page = await step(client.request('GET', '/login', { cookie: cookie() }), 200, 'login page');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const login = await step(client.postForm('/login', { _csrf: csrf, username: 'demo', password: 'demo' }, { cookie: cookie() }), 303, 'sign-in');
  const consent = await step(client.request('GET', login.headers.location ?? '', { cookie: cookie() }), 200, 'consent page');
  const form = Object.fromEntries(new URL(path, 'http://x').searchParams);
  const interaction = /name="_csrf" value="([^"]+)"/.exec(consent.body)?.[1] ?? '';
  const decision = await step(client.postForm('/oauth/authorize', { ...form, _csrf: interaction, decision: 'allow' }, { cookie: cookie() }), 303, 'consent');
  const code = new URL(decision.headers.location ?? '').searchParams.get('code') ?? '';
  const basic = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;
  const grant = { grant_type: 'authorization_code', code, code_verifier, redirect_uri: CLIENT.redirect_uri };
  await step(client.postForm('/oauth/token', grant, { authorization: basic }), 200, 'token');
  return performance.now() - started;
}

interface Figures {
  requests: number;
  seconds: number;
  statuses: Map<number, number>;
  idle: number;
  warm: number;
  quarters: number[];
  peak: number;
  after: number;
  flows: number[];
  failures: string[];
  /** The user's flows during the warm-up (their sign-ins and grants are the only state a flood run should add). */
  warmupFlows: number;
  alive: boolean;
}

/**
 * Starts a fresh provider and measures it: RSS idle; after a warm-up that is the flood in small (20,000
 * requests, and the user's flow every second); then through `total` requests of `targets`.
 */
async function measure(targets: string[], total: number, env: Record<string, string> = {}): Promise<Figures> {
  const provider = await startProvider(env);
  const port = Number(new URL(provider.origin).port);
  const sample = () => rss(provider.pid);
  const client = new HttpClient(provider.origin);
  const flood = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const statuses = new Map<number, number>();
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const get = (path: string) =>
      new Promise<void>((resolve) => {
        const req = http.get({ agent: flood, host: '127.0.0.1', port, path }, (res) => {
          count(res.statusCode ?? 0);
          res.resume().on('end', resolve);
        });
        req.on('error', () => resolve(void count(0)));
      });
    /** `n` requests over CONCURRENCY connections; `quarter` runs after each quarter of them. */
    const run = async (n: number, quarter?: () => void) => {
      let sent = 0;
      let answered = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (sent < n) {
            await get(targets[sent++ % targets.length] as string);
            if (++answered % Math.ceil(n / 4) === 0) quarter?.();
          }
        }),
      );
    };
    const flows: number[] = [];
    const failures: string[] = [];
    /** The user's whole flow every second until `until` settles. */
    const userEverySecond = async (until: Promise<void>) => {
      let running = true;
      void until.then(() => (running = false));
      while (running) {
        await userFlow(client).then((ms) => flows.push(ms), (err: Error) => failures.push(err.message));
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };

    // A busy Node process settles at a larger working set than an idle one, whatever it serves: heap, optimised
    // code, and the allocator's arenas in the threads that hash passwords (scrypt takes 16 MB each time). The
    // flood is measured from there: what it adds on top is what it makes the server keep.
    const idle = sample();
    const warmUp = run(WARMUP);
    await Promise.all([warmUp, userEverySecond(warmUp)]);
    statuses.clear();
    const warmupFlows = flows.length;
    flows.length = 0;
    const warm = sample();

    let peak = warm;
    const sampler = setInterval(() => (peak = Math.max(peak, sample())), 100);
    const quarters: number[] = [];
    const started = performance.now();
    const flooded = run(total, () => quarters.push(sample()));
    await Promise.all([flooded, userEverySecond(flooded)]);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const after = sample();
    const alive = await userFlow(client).then(() => true, () => false);
    return { requests: total, seconds, statuses, idle, warm, quarters, peak, after, flows, failures, warmupFlows, alive };
  } finally {
    flood.destroy();
    client.close();
    await provider.stop();
  }
}

function report(label: string, figures: Figures): void {
  const { requests, seconds, statuses, idle, warm, quarters, peak, after, flows, failures, alive } = figures;
  const sorted = [...flows].sort((a, b) => a - b);
  const latency = sorted.length ? `; median ${Math.round(sorted[sorted.length >> 1] ?? 0)} ms, slowest ${Math.round(sorted.at(-1) ?? 0)} ms` : '';
  console.log(`  ${label}: ${requests.toLocaleString('en')} requests in ${seconds.toFixed(1)} s (${Math.round(requests / seconds).toLocaleString('en')}/s, ${CONCURRENCY} connections)`);
  console.log(`    answers: ${[...statuses].map(([status, n]) => `${status || 'error'} × ${n.toLocaleString('en')}`).join(', ')}`);
  console.log(`    RSS idle ${mb(idle)}; warmed up ${mb(warm)}; at each quarter ${quarters.map(mb).join(', ')}; peak ${mb(peak)}; after ${mb(after)}`);
  console.log(`    growth over the warmed-up process: ${mb(peak - warm)} at peak (over idle: ${mb(peak - idle)})`);
  console.log(`    user flows meanwhile: ${flows.length} completed, ${failures.length} failed${latency}; still serving afterwards: ${alive ? 'yes' : 'NO'}`);
}

const padding = 'x'.repeat(PARAMETER_BYTES);
/** An unknown 12 KB parameter, a 12 KB state, and the sign-in page: what an anonymous attacker can send. */
const ANONYMOUS = () => [
  `/oauth/authorize?${authorizeQuery()}&padding=${padding}`,
  `/oauth/authorize?${authorizeQuery({ state: 's'.repeat(PARAMETER_BYTES) })}`,
  `/login?padding=${padding}`,
];

function missedTargets({ peak, warm, alive, flows, failures }: Figures): string[] {
  return [
    peak - warm > TARGET_GROWTH_MB * MB && `RSS grew by ${mb(peak - warm)}`,
    !alive && 'the provider is down',
    flows.length === 0 && 'no user flow completed during the flood',
    failures.length > 0 && `user flows failed: ${[...new Set(failures)].join('; ')}`,
  ].filter((missed): missed is string => typeof missed === 'string');
}

export async function providerFlood(): Promise<void> {
  // For comparison: the same load on the metadata document, which keeps nothing and touches no session code.
  const control = await measure([`/.well-known/oauth-authorization-server?padding=${padding}`], WARMUP);
  report('control, the metadata document', control);
  const figures = await measure(ANONYMOUS(), REQUESTS);
  report('anonymous GET /oauth/authorize and GET /login with a 12 KB parameter', figures);
  console.log(`  target: growth ≤ ${TARGET_GROWTH_MB} MB, the provider up, the user's flows completing`);
  const missed = missedTargets(figures);
  if (missed.length > 0) throw new Error(missed.join(', '));
}

/**
 * The same flood with DATABASE_URL: what it leaves in the database. Every table the provider writes is counted
 * before and after; the anonymous requests must add no row (only the real user's sign-ins and grants may).
 */
export async function providerFloodPostgres(): Promise<void> {
  const postgres = await findPostgres();
  if (!postgres) {
    console.log(`  ${POSTGRES_SKIPPED}`);
    return;
  }
  try {
    const url = await postgres.createDatabase();
    const tables = ['login_sessions', 'rate_limits', 'consent_interactions', 'grants'];
    const rows = async () => {
      const { rows: [counts] } = await postgres.query(url, `SELECT ${tables.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`);
      return counts as Record<string, number>;
    };
    const figures = await measure(ANONYMOUS(), REQUESTS, { DATABASE_URL: url });
    report('anonymous GET /oauth/authorize and GET /login with a 12 KB parameter, on PostgreSQL', figures);
    const after = await rows();
    // Each of the user's flows (one every second, warm-up included) signs in once and makes one grant.
    const userFlows = figures.flows.length + figures.failures.length + figures.warmupFlows + 1; // + the final check
    console.log(`    rows afterwards: ${tables.map((t) => `${t} ${after[t]}`).join(', ')} (the user's flows: ${userFlows})`);
    console.log(`  target: growth ≤ ${TARGET_GROWTH_MB} MB, the provider up, the user's flows completing, no row beyond the user's`);
    const missed = missedTargets(figures);
    const beyond = tables.filter((t) => (after[t] ?? 0) > userFlows);
    if (beyond.length > 0) missed.push(`rows beyond the user's flows in ${beyond.join(', ')}`);
    if (missed.length > 0) throw new Error(missed.join(', '));
  } finally {
    await postgres.close();
  }
}

// Run directly: `tsx bench/stress/provider-flood.ts`.
if (process.argv[1] === fileURLToPath(import.meta.url)) await providerFlood();
