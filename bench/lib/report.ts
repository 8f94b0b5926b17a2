/** What each scenario hands back to the orchestrator, and how it is printed and written to docs/benchmarks.md. */
import type { Measurement, Summary } from './stats.ts';
import { summarise } from './stats.ts';

export interface Row {
  scenario: string;
  target: string;
  unit: 'req/s' | 'flows/s';
  rate: Summary;
  p50: number;
  p99: number;
}

export interface Check {
  name: string;
  ratio: Summary;
  /** e.g. `≥ 0.9×` */
  target: string;
  /** Undefined for a ratio shown for information, with no target. */
  pass?: boolean;
}

export interface ScenarioResult {
  rows: Row[];
  checks: Check[];
  /** Extra measurements (memory, counts), one line each. */
  notes: string[];
  /** Tables of their own (markdown), printed after the notes. */
  sections?: string[];
}

/** A scenario that could not run here: one line saying why, and how to enable it. */
export function skipped(name: string, reason: string): ScenarioResult {
  return { rows: [], checks: [], notes: [`${name}: ${reason}`] };
}

export function row(scenario: string, target: string, unit: Row['unit'], rounds: Measurement[]): Row {
  return {
    scenario,
    target,
    unit,
    rate: summarise(rounds.map((m) => m.rate)),
    p50: summarise(rounds.map((m) => m.p50)).median,
    p99: summarise(rounds.map((m) => m.p99)).median,
  };
}

/** The per-round ratio of two alternated measurements, summarised over the rounds. */
export function ratioCheck(name: string, ratios: number[], bound: { atLeast: number } | { atMost: number }): Check {
  const ratio = summarise(ratios);
  return 'atLeast' in bound
    ? { name, ratio, target: `≥ ${bound.atLeast}×`, pass: ratio.median >= bound.atLeast }
    : { name, ratio, target: `≤ ${bound.atMost}×`, pass: ratio.median <= bound.atMost };
}

/** A ratio shown for information, with no target. */
export function infoCheck(name: string, ratios: number[]): Check {
  return { name: `(info) ${name}`, ratio: summarise(ratios), target: '—' };
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);
const range = (s: Summary, digits = 0) => `${fixed(s.median, digits)} (${fixed(s.min, digits)}–${fixed(s.max, digits)})`;

export function markdownTables(results: ScenarioResult[]): string {
  const rows = results.flatMap((r) => r.rows);
  const checks = results.flatMap((r) => r.checks);
  const notes = results.flatMap((r) => r.notes);
  return [
    '| Scenario | Target | Rate: median (min–max) | p50 ms | p99 ms |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.scenario} | ${r.target} | ${range(r.rate)} ${r.unit} | ${fixed(r.p50, 1)} | ${fixed(r.p99, 1)} |`),
    '',
    '| Check | Ratio: median (min–max) | Target | Result |',
    '| --- | --- | --- | --- |',
    ...checks.map((c) => `| ${c.name} | ${range(c.ratio, 2)} | ${c.target} | ${c.pass === undefined ? '—' : c.pass ? 'PASS' : 'FAIL'} |`),
    '',
    ...notes.map((note) => `- ${note}`),
    ...results.flatMap((r) => r.sections ?? []).flatMap((section) => ['', section]),
  ].join('\n');
}
