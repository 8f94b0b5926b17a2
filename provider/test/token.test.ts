/**
 * The token endpoint (RFC 6749 §3.2): steps (D) and (E) of the §4.1 diagram. Client authentication (§2.3),
 * the code exchange (§4.1.3), the response (§5.1) and its errors (§5.2).
 */
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  OTHER_CLIENT,
  REDIRECT_URI,
  basic,
  exchange,
  issueCode,
  pkce,
  setupOn,
  signIn,
  type Agent,
} from './helpers.ts';
import type { ClientRegistration } from '../src/config.ts';
import { storeBackends, type StoreBackend } from './support/stores.ts';

const backends = storeBackends();

/** A signed-in agent holding a fresh code, on a new app over the given store implementation. */
async function withCode(
  backend: StoreBackend,
  env = {},
  overrides: Record<string, string | undefined> = {},
  clients?: (configured: ClientRegistration) => ClientRegistration[],
) {
  const ctx = await setupOn(backend, env, clients);
  await signIn(ctx.agent);
  const issued = await issueCode(ctx.agent, overrides);
  return { ...ctx, ...issued };
}

/** Posts a form to the token endpoint with no client authentication beyond what `form` carries. */
function tokenRequest(agent: Agent, form: Record<string, string>) {
  return agent.post('/oauth/token').type('form').send(form);
}

function expectTokenResponse(res: { status: number; body: Record<string, unknown> }) {
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'profile' });
  expect(res.body.access_token).toEqual(expect.any(String));
  expect(res.body.refresh_token).toEqual(expect.any(String));
  expect(res.body.expires_in).toEqual(expect.any(Number));
}

function expectOAuthError(res: { status: number; body: Record<string, unknown>; headers: Record<string, unknown> }, error: string, status = 400) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.error).toBe(error);
  expect(res.body.error_description).toEqual(expect.any(String));
  expect(res.body).not.toHaveProperty('access_token');
}

describe.each(backends)('POST /oauth/token: a successful exchange (RFC 6749 §4.1.3, §5.1) ($name store)', (backend) => {
  it('exchanges a code for tokens with client_secret_basic (RFC 6749 §2.3.1)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await exchange(agent, code, code_verifier);
    expectTokenResponse(res);
  });

  it('exchanges a code for tokens with client_secret_post (RFC 6749 §2.3.1)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await tokenRequest(agent, {
      grant_type: 'authorization_code',
      code,
      code_verifier,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expectTokenResponse(res);
  });

  it('answers with Cache-Control: no-store and Pragma: no-cache, as JSON (RFC 6749 §5.1)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await exchange(agent, code, code_verifier);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('says how long the access token lives: expires_in is the configured 3600 seconds (RFC 6749 §5.1)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await exchange(agent, code, code_verifier);
    expect(res.body.expires_in).toBeGreaterThan(3590);
    expect(res.body.expires_in).toBeLessThanOrEqual(3600);
  });

  it('sets no session cookie: the token endpoint does not run the session machinery', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await exchange(agent, code, code_verifier);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe.each(backends)('POST /oauth/token: credentials that need form-urlencoding (RFC 6749 §2.3.1) ($name store)', (backend) => {
  const env = { CLIENT_ID: 'my-client+id/=:%', CLIENT_SECRET: 'sec ret+/=:%-' };

  it('accepts them with HTTP Basic, each part form-urlencoded before base64', async () => {
    const { agent, code, code_verifier } = await withCode(backend, env, { client_id: env.CLIENT_ID });
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(env.CLIENT_ID, env.CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
    expectTokenResponse(res);
  });

  it('accepts them in the form body (client_secret_post)', async () => {
    const { agent, code, code_verifier } = await withCode(backend, env, { client_id: env.CLIENT_ID });
    const res = await tokenRequest(agent, {
      grant_type: 'authorization_code',
      code,
      code_verifier,
      redirect_uri: REDIRECT_URI,
      client_id: env.CLIENT_ID,
      client_secret: env.CLIENT_SECRET,
    });
    expectTokenResponse(res);
  });

  it('refuses the same credentials base64-encoded without the form-urlencoding step', async () => {
    const { agent, code, code_verifier } = await withCode(backend, env, { client_id: env.CLIENT_ID });
    const raw = `Basic ${Buffer.from(`${env.CLIENT_ID}:${env.CLIENT_SECRET}`).toString('base64')}`;
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', raw)
      .type('form')
      .send({ grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });
});

describe.each(backends)('POST /oauth/token: client authentication errors (RFC 6749 §2.3, §3.2.1, §5.2) ($name store)', (backend) => {
  it('answers a wrong Basic secret with 401 invalid_client and a WWW-Authenticate: Basic challenge (RFC 6749 §5.2)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, 'wrong-secret'))
      .type('form')
      .send({ grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
    expectOAuthError(res, 'invalid_client', 401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('answers an unknown client in Basic with 401 invalid_client (RFC 6749 §5.2)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic('no-such-client', CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
    expectOAuthError(res, 'invalid_client', 401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('answers a wrong client_secret in the body with invalid_client (RFC 6749 §5.2)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await tokenRequest(agent, {
      grant_type: 'authorization_code',
      code,
      code_verifier,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: 'wrong-secret',
    });
    expect([400, 401]).toContain(res.status);
    expect(res.body.error).toBe('invalid_client');
    expect(res.body).not.toHaveProperty('access_token');
  });

  it('refuses a confidential client that leaves out its secret, even with a code_verifier (RFC 6749 §3.2.1)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await tokenRequest(agent, {
      grant_type: 'authorization_code',
      code,
      code_verifier,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
    });
    expect([400, 401]).toContain(res.status);
    expect(res.body.error).toBe('invalid_client');
    expect(res.body).not.toHaveProperty('access_token');
  });

  it('refuses a request with no client identification at all with invalid_client (RFC 6749 §3.2.1)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await tokenRequest(agent, { grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
    expect([400, 401]).toContain(res.status);
    expect(res.body.error).toBe('invalid_client');
  });

  it('refuses Basic together with client_secret in the body with invalid_request (RFC 6749 §2.3)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await exchange(agent, code, code_verifier, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expectOAuthError(res, 'invalid_request');
  });

  it('refuses Basic together with a different client_id in the body with invalid_request (RFC 6749 §2.3)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await exchange(agent, code, code_verifier, { client_id: 'someone-else' });
    expectOAuthError(res, 'invalid_request');
  });

  it('does not spend the code on a failed client authentication: the right client can still exchange it', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, 'wrong-secret'))
      .type('form')
      .send({ grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
    expectTokenResponse(await exchange(agent, code, code_verifier));
  });
});

describe.each(backends)('POST /oauth/token: grant errors (RFC 6749 §4.1.3, §5.2, RFC 7636 §4.6) ($name store)', (backend) => {
  it('answers a wrong code_verifier with invalid_grant (RFC 7636 §4.6)', async () => {
    const { agent, code } = await withCode(backend);
    const res = await exchange(agent, code, pkce().code_verifier);
    expectOAuthError(res, 'invalid_grant');
  });

  it('answers a missing code_verifier with invalid_grant (RFC 7636 §4.6)', async () => {
    const { agent, code } = await withCode(backend);
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expectOAuthError(res, 'invalid_grant');
  });

  it('answers a redirect_uri different from the authorization request with invalid_grant (RFC 6749 §4.1.3, §5.2)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await exchange(agent, code, code_verifier, { redirect_uri: 'http://localhost:3000/other' });
    expectOAuthError(res, 'invalid_grant');
  });

  it('answers a missing redirect_uri with invalid_request: it was in the authorization request (RFC 6749 §4.1.3)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'authorization_code', code, code_verifier });
    expectOAuthError(res, 'invalid_request');
  });

  it('answers an unknown code with invalid_grant (RFC 6749 §5.2)', async () => {
    const { agent, code_verifier } = await withCode(backend);
    const res = await exchange(agent, 'not-a-code-this-server-issued', code_verifier);
    expectOAuthError(res, 'invalid_grant');
  });

  it('answers a missing code with invalid_request (RFC 6749 §4.1.3)', async () => {
    const { agent } = await withCode(backend);
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'authorization_code', code_verifier: pkce().code_verifier, redirect_uri: REDIRECT_URI });
    expectOAuthError(res, 'invalid_request');
  });

  it('answers a code issued to another client with invalid_grant (RFC 6749 §4.1.3, §5.2)', async () => {
    const { agent, code, code_verifier } = await withCode(backend, {}, {}, (configured) => [configured, OTHER_CLIENT]);
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(OTHER_CLIENT.client_id, OTHER_CLIENT.client_secret))
      .type('form')
      .send({ grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
    expectOAuthError(res, 'invalid_grant');
  });

  it('answers a code used twice with invalid_grant and revokes the access token of the first exchange (RFC 6749 §4.1.2)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const first = await exchange(agent, code, code_verifier);
    expectTokenResponse(first);
    const before = await agent.get('/api/me').set('Authorization', `Bearer ${first.body.access_token}`);
    expect(before.status).toBe(200);

    const second = await exchange(agent, code, code_verifier);
    expectOAuthError(second, 'invalid_grant');

    const after = await agent.get('/api/me').set('Authorization', `Bearer ${first.body.access_token}`);
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('answers a code used twice by revoking the refresh token of the first exchange too (RFC 6749 §4.1.2, §10.5)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const first = await exchange(agent, code, code_verifier);
    await exchange(agent, code, code_verifier);
    const refresh = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expectOAuthError(refresh, 'invalid_grant');
  });
});

describe.each(backends)('POST /oauth/token: malformed requests (RFC 6749 §5.2) ($name store)', (backend) => {
  it.each(['urn:example:unknown', 'password', 'client_credentials', 'implicit'])(
    'answers grant_type=%s, which this server does not support, with unsupported_grant_type (RFC 6749 §5.2)',
    async (grant_type) => {
      const { agent, code, code_verifier } = await withCode(backend);
      const res = await exchange(agent, code, code_verifier, { grant_type });
      expectOAuthError(res, 'unsupported_grant_type');
    },
  );

  it('answers a missing grant_type with invalid_request (RFC 6749 §4.1.3, §5.2)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('form')
      .send({ code, code_verifier, redirect_uri: REDIRECT_URI });
    expectOAuthError(res, 'invalid_request');
  });

  it('answers a JSON body instead of a form with invalid_request (RFC 6749 §4.1.3: application/x-www-form-urlencoded)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('json')
      .send({ grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
    expectOAuthError(res, 'invalid_request');
  });

  it('answers a repeated parameter with invalid_request (RFC 6749 §3.2)', async () => {
    const { agent, code, code_verifier } = await withCode(backend);
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
    form.append('code', code);
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('form')
      .send(form.toString());
    expectOAuthError(res, 'invalid_request');
  });

  it.each(['GET', 'PUT', 'DELETE'] as const)('answers %s /oauth/token with a 404 or 405 JSON error, never 500', async (method) => {
    const { agent } = await setupOn(backend);
    const res = await agent[method === 'GET' ? 'get' : method === 'PUT' ? 'put' : 'delete']('/oauth/token');
    expect([404, 405]).toContain(res.status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error).toEqual(expect.any(String));
  });
});
