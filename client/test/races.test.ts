// Concurrent requests from one browser: each loads and saves its own copy of the session, so what must happen
// once (accepting a state, spending a refresh token) is decided outside the session.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { RefreshFlights } from '../src/oauth/refresh-flights.ts';
import { UsedStates } from '../src/oauth/used-states.ts';
import type { TokenResponse } from '../src/oauth/oauth-client.ts';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { agentWithNetworkSwitch, clientAgent, csrfTokenFrom, logIn, startLogin, testConfig, type Agent } from './helpers.ts';

let fake: FakeAuthorizationServer;
let agent: Agent;
beforeEach(async () => {
  fake = await startFakeAuthorizationServer();
  agent = clientAgent(fake);
});
afterEach(() => fake.close());

const refreshRequests = () => fake.tokenRequests.filter((request) => request.body.grant_type === 'refresh_token');

describe('GET /callback: each state accepted once (RFC 6749 §10.12)', () => {
  it('answers 20 concurrent copies of one callback with one token request; the others get a clear error', async () => {
    fake.tokenDelayMs = 50; // the first exchange is still on the wire when the others arrive
    const state = (await startLogin(agent)).get('state');
    const copies = Array.from({ length: 20 }, () => agent.get('/callback').query({ code: 'c', state, iss: fake.issuer }).then((res) => res));
    const answers = await Promise.all(copies);

    expect(fake.tokenRequests).toHaveLength(1);
    expect(answers.filter((res) => res.status === 303)).toHaveLength(1);
    const refused = answers.filter((res) => res.status === 400);
    expect(refused).toHaveLength(19);
    for (const res of refused) expect(res.text).toContain('This login response was already used');
    expect((await agent.get('/')).text).toContain('You are logged in');
  });

  it('refuses the same callback sent again later, even with the cookie as it was before the first', async () => {
    const app = createApp(testConfig(fake.issuer));
    const login = await request(app).post('/login').expect(303);
    const state = new URL(login.headers.location ?? '').searchParams.get('state');
    const pendingCookie = /client\.login=[^;]+/.exec(String(login.headers['set-cookie']))?.[0] ?? '';
    const callback = () => request(app).get('/callback').set('Cookie', pendingCookie).query({ code: 'c', state, iss: fake.issuer });
    await callback().expect(303);
    // A replay that kept the old cookie still carries the pending login; the server remembers it was used.
    const replay = await callback().expect(400);
    expect(replay.text).toContain('This login response was already used');
    // Nothing that could replace the cookie of the session the first one signed in.
    expect(String(replay.headers['set-cookie'])).not.toContain('client.sid');
    expect(fake.tokenRequests).toHaveLength(1);
  });
});

describe('refreshing: one refresh per session at a time (RFC 6749 §6, RFC 9700 §4.14.2)', () => {
  beforeEach(async () => {
    fake.rotateRefreshTokens = true; // a spent refresh token presented again revokes the grant, as at the provider
    await logIn(agent, fake);
  });

  it('two tabs pressing Refresh at once: one refresh goes on the wire and both stay signed in', async () => {
    fake.tokenDelayMs = 50;
    const _csrf = await csrfTokenFrom(agent);
    const tabs = await Promise.all([1, 2].map(() => agent.post('/refresh').type('form').send({ _csrf }).then((res) => res)));
    expect(tabs.map((res) => res.status)).toEqual([303, 303]);
    expect(refreshRequests()).toHaveLength(1);

    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('You are logged in');
    // The new tokens work: the resource is reached with the access token of the one refresh.
    await agent.post('/resource').type('form').send({ _csrf }).expect(303);
    expect(fake.resourceRequests.at(-1)).toBe('Bearer access-2');
  });

  it('a Reload whose access token was refused and a Refresh at the same time share one refresh (RFC 6750 §3.1)', async () => {
    fake.tokenDelayMs = 50;
    fake.validAccessTokens.delete('access-1');
    const _csrf = await csrfTokenFrom(agent);
    await Promise.all(['/resource', '/refresh'].map((path) => agent.post(path).type('form').send({ _csrf }).then((res) => res)));
    expect(refreshRequests()).toHaveLength(1);
    expect((await agent.get('/')).text).toContain('You are logged in');
  });

  it('refreshes again on the next press: only simultaneous refreshes are shared', async () => {
    const press = async () => agent.post('/refresh').type('form').send({ _csrf: await csrfTokenFrom(agent) }).expect(303);
    await press();
    await press();
    expect(refreshRequests().map((request) => request.body.refresh_token)).toEqual(['refresh-1', 'refresh-2']);
    expect((await agent.get('/')).text).toContain('You are logged in');
  });

  it('sends the refresh again after one that failed on the network', async () => {
    const { agent: switchable, network } = agentWithNetworkSwitch(fake);
    await logIn(switchable, fake);
    const _csrf = await csrfTokenFrom(switchable);
    network.online = false;
    await switchable.post('/refresh').type('form').send({ _csrf }).expect(503);
    network.online = true;
    await switchable.post('/refresh').type('form').send({ _csrf }).expect(303);
    expect((await switchable.get('/')).text).toContain('The tokens were refreshed.');
  });
});

describe('UsedStates', () => {
  it('says true for the first use of a state only', () => {
    const states = new UsedStates({ ttlMs: 1000 });
    expect([states.use('a'), states.use('a'), states.use('b')]).toEqual([true, false, true]);
  });

  it('forgets a state once its pending login can no longer be presented', () => {
    let now = 0;
    const states = new UsedStates({ ttlMs: 1000, now: () => now });
    states.use('a');
    now = 1000;
    states.use('b');
    expect(states.size).toBe(1);
  });

  it('stays within its limit, forgetting the oldest state first', () => {
    const states = new UsedStates({ ttlMs: 60_000, max: 3 });
    for (const state of ['a', 'b', 'c', 'd']) states.use(state);
    expect(states.size).toBe(3);
    expect(states.use('d')).toBe(false);
    expect(states.use('a')).toBe(true);
  });
});

describe('RefreshFlights', () => {
  const answer: TokenResponse = { access_token: 'new', token_type: 'Bearer' };

  it('gives a request that still holds the spent refresh token the answer of the refresh already made', async () => {
    const flights = new RefreshFlights();
    let calls = 0;
    const refresh = async () => {
      calls += 1;
      return answer;
    };
    await flights.run('session-1', 'refresh-1', refresh);
    await expect(flights.run('session-1', 'refresh-1', refresh)).resolves.toBe(answer);
    expect(calls).toBe(1);
    await flights.run('session-2', 'refresh-1', refresh); // another session is another story
    expect(calls).toBe(2);
  });
});
