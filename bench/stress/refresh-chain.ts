/**
 * One refresh token holder rotating 100,000 times (issue 11, item 2), over HTTP against the provider as the
 * benchmark runs it (bench/servers/provider.ts in a child process), with 100,000 other live grants beside it and
 * the purge timer running every second over all of them (the provider's runs every minute).
 *
 * Target: after the rotations the provider's heap (after GC) is within 4 MB of where it was before them, and no
 * purge holds the event loop for more than 50 ms (`monitorEventLoopDelay` in the provider, 1 ms resolution):
 * neither the timer's purges during the rotations nor a final purge of all 100,000 grants at once. Then what
 * the bounded grant must still do: the first refresh token of the chain, spent 100,000 rotations ago, is
 * recognised as reuse and revokes the grant (RFC 9700 §4.14.2), and the first access token stopped working
 * at the first rotation.
 *
 *   npm run stress -- refresh-chain                memory store
 *   npm run stress -- refresh-chain-postgres       the same on PostgreSQL (bench/lib/postgres.ts finds a server)
 *   STRESS_ROTATIONS=10000 npm run stress -- refresh-chain
 */
import { startServer, type ServerChild } from '../lib/child.ts';
import { prepareCodes } from '../lib/exchange.ts';
import { HttpClient } from '../lib/http.ts';
import { CLIENT_ID, CLIENT_SECRET, exchangeCode, refresh } from '../lib/oauth-flows.ts';
import { findPostgres, POSTGRES_SKIPPED } from '../lib/postgres.ts';
import { MB, mb } from '../lib/stats.ts';

const ROTATIONS = Number(process.env.STRESS_ROTATIONS ?? 100_000);
const OTHER_GRANTS = 100_000;
const WARMUP_ROTATIONS = 2_000;
const TARGET_HEAP_MB = 4;
const TARGET_DELAY_MS = 50;

interface Memory {
  heapUsed: number;
  grants: number;
}
interface LoopDelay {
  max: number;
  p99: number;
  longestGc: number;
}

const bench = async <T>(server: ServerChild<unknown>, path: string, method = 'GET'): Promise<T> => {
  const res = await fetch(`${server.origin}/__bench/${path}`, { method });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

async function chain(storeUrl?: string): Promise<void> {
  const env: Record<string, string> = { BENCH_GRANTS: String(OTHER_GRANTS), BENCH_PURGE_MS: '1000', BENCH_LOOP_DELAY: '1' };
  if (storeUrl) env.BENCH_STORE_URL = storeUrl;
  const server = await startServer('provider.ts', { env });
  const http = new HttpClient(server.origin);
  try {
    const [prepared] = await prepareCodes(server, 1);
    const first = await exchangeCode(http, prepared!.code, prepared!.code_verifier);
    let tokens = first;
    const rotate = async (times: number) => {
      for (let i = 0; i < times; i++) tokens = await refresh(http, tokens.refresh_token);
    };

    await rotate(WARMUP_ROTATIONS);
    const before = await bench<Memory>(server, 'memory');
    await bench<LoopDelay>(server, 'loop');
    const started = performance.now();
    await rotate(ROTATIONS);
    const seconds = (performance.now() - started) / 1000;
    const during = await bench<LoopDelay>(server, 'loop');
    const after = await bench<Memory>(server, 'memory');

    // The chain's first tokens: the refresh token was spent 100,000 rotations ago, the access token ended then.
    const authorization = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
    const presentAgain = (refresh_token: string) => http.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token }, { authorization });
    const oldAccess = await http.request('GET', '/api/me', { authorization: `Bearer ${first.access_token}` });
    const reuse = await presentAgain(first.refresh_token);
    const afterReuse = await presentAgain(tokens.refresh_token);

    // Every grant at once, as a purge long after they all expired would see them: the largest purge there is.
    // (The delay is read and reset first: the full GCs of the memory reading above held the loop too.)
    await bench<LoopDelay>(server, 'loop');
    const purge = await bench<{ dropped: number; ms: number }>(server, `purge?at=${Date.now() + 400 * 24 * 3600_000}`, 'POST');
    const purgeDelay = await bench<LoopDelay>(server, 'loop');

    const growth = after.heapUsed - before.heapUsed;
    console.log(`  ${ROTATIONS.toLocaleString('en')} rotations of one refresh token in ${seconds.toFixed(1)} s (${Math.round(ROTATIONS / seconds)}/s), ${OTHER_GRANTS.toLocaleString('en')} other live grants, purge timer every second`);
    console.log(`    heap after GC: ${mb(before.heapUsed)} before, ${mb(after.heapUsed)} after: ${growth >= 0 ? '+' : ''}${mb(growth)} (${after.grants.toLocaleString('en')} grants held)`);
    console.log(`    event-loop delay during the rotations: max ${during.max.toFixed(1)} ms, p99 ${during.p99.toFixed(1)} ms (longest GC pause ${during.longestGc.toFixed(1)} ms)`);
    console.log(`    one purge of all ${purge.dropped.toLocaleString('en')} grants: ${purge.ms.toFixed(0)} ms in all, event-loop delay max ${purgeDelay.max.toFixed(1)} ms (longest GC pause ${purgeDelay.longestGc.toFixed(1)} ms)`);
    console.log(`    the chain's first access token: ${oldAccess.status}; its first refresh token again: ${reuse.status}; the current one after that: ${afterReuse.status}`);
    console.log(`  target: heap within ${TARGET_HEAP_MB} MB, no event-loop delay above ${TARGET_DELAY_MS} ms, reuse refused and the grant revoked`);

    const missed = [
      Math.abs(growth) > TARGET_HEAP_MB * MB && `the heap moved by ${mb(growth)}`,
      during.max > TARGET_DELAY_MS && `the event loop was held for ${during.max.toFixed(0)} ms during the rotations`,
      purgeDelay.max > TARGET_DELAY_MS && `the purge held the event loop for ${purgeDelay.max.toFixed(0)} ms`,
      reuse.status !== 400 && `a spent refresh token got ${reuse.status}`,
      afterReuse.status !== 400 && `the grant survived reuse (${afterReuse.status})`,
      oldAccess.status !== 401 && `an access token rotated away still works (${oldAccess.status})`,
    ].filter(Boolean);
    if (missed.length > 0) throw new Error(missed.join(', '));
  } finally {
    http.close();
    await server.stop();
  }
}

export const refreshChain = (): Promise<void> => chain();

export async function refreshChainPostgres(): Promise<void> {
  const postgres = await findPostgres();
  if (!postgres) {
    console.log(`  ${POSTGRES_SKIPPED}`);
    return;
  }
  try {
    await chain(await postgres.createDatabase());
  } finally {
    await postgres.close();
  }
}
