/**
 * Scenario 9: does `GET /api/me` on PostgreSQL slow down as the grants table grows? Two providers, each on a
 * database of its own, seeded with 1,000 and 100,000 live grants (BENCH_GRANTS: one through the model, the rest
 * in one bulk INSERT, see ../lib/seed.ts), measured alternately. The lookup goes through the unique index on
 * the access token's digest, whose depth grows with the logarithm of the table: 1,000 rows fit in one index
 * page, 100,000 need a second level.
 */
import { cannon } from '../lib/cannon.ts';
import { startServer } from '../lib/child.ts';
import { POSTGRES_SKIPPED } from '../lib/postgres.ts';
import { ratioCheck, row, skipped, type ScenarioResult } from '../lib/report.ts';
import { alternate, ratios, type Options } from '../lib/rounds.ts';
import { MB } from '../lib/stats.ts';

export async function postgresScalingScenario(options: Options): Promise<ScenarioResult> {
  const postgres = options.postgres;
  if (!postgres) return skipped('9. GET /api/me with 100,000 grants in PostgreSQL', POSTGRES_SKIPPED);
  const seeded = async (grants: number) => {
    const url = await postgres.createDatabase();
    const server = await startServer<{ port: number; token: string }>('provider.ts', {
      env: { BENCH_GRANTS: String(grants), BENCH_STORE_URL: url },
      profileDir: options.profileDir,
    });
    return { server, url };
  };
  const [small, large] = await Promise.all([seeded(1000), seeded(100_000)]);
  try {
    const me = ({ server }: typeof small, duration: number) =>
      cannon(`${server.origin}/api/me`, { duration, headers: { authorization: `Bearer ${server.info.token}` } });

    await me(small, options.warmupSeconds);
    await me(large, options.warmupSeconds);
    const results = await alternate(options.rounds, {
      small: () => me(small, options.seconds),
      large: () => me(large, options.seconds),
    });

    const size = async ({ url }: typeof small) => {
      const { rows } = await postgres.query(url, `SELECT count(*)::int AS grants, pg_total_relation_size('grants')::float8 AS bytes FROM grants`);
      return rows[0] as { grants: number; bytes: number };
    };
    const [smallSize, largeSize] = await Promise.all([size(small), size(large)]);
    const per10k = ((largeSize.bytes - smallSize.bytes) / (largeSize.grants - smallSize.grants)) * 10_000;
    return {
      rows: [
        row('9. GET /api/me', 'PostgreSQL with 1,000 live grants', 'req/s', results.small),
        row('9. GET /api/me', 'PostgreSQL with 100,000 live grants', 'req/s', results.large),
      ],
      checks: [ratioCheck('/api/me on PostgreSQL at 100k grants vs 1k', ratios(results.large, results.small), { atLeast: 0.9 })],
      notes: [
        `PostgreSQL: the grants table with its indexes takes ${(per10k / MB).toFixed(1)} MB per 10,000 live grants ` +
          `(${(smallSize.bytes / MB).toFixed(1)} MB at ${smallSize.grants.toLocaleString('en')} grants, ` +
          `${(largeSize.bytes / MB).toFixed(1)} MB at ${largeSize.grants.toLocaleString('en')}).`,
      ],
    };
  } finally {
    await Promise.all([small.server.stop(), large.server.stop()]);
  }
}
