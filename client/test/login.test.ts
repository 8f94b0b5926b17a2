import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExpiringMemoryStore } from '../src/http/session-store.ts';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { clientAgent, startLogin, type Agent } from './helpers.ts';

let fake: FakeAuthorizationServer;
beforeAll(async () => {
  fake = await startFakeAuthorizationServer();
});
afterAll(() => fake.close());
afterEach(() => {
  vi.useRealTimers();
});

const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

function comeBack(agent: Agent, state: string | null, code = 'c') {
  return agent.get('/callback').query({ code, state, iss: fake.issuer });
}

describe('POST /login: the authorization request (RFC 6749 §4.1.1)', () => {
  it('redirects with 303 to the authorization endpoint from the metadata', async () => {
    const res = await clientAgent(fake).post('/login').expect(303);
    const location = new URL(res.headers.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${fake.issuer}/oauth/authorize`);
  });

  it('sends response_type=code, client_id, redirect_uri and scope', async () => {
    const params = await startLogin(clientAgent(fake));
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('testclient');
    expect(params.get('redirect_uri')).toBe('http://localhost:3000/callback');
    expect(params.get('scope')).toBe('profile');
  });

  it('sends a fresh state of 32 random bytes, base64url (RFC 6749 §10.10)', async () => {
    const agent = clientAgent(fake);
    const first = (await startLogin(agent)).get('state');
    const second = (await startLogin(agent)).get('state');
    expect(first).toMatch(BASE64URL_32_BYTES);
    expect(second).not.toBe(first);
  });

  it('sends an S256 code_challenge that matches the code_verifier later sent to the token endpoint (RFC 7636 §4.2)', async () => {
    const agent = clientAgent(fake);
    const params = await startLogin(agent);
    expect(params.get('code_challenge_method')).toBe('S256');
    await comeBack(agent, params.get('state')).expect(303);

    const code_verifier = fake.tokenRequests.at(-1)?.body.code_verifier ?? '';
    expect(code_verifier).toMatch(BASE64URL_32_BYTES);
    expect(params.get('code_challenge')).toBe(createHash('sha256').update(code_verifier).digest('base64url'));
  });

  it('never puts the code_verifier or the client secret in the authorization URL or the cookie (RFC 7636 §4.3)', async () => {
    const agent = clientAgent(fake);
    const res = await agent.post('/login').expect(303);
    const params = new URL(res.headers.location ?? '').searchParams;
    expect(params.has('code_verifier')).toBe(false);
    expect(params.has('client_secret')).toBe(false);
    await comeBack(agent, params.get('state')).expect(303);
    // The pending-login cookie is encrypted: the verifier is not readable in it, in any encoding.
    const code_verifier = fake.tokenRequests.at(-1)?.body.code_verifier ?? 'missing';
    const cookie = String(res.headers['set-cookie']);
    for (const encoded of [code_verifier, Buffer.from(code_verifier).toString('base64url')]) expect(cookie).not.toContain(encoded);
  });

  it('keeps logins started in several tabs apart, each completing with its own state', async () => {
    const agent = clientAgent(fake);
    const tab1 = await startLogin(agent);
    const tab2 = await startLogin(agent);
    await comeBack(agent, tab2.get('state'), 'c2').expect(303);
    await comeBack(agent, tab1.get('state'), 'c1').expect(303);
    expect(fake.tokenRequests.slice(-2).map((request) => request.body.code)).toEqual(['c2', 'c1']);
  });

  it('keeps the newest five logins in progress: the callback of the sixth-newest is refused', async () => {
    const agent = clientAgent(fake);
    const tabs = [];
    for (let i = 0; i < 6; i++) tabs.push(await startLogin(agent));
    await comeBack(agent, tabs[0]?.get('state') ?? '').expect(400);
    await comeBack(agent, tabs[1]?.get('state') ?? '').expect(303);
  });

  it('forgets a login in progress after ten minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const agent = clientAgent(fake);
    const state = (await startLogin(agent)).get('state');
    vi.setSystemTime(Date.now() + 10 * 60_000);
    const res = await comeBack(agent, state).expect(400);
    expect(res.text).toContain('state parameter does not match');
  });

  it('finds the endpoints in /.well-known/openid-configuration when RFC 8414 metadata is absent', async () => {
    fake.metadataPath = 'openid-configuration';
    try {
      const res = await clientAgent(fake).post('/login').expect(303);
      expect(res.headers.location?.startsWith(`${fake.issuer}/oauth/authorize?`)).toBe(true);
    } finally {
      fake.metadataPath = 'oauth-authorization-server';
    }
  });

  it('shows a friendly 503 page when the authorization server is unreachable', async () => {
    const agent = clientAgent(fake, {}, {
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    const res = await agent.post('/login').expect(503);
    expect(res.text).toContain('could not be reached');
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  it('shows a 502 page when the metadata names a different issuer (RFC 8414 §3.3)', async () => {
    fake.metadata.issuer = 'https://attacker.example';
    try {
      const res = await clientAgent(fake).post('/login').expect(502);
      expect(res.text).toContain('RFC 8414 §3.3');
    } finally {
      fake.metadata.issuer = fake.issuer;
    }
  });
});

describe('starting a login: another site cannot do it for the user (RFC 9110 §9.2.1, RFC 6749 §10.12)', () => {
  it('GET /login changes nothing: it lands on the home page and sets no cookie', async () => {
    const res = await clientAgent(fake).get('/login').expect(303).expect('Location', '/');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses with 403 a POST /login sent by a page of another site, or of another port of this host', async () => {
    const agent = clientAgent(fake);
    for (const site of ['cross-site', 'same-site']) {
      const res = await agent.post('/login').set('Sec-Fetch-Site', site).expect(403);
      expect(res.text).toContain('Log in button of this site');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    // A browser without Fetch Metadata still names the page's origin.
    await agent.post('/login').set('Origin', 'https://attacker.example').expect(403);
    await agent.post('/login').set('Origin', 'null').expect(403);
    await agent.post('/login').set('Origin', 'http://localhost:3000').expect(303);
  });

  it('a page that keeps sending the browser to /login cannot evict a login in progress', async () => {
    const agent = clientAgent(fake);
    const state = (await startLogin(agent)).get('state');
    for (let i = 0; i < 20; i++) {
      await agent.get('/login').set('Sec-Fetch-Site', 'cross-site').expect(303); // top-level navigations
      await agent.post('/login').set('Sec-Fetch-Site', 'cross-site').expect(403); // auto-submitted forms
    }
    await comeBack(agent, state).expect(303).expect('Location', '/');
    expect((await agent.get('/')).text).toContain('You are logged in');
  });

  it('keeps logins in progress in the browser: a bounded cookie, nothing in the server session store', async () => {
    const sessionStore = new ExpiringMemoryStore();
    const agent = clientAgent(fake, {}, { sessionStore });
    let cookie = '';
    for (let i = 0; i < 50; i++) {
      const res = await agent.post('/login').set('Sec-Fetch-Site', 'same-origin').expect(303);
      cookie = String(res.headers['set-cookie']);
    }
    expect(cookie.length).toBeLessThan(1200);
    expect(sessionStore.size).toEqual({ signedIn: 0, others: 0 });
  });

  it('refuses the callback when the pending-login cookie was altered (it is authenticated)', async () => {
    const agent = clientAgent(fake);
    const res = await agent.post('/login').expect(303);
    const state = new URL(res.headers.location ?? '').searchParams.get('state');
    const value = /client\.login=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1] ?? '';
    const altered = `${value.slice(0, 40)}${value[40] === 'A' ? 'B' : 'A'}${value.slice(41)}`;
    const before = fake.tokenRequests.length;
    await clientAgent(fake).get('/callback').set('Cookie', `client.login=${altered}`).query({ code: 'c', state, iss: fake.issuer }).expect(400);
    expect(fake.tokenRequests).toHaveLength(before);
  });
});
