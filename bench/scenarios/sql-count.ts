/**
 * Scenario 10: what each request costs in SQL. One provider on PostgreSQL counts every statement its `pg`
 * clients send (../lib/sql-counter.ts); requests are sent one at a time, and the count is read after each kind.
 * One `query` is one round trip. The lower bounds are the ones we believe in, with what reaching them would take.
 */
import { startServer, type ServerChild } from '../lib/child.ts';
import { prepareCodes } from '../lib/exchange.ts';
import { expectStatus, HttpClient } from '../lib/http.ts';
import { exchangeCode, pkce, providerFlow, refresh, signIn, authorizationRequest, csrfFrom } from '../lib/oauth-flows.ts';
import { POSTGRES_SKIPPED } from '../lib/postgres.ts';
import { skipped, type ScenarioResult } from '../lib/report.ts';
import type { Options } from '../lib/rounds.ts';
import type { SqlCount } from '../lib/sql-counter.ts';

const REPEAT = 50;

/** The least we believe each request could cost, and what reaching it would take. */
const LOWER_BOUNDS: Record<string, string> = {
  'GET /api/me':
    '1: the token lookup itself. A cache could skip it, but a token revoked in one process must fail at once in ' +
    'every other (RFC 7009 §2.2), so there is none.',
  'POST /oauth/token (code)':
    '3 with the library driving the exchange (client, code, then one UPDATE that redeems the code and stores the ' +
    'tokens together); 1 without it (one UPDATE … FROM clients that also authenticates and checks PKCE).',
  'POST /oauth/token (refresh)': '2: the client, then the compare-and-swap (reuse costs one more); 1 with the client joined into it.',
  'GET /oauth/authorize (consent page)':
    "2: the session and the interaction. The client is configuration, and the user's name could live in the session.",
  'POST /oauth/authorize (Allow)':
    '4: the session, consuming the interaction, the code, the sealed answer (the client is looked up twice: by ' +
    'our validation and again by the library).',
};

async function sql(server: ServerChild<unknown>): Promise<SqlCount> {
  return (await (await fetch(`${server.origin}/__bench/sql`)).json()) as SqlCount;
}

/** `count` sent `repeat` times: per request, averaged. */
function perRequest(name: string, count: SqlCount, repeat: number) {
  const fixed = (n: number) => (Number.isInteger(n / repeat) ? String(n / repeat) : (n / repeat).toFixed(2));
  const statements = Object.entries(count.byStatement)
    .map(([label, n]) => (n === repeat ? `\`${label}\`` : `\`${label}\` ×${fixed(n)}`))
    .join(', ');
  return `| ${name} | ${fixed(count.roundTrips)} | ${fixed(count.statements)} | ${statements} | ${LOWER_BOUNDS[name] ?? '—'} |`;
}

export async function sqlCountScenario(options: Options): Promise<ScenarioResult> {
  if (!options.postgres) return skipped('10. SQL per request', POSTGRES_SKIPPED);
  const url = await options.postgres.createDatabase();
  const server = await startServer<{ port: number; token: string }>('provider.ts', { env: { BENCH_GRANTS: '1', BENCH_STORE_URL: url, BENCH_COUNT_SQL: '1' } });
  const http = new HttpClient(server.origin);
  const lines: string[] = [];
  try {
    // Warm up: every prepared statement is parsed once per connection; the counts do not depend on it.
    const session = await signIn(http);
    for (let i = 0; i < 20; i++) await providerFlow(http, session);
    await sql(server);

    for (let i = 0; i < REPEAT; i++) {
      expectStatus(await http.request('GET', '/api/me', { authorization: `Bearer ${server.info.token}` }), 200, 'GET /api/me');
    }
    lines.push(perRequest('GET /api/me', await sql(server), REPEAT));

    const codes = await prepareCodes(server, REPEAT);
    await sql(server);
    let tokens = { access_token: '', refresh_token: '' };
    for (const { code, code_verifier } of codes) tokens = await exchangeCode(http, code, code_verifier);
    lines.push(perRequest('POST /oauth/token (code)', await sql(server), REPEAT));

    for (let i = 0; i < REPEAT; i++) tokens = await refresh(http, tokens.refresh_token);
    lines.push(perRequest('POST /oauth/token (refresh)', await sql(server), REPEAT));

    // The two steps at the authorization endpoint, counted apart.
    const page = { roundTrips: 0, statements: 0, byStatement: {} } as SqlCount;
    const allow = { ...page, byStatement: {} } as SqlCount;
    for (let i = 0; i < REPEAT; i++) {
      const request = authorizationRequest(pkce().code_challenge);
      const shown = await http.request('GET', `/oauth/authorize?${new URLSearchParams(request)}`, { cookie: session.cookie });
      add(page, await sql(server));
      const form = { ...request, _csrf: csrfFrom(expectStatus(shown, 200, 'consent page').body), decision: 'allow' };
      expectStatus(await http.postForm('/oauth/authorize', form, { cookie: session.cookie }), 303, 'consent');
      add(allow, await sql(server));
    }
    lines.push(perRequest('GET /oauth/authorize (consent page)', page, REPEAT));
    lines.push(perRequest('POST /oauth/authorize (Allow)', allow, REPEAT));
  } finally {
    http.close();
    await server.stop();
  }
  const table = [
    `**SQL per request on PostgreSQL** (scenario 10: ${REPEAT} requests of each kind, one at a time; one \`query\` is one round trip)`,
    '',
    '| Request | Round trips | Statements | Which (per request) | Lower bound |',
    '| --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
  return { rows: [], checks: [], notes: [], sections: [table] };
}

function add(total: SqlCount, count: SqlCount): void {
  total.roundTrips += count.roundTrips;
  total.statements += count.statements;
  for (const [label, n] of Object.entries(count.byStatement)) total.byStatement[label] = (total.byStatement[label] ?? 0) + n;
}
