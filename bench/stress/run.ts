/**
 * `npm run stress`: attacks that must leave memory bounded and the servers up, each a scenario that prints its
 * own figures (they are measured, never timed tests). The figures of the last run are in docs/benchmarks.md
 * ("Stress").
 *
 *   npm run stress                          every scenario, one after the other (about 15 minutes)
 *   npm run stress -- client-sessions       only the named ones (several may be given)
 *   npm run stress -- --list                the names, with what each one does
 *   STRESS_REQUESTS=20000 npm run stress    shorter floods (STRESS_ROTATIONS for the refresh chains)
 *
 * A scenario is an async function in a file of this folder, registered below under its name; it throws when
 * its target is missed, so the command exits non-zero.
 */
import { parseArgs } from 'node:util';
import { clientSessions } from './client-sessions.ts';
import { providerFlood, providerFloodPostgres } from './provider-flood.ts';
import { refreshChain, refreshChainPostgres } from './refresh-chain.ts';

const scenarios: Record<string, { run: () => Promise<void>; about: string }> = {
  'provider-flood': {
    run: providerFlood,
    about: '200,000 anonymous GET /oauth/authorize and /login with a 12 KB parameter: provider RSS +64 MB at most, a user signing in meanwhile',
  },
  'provider-flood-postgres': {
    run: providerFloodPostgres,
    about: 'the same with DATABASE_URL: no row beyond those of the user signing in (skipped without PostgreSQL)',
  },
  'client-sessions': {
    run: clientSessions,
    about: '200,000 anonymous requests to the client (login, callbacks genuine, replayed, forged): RSS +64 MB at most, no 5xx',
  },
  'refresh-chain': {
    run: refreshChain,
    about: '100,000 rotations of one refresh token beside 100,000 grants, memory store: heap within 4 MB, no purge holding the event loop 50 ms',
  },
  'refresh-chain-postgres': {
    run: refreshChainPostgres,
    about: 'the same on PostgreSQL (BENCH_DATABASE_URL, TEST_DATABASE_URL or a throwaway cluster; skipped without one)',
  },
};

const { positionals, values } = parseArgs({ allowPositionals: true, options: { list: { type: 'boolean', default: false } } });
if (values.list) {
  for (const [name, { about }] of Object.entries(scenarios)) console.log(`${name.padEnd(24)}${about}`);
  process.exit(0);
}

const selected = positionals.length > 0 ? positionals : Object.keys(scenarios);
const unknown = selected.filter((name) => !Object.hasOwn(scenarios, name));
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}

let failed = false;
for (const name of selected) {
  console.log(`\n== ${name}`);
  try {
    await scenarios[name]?.run();
  } catch (err) {
    failed = true;
    console.error(`${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
  }
}
process.exit(failed ? 1 : 0);
