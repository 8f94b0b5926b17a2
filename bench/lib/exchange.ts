/**
 * Code exchanges under autocannon: the codes are issued beforehand inside the provider process (through the
 * library path the consent POST uses), and every request exchanges a different one (`setupRequest` takes the
 * next code and PKCE verifier from the list).
 */
import { cannon, CONNECTIONS } from './cannon.ts';
import type { ServerChild } from './child.ts';
import { basic } from './http.ts';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } from './oauth-flows.ts';
import type { Measurement } from './stats.ts';

export interface PreparedCode {
  code: string;
  code_verifier: string;
}

export async function prepareCodes(provider: ServerChild<unknown>, n: number): Promise<PreparedCode[]> {
  const res = await fetch(`${provider.origin}/__bench/codes?n=${n}`, { method: 'POST' });
  if (!res.ok) throw new Error(`preparing codes: ${res.status} ${await res.text()}`);
  return (await res.json()) as PreparedCode[];
}

/** Exchanges `amount` codes; autocannon may set up a few more requests than it sends, hence the spare codes. */
export async function exchangeCodes(provider: ServerChild<unknown>, amount: number): Promise<Measurement> {
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

/** How many exchanges make a measurement of about `seconds`, from a warm-up of `warmupAmount` exchanges. */
export async function warmUpExchanges(provider: ServerChild<unknown>, warmupAmount: number, seconds: number): Promise<number> {
  const warmup = await exchangeCodes(provider, warmupAmount);
  return Math.max(200, Math.round(warmup.rate * seconds));
}
