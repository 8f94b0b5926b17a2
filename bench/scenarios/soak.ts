/**
 * Scenario 5: is memory bounded? 100,000 full flows (10,000 with --quick) against a provider whose tokens live
 * 1 s (access) and 2 s (refresh); authorization codes keep their default lifetime. After the soak we wait
 * until every token and every decided consent page (kept 60 s) has expired, run the purge
 * (`store.purgeExpired()` through the bench endpoint, as the purge timer would), collect garbage and compare the
 * heap with the heap at the start.
 *
 * Used codes are kept until they expire (replay detection, RFC 6749 §4.1.2), so a second purge, dated past the
 * code lifetime, shows what remains once the codes have expired too.
 */
import { startServer, type ServerChild } from '../lib/child.ts';
import { CONCURRENCY, runFlows } from '../lib/flows.ts';
import { HttpClient } from '../lib/http.ts';
import { providerFlow, signInBrowsers } from '../lib/oauth-flows.ts';
import { ratioCheck, row, type ScenarioResult } from '../lib/report.ts';
import type { Options } from '../lib/rounds.ts';
import { MB, sleep, summarise } from '../lib/stats.ts';

const CODE_LIFETIME_SECONDS = 600; // provider default (AUTHORIZATION_CODE_LIFETIME)
const CONSENT_REPEAT_WINDOW_SECONDS = 60; // REPEAT_WINDOW_MS in provider/src/interaction/consent.ts

interface Memory {
  heapUsed: number;
  rss: number;
  codes: number;
  accessTokens: number;
  refreshTokens: number;
  grants: number;
}

async function bench<T>(server: ServerChild<unknown>, path: string): Promise<T> {
  const res = await fetch(`${server.origin}${path}`, { method: path.startsWith('/__bench/purge') ? 'POST' : 'GET' });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

const purgeAndMeasure = async (server: ServerChild<unknown>, at = Date.now()) => {
  await bench(server, `/__bench/purge?at=${at}`);
  return bench<Memory>(server, '/__bench/memory');
};

const describe = (m: Memory) =>
  `heap ${(m.heapUsed / MB).toFixed(1)} MB, RSS ${(m.rss / MB).toFixed(1)} MB ` +
  `(${m.codes} codes, ${m.accessTokens} access tokens, ${m.refreshTokens} refresh tokens, ${m.grants} grants)`;

export async function soakScenario(options: Options): Promise<ScenarioResult> {
  const flows = options.quick ? 10_000 : 100_000;
  const provider = await startServer('provider.ts', {
    env: { ACCESS_TOKEN_LIFETIME: '1', REFRESH_TOKEN_LIFETIME: '2' },
    profileDir: options.profileDir,
  });
  const http = new HttpClient(provider.origin);
  try {
    const sessions = await signInBrowsers(http, CONCURRENCY);
    const flow = (loop: number) => providerFlow(http, sessions[loop]!);
    // Warm up, then empty the store, so that the start is a warmed-up server holding nothing.
    await runFlows(flow, { count: 1000 });
    const start = await purgeAndMeasure(provider, Date.now() + (CODE_LIFETIME_SECONDS + 1) * 1000);

    const soak = await runFlows(flow, { count: flows });
    // Each decided consent page keeps its answer for 60 s, so that a double click gets the same code
    // (interaction/consent.ts); the memory store sweeps them when the next page is shown. Wait that window out,
    // show one more page (one more flow), then let its tokens expire too.
    await sleep(CONSENT_REPEAT_WINDOW_SECONDS * 1000 + 1000);
    await flow(0);
    await sleep(2500); // past the refresh token lifetime (2 s)
    const afterTokens = await purgeAndMeasure(provider);
    const afterCodes = await purgeAndMeasure(provider, Date.now() + (CODE_LIFETIME_SECONDS + 1) * 1000);

    const ratio = afterTokens.heapUsed / start.heapUsed;
    return {
      rows: [row('5. Soak', `provider: ${flows.toLocaleString('en')} flows, 1 s / 2 s tokens`, 'flows/s', [soak])],
      checks: [
        ratioCheck('heap after soak + purge vs start', [ratio], { atMost: 1.2 }),
        {
          name: '(info) heap after purge dated past the code lifetime vs start',
          ratio: summarise([afterCodes.heapUsed / start.heapUsed]),
          target: '—',
        },
      ],
      notes: [
        `Soak, start (warmed up, store empty): ${describe(start)}.`,
        `Soak, after the flows, tokens expired, purge, GC: ${describe(afterTokens)}.`,
        `Soak, after a purge dated ${CODE_LIFETIME_SECONDS + 1} s later (codes expired too): ${describe(afterCodes)}.`,
      ],
    };
  } finally {
    http.close();
    await provider.stop();
  }
}
