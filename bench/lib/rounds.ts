/**
 * Alternates measurements within one run: every round measures every target once, in an order that flips
 * from round to round, so that a slow moment of the machine hits both sides of a comparison alike.
 */
import type { BenchPostgres } from './postgres.ts';
import type { Measurement } from './stats.ts';

export interface Options {
  rounds: number;
  /** Length of one measurement. */
  seconds: number;
  /** Length of the warm-up of each target. */
  warmupSeconds: number;
  quick: boolean;
  /** Set with --profile: server children write CPU profiles here. */
  profileDir?: string;
  /** The server for the PostgreSQL scenarios; null when there is none (they are skipped). */
  postgres: BenchPostgres | null;
}

export async function alternate<Name extends string>(
  rounds: number,
  targets: Record<Name, () => Promise<Measurement>>,
): Promise<Record<Name, Measurement[]>> {
  const names = Object.keys(targets) as Name[];
  const results = Object.fromEntries(names.map((name) => [name, [] as Measurement[]])) as Record<Name, Measurement[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) results[name].push(await targets[name]());
  }
  return results;
}

export function ratios(a: Measurement[], b: Measurement[]): number[] {
  return a.map((m, i) => m.rate / b[i]!.rate);
}
