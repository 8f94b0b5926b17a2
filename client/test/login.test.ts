import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { clientAgent, startLogin } from './helpers.ts';

let fake: FakeAuthorizationServer;
beforeAll(async () => {
  fake = await startFakeAuthorizationServer();
});
afterAll(() => fake.close());

const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

describe('GET /login (RFC 6749 §4.1.1)', () => {
  it('redirects with 303 to the authorization endpoint from the metadata', async () => {
    const res = await clientAgent(fake).get('/login').expect(303);
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
    await agent.get('/callback').query({ code: 'c', state: params.get('state'), iss: fake.issuer }).expect(303);

    const code_verifier = fake.tokenRequests.at(-1)?.body.code_verifier ?? '';
    expect(code_verifier).toMatch(BASE64URL_32_BYTES);
    expect(params.get('code_challenge')).toBe(createHash('sha256').update(code_verifier).digest('base64url'));
  });

  it('never puts the code_verifier or the client secret in the authorization URL (RFC 7636 §4.3)', async () => {
    const res = await clientAgent(fake).get('/login').expect(303);
    const params = new URL(res.headers.location ?? '').searchParams;
    expect(params.has('code_verifier')).toBe(false);
    expect(params.has('client_secret')).toBe(false);
  });

  it('keeps logins started in several tabs apart, each completing with its own state', async () => {
    const agent = clientAgent(fake);
    const tab1 = await startLogin(agent);
    const tab2 = await startLogin(agent);
    await agent.get('/callback').query({ code: 'c1', state: tab1.get('state'), iss: fake.issuer }).expect(303);
    expect(fake.tokenRequests.at(-1)?.body.code).toBe('c1');
    // The first login regenerated the session, so the second tab's login has to start over.
    await agent.get('/callback').query({ code: 'c2', state: tab2.get('state'), iss: fake.issuer }).expect(400);
  });

  it('accepts the callback of an older tab as long as fewer than six logins are pending', async () => {
    const agent = clientAgent(fake);
    const tabs = [];
    for (let i = 0; i < 6; i++) tabs.push(await startLogin(agent));
    // The oldest of six was dropped; the second oldest still works.
    await agent.get('/callback').query({ code: 'c', state: tabs[0]?.get('state'), iss: fake.issuer }).expect(400);
    await agent.get('/callback').query({ code: 'c', state: tabs[1]?.get('state'), iss: fake.issuer }).expect(303);
  });

  it('finds the endpoints in /.well-known/openid-configuration when RFC 8414 metadata is absent', async () => {
    fake.metadataPath = 'openid-configuration';
    try {
      const res = await clientAgent(fake).get('/login').expect(303);
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
    const res = await agent.get('/login').expect(503);
    expect(res.text).toContain('could not be reached');
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  it('shows a 502 page when the metadata names a different issuer (RFC 8414 §3.3)', async () => {
    fake.metadata.issuer = 'https://attacker.example';
    try {
      const res = await clientAgent(fake).get('/login').expect(502);
      expect(res.text).toContain('RFC 8414 §3.3');
    } finally {
      fake.metadata.issuer = fake.issuer;
    }
  });
});
