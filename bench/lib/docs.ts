/**
 * Writes docs/benchmarks.md: the machine, the table, and what each scenario measures. What follows the HAND_KEPT
 * line (the analysis of the profiles, the stress figures) is kept as it is.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT } from './child.ts';

const SCENARIOS = `
## What each scenario measures

**1. \`GET /api/me\` vs a bare Express route.** The protected resource with a valid bearer token (helmet
headers, CORS, the library's \`authenticate\`, a SHA-256 lookup in the store) against a bare Express 5 route that
returns the same JSON (\`{ sub: 'user1', username: 'demo' }\`) and nothing else. Both run as child processes
started the same way; autocannon (10 connections) alternates between them, round after round. The ratio is the
price of everything the provider does around the JSON.

**2. The token endpoint.** Authorization-code exchanges only (\`POST /oauth/token\` with client_secret_basic,
\`code_verifier\` and \`redirect_uri\`). The codes are issued beforehand inside the provider process through the
library path the consent POST uses (\`oauth.authorize\`), and every autocannon request exchanges a different one:
\`setupRequest\` takes the next code and verifier from the prepared list. There is no baseline; the number is
the exchange capacity of one process.

**3. Full flows.** Ten concurrent loops, each a browser with its own login session, running whole flows over
keep-alive connections: consent page (\`GET /oauth/authorize\`, whose form carries a one-time token) → consent
POST (Allow) → 303 with the code → token exchange (PKCE) → \`GET /api/me\`. Each consent page view allows one
decision (issue 11), so a flow is four requests; before that change it was three (no page view), which the
figures of earlier runs reflect. The baseline runs the same shape of flow against
[\`bench/baselines/upstream-example.ts\`](../bench/baselines/upstream-example.ts), a reconstruction of
node-oauth's upstream \`authorization-code\` example provider: express-oauth-server's middlewares, credentials in
the authorize POST, no session, no CSRF, no PKCE, a plain in-memory model. Flows per second are counted over a
fixed window; latency is per flow.

**4. Scaling with live grants.** Two provider processes, seeded before they listen (\`BENCH_GRANTS\`) with 1,000
and 100,000 live grants — each a used code, an access token and a refresh token, saved through the same model
methods the library calls. \`GET /api/me\` is measured alternately on both: every lookup is by key, so the rate
should not depend on the store's size. The difference between their heaps after GC gives the memory cost of
10,000 live grants.

**5. Soak.** 100,000 full flows against a provider whose access tokens live 1 s and refresh tokens 2 s (codes
keep their default 600 s). After the flows, we wait until the tokens have expired, run the store's purge through a
bench-only endpoint, collect garbage and compare the heap with the heap of the warmed-up, empty server at the
start. A used code is kept until it expires so that a replay can be detected (RFC 6749 §4.1.2), so a second
purge, dated past the code lifetime, shows whether anything outlives its expiry.

**6–8. PostgreSQL against memory.** Two providers started the same way, one with everything in memory and one
with its grants, login sessions, sign-in counters and consent interactions in PostgreSQL (\`BENCH_STORE_URL\`,
a database of its own, one pool of 10 connections, as \`DATABASE_URL\` gives \`npm start\`), measured
alternately in the same rounds: \`GET /api/me\` (6), code exchanges (7, each store exchanging as many prepared
codes per round as it manages in the round's length) and full flows (8, as in scenario 3). No cache sits in
front of the database: a token revoked through one process must fail at once on every other (RFC 7009 §2.2), so
every request pays its round trips.

**9. Scaling on PostgreSQL.** \`GET /api/me\` on two databases holding 1,000 and 100,000 live grants, measured
alternately. One grant is made through the model (its access token is the one presented), the others by one
\`INSERT … SELECT … FROM generate_series\` into the store's table with values of the same shape, followed by
\`VACUUM ANALYZE\`. The note gives the table's size per 10,000 grants.

**10. SQL per request.** A provider on PostgreSQL counts what its \`pg\` clients send (every \`query\` is one
round trip) while requests of each kind are sent one at a time; the table names the statements and the lower
bound we believe in.

**11. Workers.** \`provider/src/server.ts\` itself, as \`npm start\` runs it with \`DATABASE_URL\`, with
\`WORKERS=1\` and \`WORKERS=2\` on the same database, measured alternately. On two cores the load generator
needs one of them, so this says what a second process buys on this machine, not on a server.

**Where PostgreSQL comes from.** \`BENCH_DATABASE_URL\` (or \`TEST_DATABASE_URL\`): a server where the benchmark
may create and drop databases. Otherwise, when PostgreSQL's server binaries are installed, a throwaway cluster
in a temporary folder, started by the same code as the tests' (\`provider/test/support/postgres-cluster.ts\`:
fsync and synchronous commit off, so the figures are the CPU and round-trip cost, not the disk's). Otherwise
scenarios 6–11 are skipped with one line saying so.

## Rerunning

\`\`\`sh
npm run bench                 # full run, about 10 minutes; rewrites this file down to the hand-kept sections
npm run bench -- --quick      # smoke run, about 3 minutes; prints the table only
npm run bench -- --only=6,9   # some scenarios; prints the table only
npm run bench -- --profile    # also writes CPU profiles of the servers to bench/profiles/ and prints their top frames
\`\`\`

Each measurement is a median over rounds (min–max in brackets), each round measuring the target and its
baseline back to back. A rate counts the responses from the first request to the last response (autocannon's own
duration runs to its next one-second tick, which made earlier exchange figures multiples of the code count). The
servers under test run in child processes on ephemeral ports, so on two cores one core serves and the other
generates load. Absolute numbers depend on the machine and on what else runs on it;
the ratios are what the targets are about.
`;

/** Everything after this line of docs/benchmarks.md is kept by hand (analysis, stress figures) and kept as is. */
const HAND_KEPT = '<!-- Hand-kept from here on: npm run bench rewrites everything above this line and nothing below it. -->';

function handKept(file: string): string {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = text.indexOf(HAND_KEPT);
  return at === -1 ? `\n${HAND_KEPT}\n` : `\n${text.slice(at).trimEnd()}\n`;
}

export function writeReport(table: string, minutes: number, load: { start: string; end: string }): void {
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const cpus = os.cpus();
  const machine = [
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} cores`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node.js ${process.version}`,
    `- Date: ${new Date().toISOString()} (run took ${minutes.toFixed(1)} min)`,
    `- Load average (1 min): ${load.start} at the start, ${load.end} at the end (other work on the machine slows both sides of a comparison)`,
  ].join('\n');
  const text =
    `# Benchmarks\n\nGenerated by \`npm run bench\` (bench/run.ts), except the sections after the results' ` +
    `description: what the profiles show, and the figures printed by \`npm run stress\`.\n\n${machine}\n\n## Results\n\n${table}\n${SCENARIOS}${handKept(file)}`;
  writeFileSync(file, text);
  console.error('wrote docs/benchmarks.md');
}
