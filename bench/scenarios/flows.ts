/**
 * Scenario 3: full flows with an established login session, as flows per second: consent POST (Allow) → code →
 * token → GET /api/me, run by ten concurrent loops for a fixed time window. The baseline runs the same shape of
 * flow against the upstream-equivalent provider (../baselines/upstream-example.ts): authorize POST with the
 * user's credentials → code → token → secured route.
 */
import { startServer } from '../lib/child.ts';
import { CONCURRENCY, runFlows } from '../lib/flows.ts';
import { HttpClient } from '../lib/http.ts';
import { providerFlow, signInBrowsers, upstreamFlow } from '../lib/oauth-flows.ts';
import { ratioCheck, row, type ScenarioResult } from '../lib/report.ts';
import { alternate, ratios, type Options } from '../lib/rounds.ts';

export async function flowsScenario(options: Options): Promise<ScenarioResult> {
  const [provider, upstream] = await Promise.all([
    startServer('provider.ts', { profileDir: options.profileDir }),
    startServer('upstream.ts', { profileDir: options.profileDir }),
  ]);
  const ourHttp = new HttpClient(provider.origin);
  const upstreamHttp = new HttpClient(upstream.origin);
  try {
    const sessions = await signInBrowsers(ourHttp, CONCURRENCY);
    const ours = (seconds: number) => runFlows((loop) => providerFlow(ourHttp, sessions[loop]!), { seconds });
    const baseline = (seconds: number) => runFlows(() => upstreamFlow(upstreamHttp), { seconds });

    await ours(options.warmupSeconds);
    await baseline(options.warmupSeconds);
    const results = await alternate(options.rounds, {
      ours: () => ours(options.seconds),
      upstream: () => baseline(options.seconds),
    });
    return {
      rows: [
        row('3. Full flow', 'provider: consent → token → /api/me', 'flows/s', results.ours),
        row('3. Full flow', 'upstream-equivalent: authorize → token → /secure', 'flows/s', results.upstream),
      ],
      checks: [ratioCheck('flows/s vs upstream-equivalent', ratios(results.ours, results.upstream), { atLeast: 1.2 })],
      notes: [],
    };
  } finally {
    ourHttp.close();
    upstreamHttp.close();
    await provider.stop();
    await upstream.stop();
  }
}
