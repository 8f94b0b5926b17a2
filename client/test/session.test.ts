// What the server keeps for whom: nothing for a visitor who has not signed in (beyond a few short-lived
// stories of refused callbacks), and a signed-in session until its cookie expires, never evicted by others.
import type { SessionData } from 'express-session';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { SESSION_LIFETIME_MS } from '../src/http/session.ts';
import { ExpiringMemoryStore } from '../src/http/session-store.ts';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { clientAgent, logIn, startLogin, testConfig } from './helpers.ts';

let fake: FakeAuthorizationServer;
beforeEach(async () => {
  fake = await startFakeAuthorizationServer();
});
afterEach(() => fake.close());

describe('anonymous visitors', () => {
  it('store nothing on the server: the home page, GET /login and starting logins create no session', async () => {
    const store = new ExpiringMemoryStore();
    const agent = clientAgent(fake, {}, { sessionStore: store });
    for (let i = 0; i < 20; i++) {
      await agent.get('/').expect(200);
      await agent.get('/login').expect(303);
      await startLogin(agent);
    }
    expect(store.size).toEqual({ signedIn: 0, others: 0 });
    expect(agent.jar.getCookie('client.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })).toBeUndefined();
  });

  it('keep the story of a refused callback in a capped number of sessions, and never evict a signed-in one', async () => {
    const store = new ExpiringMemoryStore({ maxOthers: 3 });
    const app = createApp(testConfig(fake.issuer), { sessionStore: store });
    const user = request.agent(app);
    await logIn(user, fake);
    // A flood of forged callbacks, each without cookies: each would start a story of its own.
    for (let i = 0; i < 10; i++) {
      await request(app).get('/callback').query({ code: 'c', state: `forged-${i}`, iss: fake.issuer }).expect(400);
    }
    expect(store.size).toEqual({ signedIn: 1, others: 3 });
    expect((await user.get('/')).text).toContain('You are logged in');
  });
});

describe('ExpiringMemoryStore', () => {
  const session = (expiresAt: number, signedIn: boolean) =>
    ({ cookie: { expires: new Date(expiresAt) }, ...(signedIn ? { tokens: { access_token: 'at', scope: 'profile' } } : {}) }) as unknown as SessionData;
  const read = (store: ExpiringMemoryStore, sid: string) =>
    new Promise<SessionData | null | undefined>((resolve) => store.get(sid, (_err, data) => resolve(data)));

  it('forgets a session when its cookie expires, and frees its memory on a later save', async () => {
    let now = 0;
    const store = new ExpiringMemoryStore({ now: () => now });
    store.set('a', session(SESSION_LIFETIME_MS, true));
    now = SESSION_LIFETIME_MS - 1;
    expect(await read(store, 'a')).toMatchObject({ tokens: { access_token: 'at' } });
    now = SESSION_LIFETIME_MS;
    expect(await read(store, 'a')).toBeNull();
    store.set('b', session(now + SESSION_LIFETIME_MS, true));
    expect(store.size).toEqual({ signedIn: 1, others: 0 });
  });

  it('keeps a session without tokens for 30 minutes at most, whatever its cookie says', async () => {
    let now = 0;
    const store = new ExpiringMemoryStore({ now: () => now });
    store.set('story', session(SESSION_LIFETIME_MS, false));
    now = 30 * 60_000;
    expect(await read(store, 'story')).toBeNull();
  });

  it('gives each request its own copy of a session, as a database would', async () => {
    const store = new ExpiringMemoryStore();
    store.set('a', session(Date.now() + 60_000, true));
    const first = await read(store, 'a');
    const second = await read(store, 'a');
    expect(first).toEqual(second);
    expect(first).not.toBe(second);
  });

  it('sets the session cookie to expire after 8 hours', async () => {
    const agent = clientAgent(fake);
    const state = (await startLogin(agent)).get('state');
    const res = await agent.get('/callback').query({ code: 'c', state, iss: fake.issuer }).expect(303);
    const expires = /client\.sid=[^;]+;.*Expires=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1] ?? '';
    expect(Date.parse(expires) - Date.now()).toBeGreaterThan(SESSION_LIFETIME_MS - 60_000);
    expect(Date.parse(expires) - Date.now()).toBeLessThanOrEqual(SESSION_LIFETIME_MS);
  });
});
