/**
 * Scenario 11: WORKERS=2 against WORKERS=1 on PostgreSQL. Both are provider/src/server.ts as `npm start` runs it
 * (node:cluster, one pool per worker), on the same database, measured alternately: `GET /api/me` under autocannon
 * and full flows. Reported, with no target: on a machine with two cores the load generator needs one of them,
 * so two workers mostly compete with it; the figure says what a second process buys here, not on a server.
 */
import { cannon } from '../lib/cannon.ts';
import { CONCURRENCY, runFlows } from '../lib/flows.ts';
import { HttpClient } from '../lib/http.ts';
import { grantTokens, providerFlow, signInBrowsers, type LoginSession } from '../lib/oauth-flows.ts';
import { POSTGRES_SKIPPED } from '../lib/postgres.ts';
import { startProvider, type ProviderProcess } from '../lib/provider-process.ts';
import { infoCheck, row, skipped, type ScenarioResult } from '../lib/report.ts';
import { alternate, ratios, type Options } from '../lib/rounds.ts';
import { sleep } from '../lib/stats.ts';

interface Running {
  server: ProviderProcess;
  http: HttpClient;
  sessions: LoginSession[];
  token: string;
}

async function start(databaseUrl: string, workers: number): Promise<Running> {
  const server = await startProvider({ DATABASE_URL: databaseUrl, WORKERS: String(workers) });
  // The first worker answers first; give the others a moment, then sign in as CONCURRENCY browsers.
  await sleep(1000);
  const http = new HttpClient(server.origin);
  const sessions = await signInBrowsers(http, CONCURRENCY);
  const { access_token } = await grantTokens(http, sessions[0]!);
  return { server, http, sessions, token: access_token };
}

export async function workersScenario(options: Options): Promise<ScenarioResult> {
  if (!options.postgres) return skipped('11. WORKERS=2 vs 1', POSTGRES_SKIPPED);
  const url = await options.postgres.createDatabase();
  // One after the other: both apply the migrations (under their lock) and write the configured client and user.
  const one = await start(url, 1);
  const two = await start(url, 2).catch(async (err: unknown) => {
    await one.server.stop();
    throw err;
  });
  try {
    const me = ({ server, token }: Running, duration: number) =>
      cannon(`${server.origin}/api/me`, { duration, headers: { authorization: `Bearer ${token}` } });
    const flows = ({ http, sessions }: Running, seconds: number) => runFlows((loop) => providerFlow(http, sessions[loop]!), { seconds });

    for (const running of [one, two]) {
      await me(running, options.warmupSeconds);
      await flows(running, options.warmupSeconds);
    }
    const api = await alternate(options.rounds, { one: () => me(one, options.seconds), two: () => me(two, options.seconds) });
    const flow = await alternate(options.rounds, { one: () => flows(one, options.seconds), two: () => flows(two, options.seconds) });
    return {
      rows: [
        row('11. GET /api/me', 'PostgreSQL, WORKERS=1 (npm start)', 'req/s', api.one),
        row('11. GET /api/me', 'PostgreSQL, WORKERS=2 (npm start)', 'req/s', api.two),
        row('11. Full flow', 'PostgreSQL, WORKERS=1 (npm start)', 'flows/s', flow.one),
        row('11. Full flow', 'PostgreSQL, WORKERS=2 (npm start)', 'flows/s', flow.two),
      ],
      checks: [
        infoCheck('/api/me, WORKERS=2 vs 1', ratios(api.two, api.one)),
        infoCheck('full flows, WORKERS=2 vs 1', ratios(flow.two, flow.one)),
      ],
      notes: [],
    };
  } finally {
    one.http.close();
    two.http.close();
    await Promise.all([one.server.stop(), two.server.stop()]);
  }
}
