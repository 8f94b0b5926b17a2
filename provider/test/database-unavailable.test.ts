/**
 * The database lost while the provider runs: every endpoint that needs it answers 503 with Retry-After (an error
 * page for people, an OAuth error object for programs), nothing crashes, and service resumes by itself once the
 * database is back. The database is taken away by a TCP proxy of the test's own (support/tcp-proxy.ts).
 */
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from 'pg';
import { createApp } from '../src/app.ts';
import { PostgresAttemptCounter, PostgresInteractionStore } from '../src/interaction/postgres.ts';
import { createPool, InMemoryStore, PostgresSessionStore, PostgresStore, type Store } from '../src/store/index.ts';
import { openDatabase } from '../src/database.ts';
import {
  authorizeQuery,
  basic,
  callApi,
  CLIENT_ID,
  CLIENT_SECRET,
  csrfFrom,
  obtainTokens,
  refresh,
  signIn,
  testConfig,
} from './helpers.ts';
import { postgresAdminUrl, usePostgresDatabase } from './support/postgres.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const config = testConfig();

/** The provider with every store on `pool`, as server.ts builds it with DATABASE_URL. */
function appOn(pool: Pool, store: Store = new PostgresStore(pool)) {
  return createApp(config, {
    store,
    sessionStore: new PostgresSessionStore(pool),
    attempts: new PostgresAttemptCounter(pool, config.loginWindowMs),
    interactions: new PostgresInteractionStore(pool),
  });
}

/** A login session cookie as express-session signs it (cookie-signature: HMAC-SHA256, base64 without padding). */
function signedSessionCookie(sid: string): string {
  const signature = createHmac('sha256', config.sessionSecret).update(sid).digest('base64').replace(/=+$/, '');
  return `provider.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`;
}

function expectUnavailableJson(res: request.Response) {
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringMatching(/database/) });
}

function expectUnavailablePage(res: request.Response) {
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers.location).toBeUndefined();
  expect(res.text).toContain('Temporarily unavailable');
  expect(res.text).toContain('temporarily_unavailable');
}

describe('the database cannot be reached', () => {
  // A pool aimed at a proxy that refuses every connection: each statement fails as with a stopped server.
  let proxy: TcpProxy;
  let pool: Pool;
  let agent: ReturnType<typeof request.agent>;
  beforeAll(async () => {
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: 9 });
    await proxy.cut();
    pool = createPool(`postgres://provider:password@127.0.0.1:${proxy.port}/provider`);
    agent = request.agent(appOn(pool));
  });
  afterAll(() => pool.end());

  it('shows a 503 error page with Retry-After at the authorization endpoint, never a redirect: the client and its redirect URI cannot be verified (RFC 6749 §4.1.2.1)', async () => {
    expectUnavailablePage(await agent.get(`/oauth/authorize?${authorizeQuery()}`));
  });

  it('answers the token endpoint with 503 temporarily_unavailable and Retry-After, as an OAuth error object', async () => {
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'authorization_code', code: 'some-code', code_verifier: 'v'.repeat(43) });
    expectUnavailableJson(res);
  });

  it('answers a refresh with 503: the refresh token is neither spent nor revoked (RFC 6749 §6)', async () => {
    expectUnavailableJson(await refresh(agent, 'some-grant.some-secret'));
  });

  it('answers revocation with 503: the client must assume the token still exists (RFC 7009 §2.2.1)', async () => {
    const res = await agent.post('/oauth/revoke').set('Authorization', basic(CLIENT_ID, CLIENT_SECRET)).type('form').send({ token: 'x' });
    expectUnavailableJson(res);
  });

  it('answers introspection with 503 (RFC 7662 §2.1)', async () => {
    const res = await agent.post('/oauth/introspect').set('Authorization', basic(CLIENT_ID, CLIENT_SECRET)).type('form').send({ token: 'x' });
    expectUnavailableJson(res);
  });

  it('answers GET /api/me with 503 JSON and no WWW-Authenticate challenge: nothing is wrong with the token (RFC 6750 §3)', async () => {
    const res = await callApi(agent, 'some-access-token');
    expectUnavailableJson(res);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('turns a login session that cannot be loaded (express-session store error) into the 503 page', async () => {
    expectUnavailablePage(await request(appOn(pool)).get('/login').set('Cookie', signedSessionCookie('a-session-id')));
  });

  it('answers a sign-in with the 503 page: the failed-login counters are in the database too', async () => {
    const page = await agent.get('/login');
    expect(page.status).toBe(200); // the form itself needs no database
    expectUnavailablePage(await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' }));
  });

  it('still serves what needs no database: the metadata document (RFC 8414 §3)', async () => {
    expect((await agent.get('/.well-known/oauth-authorization-server')).status).toBe(200);
  });
});

describe('a failure of the storage that is not about the database being away', () => {
  it('is a 500 server_error at the token endpoint that says nothing of its cause', async () => {
    const store = new InMemoryStore(config);
    store.authenticateClient = async () => {
      throw new Error('relation "clients" does not exist (a detail for the log, not for the client)');
    };
    const res = await request(createApp(config, { store }))
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: 'x' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'server_error', error_description: 'The server hit an unexpected problem.' });
    expect(res.headers['retry-after']).toBeUndefined();
  });
});

describe.runIf(postgresAdminUrl)('the database lost while running, then back (PostgreSQL)', () => {
  const database = postgresAdminUrl ? usePostgresDatabase() : undefined;
  let proxy: TcpProxy;
  let pool: Pool;
  beforeAll(async () => {
    const target = new URL(database!.url);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    const url = proxy.databaseUrl(database!.url);
    ({ pool } = await openDatabase({ url, description: 'the test database' }));
  });
  afterEach(() => proxy.restore());
  afterAll(async () => {
    await pool.end();
    await proxy.close();
  });

  it('answers 503 while it is away, and serves the same tokens and login session again once it is back, without a restart', async () => {
    const store = new PostgresStore(pool);
    await store.upsertConfigured(config);
    const agent = request.agent(appOn(pool, store));
    await signIn(agent);
    const tokens = await obtainTokens(agent);
    expect((await callApi(agent, tokens.access_token)).status).toBe(200);

    await proxy.cut(); // open connections reset, new ones refused
    expectUnavailableJson(await callApi(agent, tokens.access_token));
    expectUnavailableJson(await refresh(agent, tokens.refresh_token));
    expectUnavailablePage(await agent.get(`/oauth/authorize?${authorizeQuery()}`));

    await proxy.restore();
    // Nothing broken was kept: the pool opens new connections, and neither the token nor the session was lost.
    const me = await callApi(agent, tokens.access_token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ sub: 'user1' });
    const consentPage = await agent.get(`/oauth/authorize?${authorizeQuery()}`);
    expect(consentPage.status).toBe(200);
    expect(consentPage.text).toContain('Allow');
    // The refresh refused during the outage did not spend the token (RFC 9700 §4.14.2 would revoke the grant).
    expect((await refresh(agent, tokens.refresh_token)).status).toBe(200);
  });
});
