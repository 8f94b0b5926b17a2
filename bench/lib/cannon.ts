/** autocannon, driven programmatically: one measurement of one target. */
import autocannon from 'autocannon';
import type { Measurement } from './stats.ts';

export const CONNECTIONS = 10;

export type CannonOptions = Omit<autocannon.Options, 'url' | 'connections'>;

/**
 * The rate is counted here, from the first request to the last response. autocannon's own `duration` ends at its
 * next one-second sampling tick: a run of `amount` requests that takes 2.1 s would count as 3 s, and a timed run
 * includes the idle time until that tick.
 */
export function cannon(url: string, options: CannonOptions): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let responses = 0;
    let lastResponse = started;
    const instance = autocannon({ url, connections: CONNECTIONS, ...options }, (err: unknown, result: autocannon.Result) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      const failed = result.non2xx + result.errors;
      if (failed > 0) return reject(new Error(`${url}: ${result.non2xx} non-2xx responses and ${result.errors} errors`));
      resolve({ rate: responses / ((lastResponse - started) / 1000), p50: result.latency.p50, p99: result.latency.p99 });
    });
    instance.on('response', () => {
      responses++;
      lastResponse = performance.now();
    });
  });
}
