/**
 * Scenarios 6–8: the same provider on PostgreSQL and in memory, measured alternately, round after round.
 *
 * Both providers are children started the same way (../servers/provider.ts); the PostgreSQL one has its store,
 * login sessions, sign-in counters and consent interactions in a database of its own (BENCH_STORE_URL), on one
 * pool of 10 connections, as `DATABASE_URL` gives the provider. No cache sits in front of the database: a
 * revoked token must fail at once in every process (RFC 7009 §2.2), so each request pays its round trips.
 *
 * 6. `GET /api/me` with a valid bearer token (one indexed lookup per request);
 * 7. code exchanges at the token endpoint (codes issued beforehand, ../lib/exchange.ts);
 * 8. full flows: consent page → Allow → code → token → `GET /api/me`, one signed-in browser per loop.
 */
import { cannon } from '../lib/cannon.ts';
import { startServer, type ServerChild } from '../lib/child.ts';
import { exchangeCodes, warmUpExchanges } from '../lib/exchange.ts';
import { CONCURRENCY, runFlows } from '../lib/flows.ts';
import { HttpClient } from '../lib/http.ts';
import { providerFlow, signInBrowsers } from '../lib/oauth-flows.ts';
import { POSTGRES_SKIPPED } from '../lib/postgres.ts';
import { ratioCheck, row, skipped, type ScenarioResult } from '../lib/report.ts';
import { alternate, ratios, type Options } from '../lib/rounds.ts';
import type { Measurement } from '../lib/stats.ts';

type Provider = ServerChild<{ port: number; token: string }>;
type Measure = (server: Provider, seconds: number) => Promise<Measurement>;

/** Starts both providers, one seeded grant each, and runs `measure` on both alternately. */
async function memoryAgainstPostgres(options: Options, name: string, prepare: (memory: Provider, postgres: Provider) => Promise<Measure>) {
  if (!options.postgres) return null;
  const env = { BENCH_GRANTS: '1' };
  const [memory, postgres] = await Promise.all([
    startServer<{ port: number; token: string }>('provider.ts', { env, profileDir: options.profileDir }),
    options.postgres.createDatabase().then((url) =>
      startServer<{ port: number; token: string }>('provider.ts', { env: { ...env, BENCH_STORE_URL: url }, profileDir: options.profileDir }),
    ),
  ]);
  try {
    const measure = await prepare(memory, postgres);
    await measure(memory, options.warmupSeconds);
    await measure(postgres, options.warmupSeconds);
    console.error(`  ${name}: measuring`);
    return await alternate(options.rounds, {
      memory: () => measure(memory, options.seconds),
      postgres: () => measure(postgres, options.seconds),
    });
  } finally {
    await Promise.all([memory.stop(), postgres.stop()]);
  }
}

export async function postgresResourceScenario(options: Options): Promise<ScenarioResult> {
  const results = await memoryAgainstPostgres(options, 'GET /api/me', async () => (server, duration) =>
    cannon(`${server.origin}/api/me`, { duration, headers: { authorization: `Bearer ${server.info.token}` } }),
  );
  if (!results) return skipped('6. GET /api/me on PostgreSQL', POSTGRES_SKIPPED);
  return {
    rows: [
      row('6. GET /api/me', 'provider, memory store', 'req/s', results.memory),
      row('6. GET /api/me', 'provider, PostgreSQL store', 'req/s', results.postgres),
    ],
    checks: [ratioCheck('/api/me on PostgreSQL vs memory', ratios(results.postgres, results.memory), { atLeast: 0.7 })],
    notes: [],
  };
}

export async function postgresTokenScenario(options: Options): Promise<ScenarioResult> {
  // Each store gets as many codes per round as it exchanges in `seconds` (from its own warm-up).
  const amounts = new Map<Provider, number>();
  const results = await memoryAgainstPostgres(options, 'code exchange', async (memory, postgres) => {
    for (const server of [memory, postgres]) amounts.set(server, await warmUpExchanges(server, options.quick ? 500 : 2000, options.seconds));
    return (server) => exchangeCodes(server, amounts.get(server)!);
  });
  if (!results) return skipped('7. Code exchange on PostgreSQL', POSTGRES_SKIPPED);
  const [memoryAmount, postgresAmount] = [...amounts.values()];
  return {
    rows: [
      row('7. POST /oauth/token', `code exchange, memory store (${memoryAmount} codes per round)`, 'req/s', results.memory),
      row('7. POST /oauth/token', `code exchange, PostgreSQL store (${postgresAmount} codes per round)`, 'req/s', results.postgres),
    ],
    checks: [ratioCheck('code exchange on PostgreSQL vs memory', ratios(results.postgres, results.memory), { atLeast: 0.5 })],
    notes: [],
  };
}

export async function postgresFlowsScenario(options: Options): Promise<ScenarioResult> {
  const clients: HttpClient[] = [];
  try {
    const results = await memoryAgainstPostgres(options, 'full flows', async (memory, postgres) => {
      const flows = new Map<Provider, (seconds: number) => Promise<Measurement>>();
      for (const server of [memory, postgres]) {
        const http = new HttpClient(server.origin);
        clients.push(http);
        const sessions = await signInBrowsers(http, CONCURRENCY);
        flows.set(server, (seconds) => runFlows((loop) => providerFlow(http, sessions[loop]!), { seconds }));
      }
      return (server, seconds) => flows.get(server)!(seconds);
    });
    if (!results) return skipped('8. Full flows on PostgreSQL', POSTGRES_SKIPPED);
    return {
      rows: [
        row('8. Full flow', 'consent → token → /api/me, memory store', 'flows/s', results.memory),
        row('8. Full flow', 'consent → token → /api/me, PostgreSQL store', 'flows/s', results.postgres),
      ],
      checks: [ratioCheck('full flows on PostgreSQL vs memory', ratios(results.postgres, results.memory), { atLeast: 0.5 })],
      notes: [],
    };
  } finally {
    clients.forEach((http) => http.close());
  }
}
