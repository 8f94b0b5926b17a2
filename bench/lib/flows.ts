/**
 * Runs whole flows (several HTTP requests each) with a fixed number of concurrent loops, and counts the flows
 * completed in a time window, or runs a fixed number of them.
 */
import { percentile, type Measurement } from './stats.ts';

export const CONCURRENCY = 10;

/** One whole flow; `loop` (0 … CONCURRENCY-1) tells the loops apart, e.g. one browser each. */
export type Flow = (loop: number) => Promise<void>;

export async function runFlows(flow: Flow, limit: { seconds: number } | { count: number }): Promise<Measurement> {
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = 'seconds' in limit ? start + limit.seconds * 1000 : Infinity;
  let remaining = 'count' in limit ? limit.count : Infinity;

  async function loop(_: unknown, index: number) {
    while (remaining > 0 && performance.now() < deadline) {
      remaining--;
      const begun = performance.now();
      await flow(index);
      latencies.push(performance.now() - begun);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));

  const seconds = (performance.now() - start) / 1000;
  return { rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
