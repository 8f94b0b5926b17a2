/**
 * Scenario 1: `GET /api/me` with a valid bearer token, against a bare Express 5 route that returns the same
 * JSON. Both servers run as child processes; autocannon alternates between them.
 */
import { cannon } from '../lib/cannon.ts';
import { startServer } from '../lib/child.ts';
import { ratioCheck, row, type ScenarioResult } from '../lib/report.ts';
import { alternate, ratios, type Options } from '../lib/rounds.ts';

export async function resourceScenario(options: Options): Promise<ScenarioResult> {
  const [provider, bare] = await Promise.all([
    // One seeded grant gives a valid bearer token.
    startServer<{ port: number; token: string }>('provider.ts', { env: { BENCH_GRANTS: '1' }, profileDir: options.profileDir }),
    startServer('bare.ts', { profileDir: options.profileDir }),
  ]);
  try {
    const ours = (duration: number) =>
      cannon(`${provider.origin}/api/me`, { duration, headers: { authorization: `Bearer ${provider.info.token}` } });
    const baseline = (duration: number) => cannon(`${bare.origin}/api/me`, { duration });

    await ours(options.warmupSeconds);
    await baseline(options.warmupSeconds);
    const results = await alternate(options.rounds, {
      ours: () => ours(options.seconds),
      bare: () => baseline(options.seconds),
    });
    return {
      rows: [
        row('1. GET /api/me', 'provider (Bearer token)', 'req/s', results.ours),
        row('1. GET /api/me', 'bare Express 5 route', 'req/s', results.bare),
      ],
      checks: [ratioCheck('/api/me vs bare Express', ratios(results.ours, results.bare), { atLeast: 0.9 })],
      notes: [],
    };
  } finally {
    await provider.stop();
    await bare.stop();
  }
}
