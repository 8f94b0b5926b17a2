/** autocannon, driven programmatically: one measurement of one target. */
import autocannon from 'autocannon';
import type { Measurement } from './stats.ts';

export const CONNECTIONS = 10;

export type CannonOptions = Omit<autocannon.Options, 'url' | 'connections'>;

export async function cannon(url: string, options: CannonOptions): Promise<Measurement> {
  const result = await autocannon({ url, connections: CONNECTIONS, ...options });
  const failed = result.non2xx + result.errors;
  if (failed > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses and ${result.errors} errors`);
  return {
    rate: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}
