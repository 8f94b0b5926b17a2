/**
 * The protected resource (RFC 6750): `GET /api/me` with a bearer token, and the challenges it answers with.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import { ISSUER, obtainTokens, setCookie, setup, setupWithEmailScope, signIn } from './helpers.ts';

const REALM = `Bearer realm="${ISSUER}"`;

/** A signed-in agent and an access token with the given scope. */
async function tokenFor(scope = 'profile') {
  const ctx = setupWithEmailScope();
  await signIn(ctx.agent);
  const tokens = await obtainTokens(ctx.agent, { scope });
  return { ...ctx, access_token: tokens.access_token };
}

describe('GET /api/me: a valid bearer token in the Authorization header (RFC 6750 §2.1)', () => {
  it('answers 200 with the user: sub and username', async () => {
    const { agent, access_token } = await tokenFor('profile');
    const res = await agent.get('/api/me').set('Authorization', `Bearer ${access_token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'user1', username: 'demo' });
  });

  it('adds the email only when the email scope was granted (RFC 6749 §3.3)', async () => {
    const { agent, access_token } = await tokenFor('profile email');
    const res = await agent.get('/api/me').set('Authorization', `Bearer ${access_token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'user1', username: 'demo', email: 'demo@example.com' });
  });

  it('sets no provider.sid cookie: API routes do not run the session machinery', async () => {
    const { agent, access_token } = await tokenFor();
    const res = await agent.get('/api/me').set('Authorization', `Bearer ${access_token}`);
    expect(res.status).toBe(200);
    expect(setCookie(res, 'provider.sid')).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('does not need the login session: the token alone is enough', async () => {
    const { app, access_token } = await tokenFor();
    const res = await request(app).get('/api/me').set('Authorization', `Bearer ${access_token}`);
    expect(res.status).toBe(200);
  });

  it('is not cached (Cache-Control: no-store)', async () => {
    const { agent, access_token } = await tokenFor();
    const res = await agent.get('/api/me').set('Authorization', `Bearer ${access_token}`);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('accepts the scheme name case-insensitively (RFC 6750 §2.1, RFC 7235 §2.1)', async () => {
    const { agent, access_token } = await tokenFor();
    const res = await agent.get('/api/me').set('Authorization', `bearer ${access_token}`);
    expect(res.status).toBe(200);
  });
});

describe('GET /api/me: requests without a usable token (RFC 6750 §3, §3.1)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers no token with 401 and exactly the bare challenge, no error code (RFC 6750 §3.1)', async () => {
    const { agent } = setup();
    const res = await agent.get('/api/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(REALM);
  });

  it('answers an unsupported authentication scheme like a missing token: 401, no error code (RFC 6750 §3.1)', async () => {
    const { agent } = setup();
    const res = await agent.get('/api/me').set('Authorization', 'Basic dGVzdGNsaWVudDp0ZXN0c2VjcmV0');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(REALM);
  });

  it('answers an unknown token with 401 and error="invalid_token" (RFC 6750 §3.1)', async () => {
    const { agent } = setup();
    const res = await agent.get('/api/me').set('Authorization', 'Bearer not-a-token-this-server-issued');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(new RegExp(`^${REALM.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, `));
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(res.body.error).toBe('invalid_token');
  });

  it('answers a malformed Authorization header (Bearer without a token) with 400 invalid_request (RFC 6750 §3.1)', async () => {
    const { agent } = setup();
    const res = await agent.get('/api/me').set('Authorization', 'Bearer');
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toContain('error="invalid_request"');
  });

  it('answers an expired token (after its 3600 s) with 401 and error="invalid_token" (RFC 6750 §3.1)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent, access_token } = await tokenFor();
    vi.setSystemTime(Date.now() + 3_601_000);
    const res = await agent.get('/api/me').set('Authorization', `Bearer ${access_token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('still accepts a token shortly before it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent, access_token } = await tokenFor();
    vi.setSystemTime(Date.now() + 3_500_000);
    const res = await agent.get('/api/me').set('Authorization', `Bearer ${access_token}`);
    expect(res.status).toBe(200);
  });

  it('answers a token with only the email scope with 403 insufficient_scope and scope="profile" in the challenge (RFC 6750 §3.1)', async () => {
    const { agent, access_token } = await tokenFor('email');
    const res = await agent.get('/api/me').set('Authorization', `Bearer ${access_token}`);
    expect(res.status).toBe(403);
    const challenge = res.headers['www-authenticate'] as string;
    expect(challenge.startsWith(REALM)).toBe(true);
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="profile"');
    expect(res.body.error).toBe('insufficient_scope');
  });

  it('refuses a token in the query string (?access_token=) with 401 (RFC 6750 §2.3, RFC 9700 §4.3.2)', async () => {
    const { agent, access_token } = await tokenFor();
    const res = await agent.get(`/api/me?access_token=${encodeURIComponent(access_token)}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expect(res.body).not.toHaveProperty('sub');
  });

  it('does not accept a token in a form-encoded body of a GET (RFC 6750 §2.2: never with GET)', async () => {
    const { agent, access_token } = await tokenFor();
    const res = await agent.get('/api/me').type('form').send({ access_token });
    expect(res.status).toBe(401);
    expect(res.body).not.toHaveProperty('sub');
  });

  it('does not accept a token in a form-encoded POST body either', async () => {
    const { agent, access_token } = await tokenFor();
    const res = await agent.post('/api/me').type('form').send({ access_token });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).not.toHaveProperty('sub');
  });
});
