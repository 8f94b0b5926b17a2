/**
 * `npm run stress`: attacks that must leave memory bounded and the servers up, each a scenario that prints its
 * own figures (they are measured, never timed tests).
 *
 *   npm run stress                          every scenario, one after the other
 *   npm run stress -- client-sessions       only the named ones (several may be given)
 *   STRESS_REQUESTS=20000 npm run stress    a shorter run
 *   npm run stress -- --list                the names
 *
 * A scenario is an async function in a file of this folder, registered below under its name; it throws when
 * its target is missed, so the command exits non-zero.
 */
import { parseArgs } from 'node:util';
import { clientSessions } from './client-sessions.ts';
import { providerFlood } from './provider-flood.ts';
import { refreshChain, refreshChainPostgres } from './refresh-chain.ts';

const scenarios: Record<string, () => Promise<void>> = {
  'client-sessions': clientSessions,
  'provider-flood': providerFlood,
  'refresh-chain': refreshChain,
  'refresh-chain-postgres': refreshChainPostgres,
};

const { positionals, values } = parseArgs({ allowPositionals: true, options: { list: { type: 'boolean', default: false } } });
if (values.list) {
  console.log(Object.keys(scenarios).join('\n'));
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
    await scenarios[name]?.();
  } catch (err) {
    failed = true;
    console.error(`${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
  }
}
process.exit(failed ? 1 : 0);
