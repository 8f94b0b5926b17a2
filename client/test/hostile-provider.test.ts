// An authorization server or resource server that answers with something no real one sends: too much, never
// the end, half a body, JSON nested a hundred thousand levels deep, members of the wrong type. The client must
// end each on a clear page (never a 500), keep nothing past its limits, and never leave a half-signed-in session.
import type { Express } from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { ExpiringMemoryStore } from '../src/http/session-store.ts';
import { hostile, nestedJson, startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { csrfTokenFrom, logIn, startLogin, testConfig, type Agent } from './helpers.ts';

let fake: FakeAuthorizationServer;
let store: ExpiringMemoryStore;
let app: Express;
let agent: Agent;
beforeEach(async () => {
  fake = await startFakeAuthorizationServer();
  store = new ExpiringMemoryStore();
  app = createApp(testConfig(fake.issuer), { sessionStore: store });
  agent = request.agent(app);
});
afterEach(() => fake.close());

const KiB = 1024;
const MiB = 1024 * KiB;

/** Presses Log in and comes back with a code; expects the callback to answer `status`. */
async function callback(status: number) {
  const state = (await startLogin(agent)).get('state');
  return agent.get('/callback').query({ code: 'c', state, iss: fake.issuer }).expect(status);
}

/** The home page of a signed-in user: "You are logged in", and no 500 while rendering it. */
async function signedInHome(): Promise<string> {
  const home = await agent.get('/').expect(200);
  expect(home.text).toContain('You are logged in');
  return home.text;
}

const TOKENS = '{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt","scope":"profile"}';

describe('every answer is read within a size limit, counted while it streams', () => {
  it('refuses metadata larger than 64 KiB sent without a Content-Length (RFC 8414 §3.2)', async () => {
    fake.raw.metadata = hostile.huge(65 * KiB);
    const res = await agent.post('/login').expect(502);
    expect(res.text).toContain('larger than 64 KiB');
  });

  it('refuses metadata whose Content-Length is over the limit, without reading it', async () => {
    fake.raw.metadata = hostile.huge(10 * MiB, { declareLength: true });
    await agent.post('/login').expect(502);
  });

  it('stops reading a token response that never ends, with a 502 page and no session (RFC 6749 §5.1)', async () => {
    fake.raw.token = hostile.endless();
    const res = await callback(502);
    expect(res.text).toContain('larger than 64 KiB');
    expect(store.size.signedIn).toBe(0);
  });

  it('refuses a 300 MB token response at 64 KiB, keeping none of it', async () => {
    fake.raw.token = hostile.huge(300 * MiB);
    const res = await callback(502);
    expect(res.text).toContain('larger than 64 KiB');
    expect(store.size.signedIn).toBe(0);
    expect(await storedJson()).not.toContain('xxxxxxxxxx');
  });

  it('refuses a token error response larger than 64 KiB (RFC 6749 §5.2)', async () => {
    fake.raw.token = hostile.huge(100 * KiB, { status: 400 });
    const res = await callback(502);
    expect(res.text).toContain('larger than 64 KiB');
  });

  it('signs in but shows and keeps nothing of a resource answer larger than 1 MiB', async () => {
    fake.raw.resource = hostile.huge(20 * MiB);
    await callback(303);
    const page = await signedInHome();
    expect(page).toContain('larger than 1 MiB');
    expect(page).not.toContain('xxxxxxxxxx');
    expect((await storedJson()).length).toBeLessThan(64 * KiB);
  });

  it('renders no more of a resource answer than it reads, whatever indentation or markup would add', async () => {
    const members = Object.fromEntries(Array.from({ length: 90_000 }, (_, i) => [`m${i}`, 0])); // 1 MiB once on a page
    fake.raw.resource = hostile.json(JSON.stringify(members));
    await callback(303);
    const page = await signedInHome();
    const list = /<dl class="resource">([\s\S]*?)<\/dl>/.exec(page)?.[1] ?? '';
    expect(list.match(/<dt>/g)).toHaveLength(500);
    expect(page).toContain('The rest is not shown');

    fake.raw.resource = hostile.json(JSON.stringify(Array.from({ length: 200_000 }, () => [0]))); // 4 MiB indented
    await callback(303);
    expect((await signedInHome()).length).toBeLessThan(MiB + 64 * KiB);
  });

  it('shows a resource answer under the limit', async () => {
    fake.raw.resource = hostile.json(JSON.stringify({ sub: 'user-1', note: 'y'.repeat(200 * KiB) }));
    await callback(303);
    expect(await signedInHome()).toContain('<dd>user-1</dd>');
  });
});

describe('no answer from the provider causes a 500', () => {
  it('signs in, with a message, when the resource answer is cut off mid-body', async () => {
    fake.raw.resource = hostile.cutOff(JSON.stringify({ sub: 'user-1', username: 'alice', padding: 'z'.repeat(100 * KiB) }));
    await callback(303);
    const page = await signedInHome();
    expect(page).toContain('cut off before its end');
    expect(page).not.toContain('alice');
  });

  it('signs in, with a message, when the resource answer is JSON nested 100,000 levels deep', async () => {
    fake.raw.resource = hostile.json(nestedJson(100_000));
    await callback(303);
    expect(await signedInHome()).toContain('nested more than 32 levels deep');
  });

  it('refuses with a 502 page a token response nested 20,000 levels deep, or with a nested scope', async () => {
    // 20,000 levels fit in 64 KiB, and are far more than JSON.stringify can take.
    for (const text of [nestedJson(20_000), TOKENS.replace('"profile"', nestedJson(20_000))]) {
      fake.raw.token = hostile.json(text);
      const res = await callback(502);
      expect(res.text).toContain('nested more than 32 levels deep');
    }
    expect(store.size.signedIn).toBe(0);
  });

  it.each([
    ['scope is an object', { scope: { profile: true } }, 'scope is not a string'],
    ['scope is an array', { scope: ['profile'] }, 'scope is not a string'],
    ['refresh_token is a number', { refresh_token: 42 }, 'refresh_token is not a string'],
    ['access_token is an object', { access_token: {} }, 'no access_token'],
    ['token_type is an array', { token_type: ['Bearer'] }, 'token_type is not Bearer'],
  ])('refuses a token response whose %s, with a 502 page and no session (RFC 6749 §5.1)', async (_, change, message) => {
    fake.raw.token = hostile.json(JSON.stringify({ ...JSON.parse(TOKENS), ...change }));
    const res = await callback(502);
    expect(res.text).toContain(message);
    expect(store.size.signedIn).toBe(0);
  });

  it.each([['1e308'], ['-1'], ['0'], ['"soon"'], ['{"seconds":60}'], ['1e400']])(
    'signs in and says the lifetime is unknown when expires_in is %s (RFC 6749 §5.1)',
    async (expires_in) => {
      fake.raw.token = hostile.json(TOKENS.replace('3600', expires_in));
      fake.validAccessTokens.add('at');
      await callback(303);
      expect(await signedInHome()).toContain('did not say when it expires');
    },
  );

  it('refuses with a 502 page a token response that is not JSON, or an error that is not an OAuth error object', async () => {
    fake.raw.token = (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welcome</h1>');
    await callback(502);
    fake.raw.token = hostile.json('{"error":{"code":"invalid_grant"},"error_description":["x"]}', 400);
    const res = await callback(502);
    expect(res.text).toContain('unexpected response');
  });

  it('keeps the user signed in, with a 502 page, when a refresh answer is hostile', async () => {
    await logIn(agent, fake);
    const _csrf = await csrfTokenFrom(agent);
    fake.raw.token = hostile.json(nestedJson(50_000));
    await agent.post('/refresh').type('form').send({ _csrf }).expect(502);
    await signedInHome();
  });
});

describe('a failed login leaves a consistent session', () => {
  it('gives a new session id before storing the tokens: the id from before the login never holds them', async () => {
    await logIn(agent, fake);
    await agent.post('/logout').type('form').send({ _csrf: await csrfTokenFrom(agent) }).expect(303);
    const before = sessionCookie(agent);
    fake.raw.resource = hostile.cutOff('{"sub":"user-1"}');
    await callback(303);
    await signedInHome();
    const after = sessionCookie(agent);
    expect(after).not.toBe(before);
    // The session the browser had before the login is not signed in.
    const old = await request(app).get('/').set('Cookie', `client.sid=${before}`).expect(200);
    expect(old.text).not.toContain('You are logged in');
  });

  it('leaves the session as it was when the exchange fails after the checks passed', async () => {
    await logIn(agent, fake);
    await agent.post('/logout').type('form').send({ _csrf: await csrfTokenFrom(agent) }).expect(303);
    const before = sessionCookie(agent);
    fake.raw.token = hostile.cutOff(TOKENS);
    const res = await callback(502);
    expect(res.text).toContain('cut off before its end');
    expect(sessionCookie(agent)).toBe(before);
    expect((await agent.get('/').expect(200)).text).not.toContain('You are logged in');
    expect(store.size.signedIn).toBe(0);
  });
});

function sessionCookie(of: Agent): string | undefined {
  return of.jar.getCookie('client.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })?.value;
}

/** Every session the store holds, as JSON. */
function storedJson(): Promise<string> {
  return new Promise((resolve, reject) => store.all((err, sessions) => (err ? reject(err) : resolve(JSON.stringify(sessions)))));
}
