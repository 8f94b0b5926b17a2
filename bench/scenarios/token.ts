/**
 * Scenario 2: the token endpoint alone. Authorization codes are issued beforehand inside the provider process,
 * through the library path the consent POST uses; every autocannon request then exchanges a different code
 * (`setupRequest` pulls the next code and PKCE verifier from the list).
 */
import { cannon, CONNECTIONS } from '../lib/cannon.ts';
import { startServer, type ServerChild } from '../lib/child.ts';
import { basic } from '../lib/http.ts';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } from '../lib/oauth-flows.ts';
import { row, type ScenarioResult } from '../lib/report.ts';
import type { Options } from '../lib/rounds.ts';
import type { Measurement } from '../lib/stats.ts';

interface PreparedCode {
  code: string;
  code_verifier: string;
}

async function prepareCodes(provider: ServerChild<unknown>, n: number): Promise<PreparedCode[]> {
  const res = await fetch(`${provider.origin}/__bench/codes?n=${n}`, { method: 'POST' });
  if (!res.ok) throw new Error(`preparing codes: ${res.status} ${await res.text()}`);
  return (await res.json()) as PreparedCode[];
}

/** Exchanges `amount` codes; autocannon may set up a few more requests than it sends, hence the spare codes. */
async function exchange(provider: ServerChild<unknown>, amount: number): Promise<Measurement> {
  const codes = await prepareCodes(provider, amount + 2 * CONNECTIONS);
  let next = 0;
  return cannon(`${provider.origin}/oauth/token`, {
    amount,
    requests: [
      {
        method: 'POST',
        path: '/oauth/token',
        headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
        setupRequest: (request) => {
          const prepared = codes[next++];
          if (!prepared) throw new Error('ran out of prepared codes');
          const form = { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, ...prepared };
          return { ...request, body: new URLSearchParams(form).toString() };
        },
      },
    ],
  });
}

export async function tokenScenario(options: Options): Promise<ScenarioResult> {
  const provider = await startServer('provider.ts', { profileDir: options.profileDir });
  try {
    // The warm-up also tells how many codes one measurement of `seconds` needs.
    const warmup = await exchange(provider, options.quick ? 500 : 2000);
    const amount = Math.max(200, Math.round(warmup.rate * options.seconds));
    const rounds: Measurement[] = [];
    for (let round = 0; round < options.rounds; round++) rounds.push(await exchange(provider, amount));
    return {
      rows: [row('2. POST /oauth/token', `code exchange (${amount} distinct codes per round)`, 'req/s', rounds)],
      checks: [],
      notes: [],
    };
  } finally {
    await provider.stop();
  }
}
