/**
 * Anonymous visitors cost the server nothing: `GET /oauth/authorize` and `GET /login` store no session; the
 * sign-in in progress (its CSRF token and the request to resume) lives in a signed cookie. The way back after
 * sign-in is always a local path rebuilt from the validated request (RFC 9700 §4.11: no open redirector).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../src/app.ts';
import { ExpiringMemoryStore } from '../src/http/session.ts';
import { MemoryAttemptCounter, MemoryInteractionStore } from '../src/interaction/memory.ts';
import { MAX_COOKIE_VALUE } from '../src/http/signed-cookie.ts';
import { authorizeQuery, cookieValue, csrfFrom, setCookie, setupWithClients, testConfig } from './helpers.ts';

function appWithStores() {
  const config = testConfig();
  const sessionStore = new ExpiringMemoryStore();
  const interactions = new MemoryInteractionStore();
  const attempts = new MemoryAttemptCounter(config.loginWindowMs);
  const app = createApp(config, { sessionStore, interactions, attempts });
  return { app, sessionStore, interactions, attempts };
}

/** Signs in with the provider.login cookie a response set; returns the sign-in response. */
async function signInWith(app: ReturnType<typeof appWithStores>['app'], loginCookie: string) {
  const page = await request(app).get('/login').set('Cookie', `provider.login=${loginCookie}`);
  return request(app)
    .post('/login')
    .set('Cookie', `provider.login=${loginCookie}`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' });
}

describe('anonymous visitors make the server store nothing', () => {
  it('stores no session, interaction or counter for 200 anonymous GET /oauth/authorize and GET /login', async () => {
    const { app, sessionStore, interactions, attempts } = appWithStores();
    for (let i = 0; i < 100; i++) {
      const res = await request(app).get(`/oauth/authorize?${authorizeQuery({ state: `visitor-${i}` })}`);
      expect(res.status).toBe(303);
      expect(setCookie(res, 'provider.sid')).toBeUndefined();
      expect((await request(app).get('/login')).status).toBe(200);
    }
    expect(sessionStore.size).toBe(0);
    expect(interactions.size()).toEqual({ pending: 0, decided: 0, sessions: 0 });
    expect(attempts.size).toBe(0);
  });

  it('stores the first session at sign-in', async () => {
    const { app, sessionStore } = appWithStores();
    const start = await request(app).get(`/oauth/authorize?${authorizeQuery()}`);
    expect(sessionStore.size).toBe(0);
    const login = await signInWith(app, cookieValue(start, 'provider.login') as string);
    expect(login.status).toBe(303);
    expect(sessionStore.size).toBe(1);
  });

  it('keeps a request with a 12 KB parameter in a cookie browsers accept: unknown parameters are dropped (RFC 6749 §3.1)', async () => {
    const { app } = appWithStores();
    const query = authorizeQuery({ state: 'keep-me' });
    const res = await request(app).get(`/oauth/authorize?${query}&padding=${'x'.repeat(12 * 1024)}`);
    expect(res.status).toBe(303);
    const cookie = cookieValue(res, 'provider.login') as string;
    expect(cookie.length).toBeLessThan(MAX_COOKIE_VALUE);
    const login = await signInWith(app, cookie);
    expect(login.headers.location).toBe(`/oauth/authorize?${query}`);
  });

  it('keeps the longest state allowed (1024 characters, every one needing escapes) in a cookie browsers accept', async () => {
    const { app } = appWithStores();
    const state = '"\\'.repeat(512);
    const res = await request(app).get(`/oauth/authorize?${authorizeQuery({ state })}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    const login = await signInWith(app, cookieValue(res, 'provider.login') as string);
    const back = new URL(login.headers.location as string, 'http://provider');
    expect(back.searchParams.get('state')).toBe(state);
  });

  it('answers a request too large for a cookie with error=invalid_request to the client, and stores nothing (RFC 6749 §4.1.2.1)', async () => {
    // Only a registered redirect URI of several KB can make a valid request that large.
    const redirect_uri = `http://localhost:3000/callback?${'p'.repeat(3000)}`;
    const { app } = setupWithClients((configured) => [{ ...configured, redirect_uris: [redirect_uri] }]);
    const res = await request(app).get(`/oauth/authorize?${authorizeQuery({ redirect_uri, state: 'too-large' })}`);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location as string);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('too-large');
    expect(setCookie(res, 'provider.login')).toBeUndefined();
    expect(setCookie(res, 'provider.sid')).toBeUndefined();
  });

  it("keeps a signed-in user's session through a flood of anonymous requests", async () => {
    const { app } = appWithStores();
    const start = await request(app).get(`/oauth/authorize?${authorizeQuery()}`);
    const login = await signInWith(app, cookieValue(start, 'provider.login') as string);
    const session = `provider.sid=${cookieValue(login, 'provider.sid')}`;
    for (let i = 0; i < 500; i++) await request(app).get(`/oauth/authorize?${authorizeQuery()}`);
    expect((await request(app).get(`/oauth/authorize?${authorizeQuery()}`).set('Cookie', session)).status).toBe(200);
  });
});

describe('after sign-in, the way back is a local path (RFC 9700 §4.11)', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    const running = server;
    server = undefined;
    if (running) await new Promise((resolve) => running.close(resolve));
  });

  /** Sends a raw request line, e.g. an absolute-form target that supertest would not send. */
  async function rawGet(target: string): Promise<http.IncomingMessage> {
    const { app } = appWithStores();
    server = http.createServer(app);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: target, headers: { host: `127.0.0.1:${port}` } }, (res) => {
        res.resume();
        resolve(res);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('turns an absolute-form request target (GET http://evil.example/oauth/authorize…) into a path on this server', async () => {
    const query = authorizeQuery({ state: 'absolute-form' });
    const res = await rawGet(`http://evil.example/oauth/authorize?${query}`);
    expect(res.statusCode).toBe(303);
    const cookie = /provider\.login=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1] as string;
    const { app } = appWithStores();
    // The cookie is signed with the test secret, which every app built from testConfig() shares.
    const login = await signInWith(app, cookie);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe(`/oauth/authorize?${query}`);
  });

  it('sends a sign-in without a waiting request to the home page', async () => {
    const { app } = appWithStores();
    const page = await request(app).get('/login');
    const login = await signInWith(app, cookieValue(page, 'provider.login') as string);
    expect(login.headers.location).toBe('/');
  });
});
