/**
 * `npm run bench`: runs the scenarios, prints one table, and writes it to docs/benchmarks.md. Scenarios 1–5 are
 * the provider in memory; 6–11 put it on PostgreSQL (bench/lib/postgres.ts says where the server comes from).
 *
 *   tsx bench/run.ts              full run (~6–8 minutes, most of it the 100,000-flow soak)
 *   tsx bench/run.ts --quick      smoke run (~2 minutes, 10,000-flow soak); docs/benchmarks.md is left alone
 *   tsx bench/run.ts --profile    server children also write CPU profiles (bench/profiles/); top frames printed
 *   tsx bench/run.ts --only=1,3   a subset of the scenarios (docs/benchmarks.md is left alone)
 *
 * Every server under test runs in its own child process on an ephemeral 127.0.0.1 port; this process is the
 * load generator (autocannon, or the flow loops).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { profiledChildren, ROOT } from './lib/child.ts';
import { summariseProfile } from './lib/profile.ts';
import { markdownTables, type ScenarioResult } from './lib/report.ts';
import type { Options } from './lib/rounds.ts';
import { writeReport } from './lib/docs.ts';
import { resourceScenario } from './scenarios/resource.ts';
import { tokenScenario } from './scenarios/token.ts';
import { flowsScenario } from './scenarios/flows.ts';
import { scalingScenario } from './scenarios/scaling.ts';
import { soakScenario } from './scenarios/soak.ts';
import { postgresFlowsScenario, postgresResourceScenario, postgresTokenScenario } from './scenarios/postgres.ts';
import { postgresScalingScenario } from './scenarios/postgres-scaling.ts';
import { sqlCountScenario } from './scenarios/sql-count.ts';
import { workersScenario } from './scenarios/workers.ts';
import { findPostgres, POSTGRES_SKIPPED } from './lib/postgres.ts';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false }, only: { type: 'string' } },
});

const timing = args.quick ? { quick: true, rounds: 3, seconds: 2, warmupSeconds: 1 } : { quick: false, rounds: 4, seconds: 4, warmupSeconds: 2 };
const options: Options = { ...timing, postgres: null };
if (args.profile) {
  options.profileDir = join(ROOT, 'bench', 'profiles');
  rmSync(options.profileDir, { recursive: true, force: true });
  mkdirSync(options.profileDir, { recursive: true });
}

const scenarios = [
  resourceScenario,
  tokenScenario,
  flowsScenario,
  scalingScenario,
  soakScenario,
  postgresResourceScenario,
  postgresTokenScenario,
  postgresFlowsScenario,
  postgresScalingScenario,
  sqlCountScenario,
  workersScenario,
];
/** Scenarios 6 and up run on PostgreSQL. */
const FIRST_POSTGRES = 6;
const selected = args.only ? args.only.split(',').map(Number) : scenarios.map((_, i) => i + 1);

if (selected.some((number) => number >= FIRST_POSTGRES)) {
  options.postgres = await findPostgres();
  console.error(options.postgres ? `PostgreSQL: ${options.postgres.source}` : `⚠️  ${POSTGRES_SKIPPED}`);
}
// Ctrl-C: the databases and the throwaway cluster go too (children die with their parent's process group).
process.once('SIGINT', () => void (options.postgres?.close() ?? Promise.resolve()).finally(() => process.exit(130)));

const load = () => os.loadavg()[0]!.toFixed(1);
const loadAtStart = load();
const started = performance.now();
const results: ScenarioResult[] = [];
try {
  for (const number of selected) {
    const scenario = scenarios[number - 1];
    if (!scenario) throw new Error(`no scenario ${number}`);
    const begun = performance.now();
    const loadBefore = load();
    console.error(`scenario ${number}: ${scenario.name} (load average ${loadBefore}) …`);
    const result = await scenario(options);
    result.notes.push(`Scenario ${number} ran at a load average (1 min) of ${loadBefore} at its start and ${load()} at its end.`);
    results.push(result);
    console.error(`scenario ${number}: done in ${((performance.now() - begun) / 1000).toFixed(0)} s`);
  }
} finally {
  await options.postgres?.close();
}
const minutes = (performance.now() - started) / 60_000;

const table = markdownTables(results);
console.log(`\n${table}\n\n(${options.quick ? 'quick' : 'full'} run, ${minutes.toFixed(1)} min)`);

if (options.profileDir) {
  const files = readdirSync(options.profileDir);
  for (const { pid, label, readyMs } of profiledChildren) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread (tsx's loader is another).
    const file = files.find((name) => name.includes(`.${pid}.0.`));
    if (!file) continue;
    const summary = summariseProfile(join(options.profileDir, file), readyMs);
    console.log(`\nCPU profile of ${label} (${file}), after start-up:\n  ${summary.join('\n  ')}`);
  }
}

if (!options.quick && !args.only) writeReport(table, minutes, { start: loadAtStart, end: load() });
