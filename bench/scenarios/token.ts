/**
 * Scenario 2: the token endpoint alone. Authorization codes are issued beforehand inside the provider process,
 * through the library path the consent POST uses; every autocannon request then exchanges a different code
 * (../lib/exchange.ts).
 */
import { startServer } from '../lib/child.ts';
import { exchangeCodes, warmUpExchanges } from '../lib/exchange.ts';
import { row, type ScenarioResult } from '../lib/report.ts';
import type { Options } from '../lib/rounds.ts';
import type { Measurement } from '../lib/stats.ts';

export async function tokenScenario(options: Options): Promise<ScenarioResult> {
  const provider = await startServer('provider.ts', { profileDir: options.profileDir });
  try {
    // The warm-up also tells how many codes one measurement of `seconds` needs.
    const amount = await warmUpExchanges(provider, options.quick ? 500 : 2000, options.seconds);
    const rounds: Measurement[] = [];
    for (let round = 0; round < options.rounds; round++) rounds.push(await exchangeCodes(provider, amount));
    return {
      rows: [row('2. POST /oauth/token', `code exchange (${amount} distinct codes per round)`, 'req/s', rounds)],
      checks: [],
      notes: [],
    };
  } finally {
    await provider.stop();
  }
}
