/**
 * Scenario 4: does `GET /api/me` slow down as the store grows? Two provider processes, one seeded with 1,000
 * live grants and one with 100,000 (BENCH_GRANTS, see ../servers/provider.ts), measured alternately. The
 * difference in their heap after GC gives the memory cost of 10,000 live grants.
 */
import { cannon } from '../lib/cannon.ts';
import { startServer } from '../lib/child.ts';
import { ratioCheck, row, type ScenarioResult } from '../lib/report.ts';
import { alternate, ratios, type Options } from '../lib/rounds.ts';
import { MB } from '../lib/stats.ts';

interface Seeded {
  port: number;
  token: string;
  heapUsed: number;
  rss: number;
  grants: number;
}

export async function scalingScenario(options: Options): Promise<ScenarioResult> {
  const seeded = (grants: number) =>
    startServer<Seeded>('provider.ts', { env: { BENCH_GRANTS: String(grants) }, profileDir: options.profileDir });
  // Seeding runs in the children, in parallel.
  const [small, large] = await Promise.all([seeded(1000), seeded(100_000)]);
  try {
    const me = (server: typeof small, duration: number) =>
      cannon(`${server.origin}/api/me`, { duration, headers: { authorization: `Bearer ${server.info.token}` } });

    await me(small, options.warmupSeconds);
    await me(large, options.warmupSeconds);
    const results = await alternate(options.rounds, {
      small: () => me(small, options.seconds),
      large: () => me(large, options.seconds),
    });

    const grants = large.info.grants - small.info.grants;
    const per10k = (bytes: number) => ((bytes / grants) * 10_000) / MB;
    const heap = per10k(large.info.heapUsed - small.info.heapUsed);
    const rss = per10k(large.info.rss - small.info.rss);
    return {
      rows: [
        row('4. GET /api/me', 'provider with 1,000 live grants', 'req/s', results.small),
        row('4. GET /api/me', 'provider with 100,000 live grants', 'req/s', results.large),
      ],
      checks: [ratioCheck('/api/me at 100k grants vs 1k', ratios(results.large, results.small), { atLeast: 0.95 })],
      notes: [
        `Memory per 10,000 live grants (code + access token + refresh token each): heap ${heap.toFixed(1)} MB, ` +
          `RSS ${rss.toFixed(1)} MB (heap after GC: ${(small.info.heapUsed / MB).toFixed(1)} MB at 1k grants, ` +
          `${(large.info.heapUsed / MB).toFixed(1)} MB at 100k).`,
      ],
    };
  } finally {
    await small.stop();
    await large.stop();
  }
}
