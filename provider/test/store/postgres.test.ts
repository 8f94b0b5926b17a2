/**
 * What only the PostgreSQL store can show: what its tables hold, that every request-path statement goes by an
 * index, and how many statements each request costs. Its behaviour is the contract (contract.test.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Pool, QueryConfig } from 'pg';
import { PostgresStore } from '../../src/store/index.ts';
import { callApi, exchange, issueCode, refresh, setupOn, signIn } from '../helpers.ts';
import { postgresAdminUrl } from '../support/postgres.ts';
import { storeBackends } from '../support/stores.ts';
import { issuedGrant, newTokens, rotate, saveCode, storeOptions } from './fixtures.ts';

const postgres = storeBackends().find((backend) => backend.name === 'postgres');

async function openStore(env: Record<string, string> = {}): Promise<PostgresStore> {
  const store = await postgres!.open(storeOptions(env));
  if (!(store instanceof PostgresStore)) throw new Error('expected the PostgreSQL store');
  return store;
}

/** Records every statement sent through the pool while `run` runs. */
async function statementsOf(pool: Pool, run: () => Promise<unknown>): Promise<QueryConfig[]> {
  const spy = vi.spyOn(pool, 'query');
  try {
    await run();
    return spy.mock.calls.map(([config, values]) => (typeof config === 'string' ? { text: config, values } : config) as QueryConfig);
  } finally {
    spy.mockRestore();
  }
}

describe.skipIf(!postgresAdminUrl)('PostgresStore: what the tables hold', () => {
  it('holds no code, token, client secret or password in clear (only digests and an scrypt hash)', async () => {
    const store = await openStore({ OAUTH_PASSWORD: 'correct-horse-battery' });
    const first = await issuedGrant(store);
    const second = await rotate(store, first.refreshToken);
    const { rows } = await store.pool.query(
      `SELECT (SELECT json_agg(g) FROM grants g) AS grants, (SELECT json_agg(c) FROM clients c) AS clients,
         (SELECT json_agg(u) FROM users u) AS users`,
    );
    const dump = JSON.stringify(rows);
    const secrets = [first.code, first.accessToken, second!.accessToken, 'testsecret', 'correct-horse-battery'];
    for (const refreshToken of [first.refreshToken, second!.refreshToken]) secrets.push(refreshToken.split('.')[1]!);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret).toString('hex'));
    }
    expect(dump).toContain('"username":"demo"');
  });
});

describe.skipIf(!postgresAdminUrl)('PostgresStore: request paths', () => {
  it('sends every request-path statement through an index, never a table scan', async () => {
    const store = await openStore();
    const statements = await statementsOf(store.pool, async () => {
      await store.authenticateClient('testclient', 'testsecret');
      await store.findUser('user1');
      await store.authenticateUser('demo', 'demo');
      const { code, accessToken, refreshToken } = await issuedGrant(store);
      await store.findAuthorizationCode(code);
      const rotated = await rotate(store, refreshToken);
      await store.findAccessToken(accessToken);
      await store.revokeToken((await store.findAccessToken(rotated!.accessToken))!);
      await store.redeemAuthorizationCode(code); // a replay: revokes by code digest
      const other = await issuedGrant(store);
      await rotate(store, other.refreshToken);
      await store.rotateRefreshToken((await store.findRefreshToken(other.refreshToken))!, newTokens()); // reuse
      await saveCode(store);
      await store.purgeExpired();
    });
    const named = new Map(statements.filter((statement) => statement.name).map((statement) => [statement.name, statement]));
    expect([...named.keys()]).toEqual(
      expect.arrayContaining(['client', 'user-by-id', 'user-by-name', 'save-code', 'find-code', 'redeem-code', 'issue-tokens',
        'find-access-token', 'find-refresh-token', 'rotate-refresh-token', 'revoke-access-token', 'revoke-by-code', 'revoke-grant', 'purge-grants']),
    );
    const client = await store.pool.connect();
    try {
      // With sequential scans priced out, the planner picks an index whenever one can serve the statement.
      await client.query('SET enable_seqscan = off');
      for (const { name, text, values } of named.values()) {
        const { rows } = await client.query({ text: `EXPLAIN (FORMAT JSON) ${text}`, values });
        expect(JSON.stringify(rows), String(name)).not.toContain('"Seq Scan"');
      }
    } finally {
      client.release();
    }
  });

  it('answers GET /api/me with 1 statement, a code exchange with 4 and a refresh with 3, in no explicit transaction', async () => {
    const { agent, store } = await setupOn(postgres!);
    const { pool } = store as PostgresStore;
    await signIn(agent);
    const { code, code_verifier } = await issueCode(agent);
    let tokens: { access_token: string; refresh_token: string } | undefined;
    const exchangeStatements = await statementsOf(pool, async () => {
      tokens = (await exchange(agent, code, code_verifier)).body;
    });
    const meStatements = await statementsOf(pool, async () => expect((await callApi(agent, tokens!.access_token)).status).toBe(200));
    const refreshStatements = await statementsOf(pool, async () => expect((await refresh(agent, tokens!.refresh_token)).status).toBe(200));
    expect(meStatements.map((statement) => statement.name)).toEqual(['find-access-token']);
    expect(exchangeStatements.map((statement) => statement.name)).toEqual(['client', 'find-code', 'redeem-code', 'issue-tokens']);
    expect(refreshStatements.map((statement) => statement.name)).toEqual(['client', 'find-refresh-token', 'rotate-refresh-token']);
  });
});
