/**
 * Client authentication reads the same at the token, revocation and introspection endpoints (RFC 6749 §2.3.1,
 * RFC 7009 §2.1, RFC 7662 §2.1): an empty `client_secret=` is no secret at all, and a client whose HTTP Basic
 * credentials were not form-urlencoded is told what to change.
 */
import { describe, expect, it } from 'vitest';
import { CLIENT_ID, REDIRECT_URI, basic, issueCode, setup, signIn, withTokens, type Agent } from './helpers.ts';
import { PUBLIC_CLIENT_ID, PUBLIC_ENV, obtainPublicTokens } from './public-client-helpers.ts';

/** RFC 6749 §5.2: error_description is printable ASCII without `"` or `\`. */
const ERROR_DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

function post(agent: Agent, path: string, form: Record<string, string>, authorization?: string) {
  const req = agent.post(path).type('form');
  if (authorization) req.set('Authorization', authorization);
  return req.send(form);
}

async function publicClientWithTokens() {
  const context = setup(PUBLIC_ENV);
  await signIn(context.agent);
  return { ...context, tokens: await obtainPublicTokens(context.agent) };
}

describe('an empty client_secret= counts as no secret (RFC 6749 §2.3.1)', () => {
  it('lets a public client revoke its token with client_secret= as without it (RFC 7009 §2.1)', async () => {
    const { agent, tokens } = await publicClientWithTokens();
    const res = await post(agent, '/oauth/revoke', { token: tokens.refresh_token, client_id: PUBLIC_CLIENT_ID, client_secret: '' });
    expect(res.status).toBe(200);
    // The revocation took effect: the refresh token no longer works.
    const again = await post(agent, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: PUBLIC_CLIENT_ID });
    expect(again.body.error).toBe('invalid_grant');
  });

  it('lets a public client exchange its code with client_secret= at the token endpoint, as before', async () => {
    const { agent } = setup(PUBLIC_ENV);
    await signIn(agent);
    const { code, code_verifier } = await issueCode(agent, { client_id: PUBLIC_CLIENT_ID, redirect_uri: 'http://127.0.0.1/callback' });
    const res = await post(agent, '/oauth/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier,
      redirect_uri: 'http://127.0.0.1/callback',
      client_id: PUBLIC_CLIENT_ID,
      client_secret: '',
    });
    expect(res.status).toBe(200);
  });

  it('refuses a confidential client that sends client_secret= at revocation with 401 invalid_client (RFC 7009 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    const res = await post(agent, '/oauth/revoke', { token: tokens.access_token, client_id: CLIENT_ID, client_secret: '' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    // Nothing was revoked.
    expect((await agent.get('/api/me').set('Authorization', `Bearer ${tokens.access_token}`)).status).toBe(200);
  });

  it('refuses a confidential client that sends client_secret= at introspection with 401 invalid_client (RFC 7662 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    const res = await post(agent, '/oauth/introspect', { token: tokens.access_token, client_id: CLIENT_ID, client_secret: '' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.body.active).toBeUndefined();
  });

  it('answers a public client with client_secret= at introspection exactly as without it (RFC 7662 §2.1)', async () => {
    const { agent, tokens } = await publicClientWithTokens();
    const empty = await post(agent, '/oauth/introspect', { token: tokens.access_token, client_id: PUBLIC_CLIENT_ID, client_secret: '' });
    const absent = await post(agent, '/oauth/introspect', { token: tokens.access_token, client_id: PUBLIC_CLIENT_ID });
    expect(empty.status).toBe(absent.status);
    expect(empty.body).toEqual(absent.body);
    expect(empty.body.error).toBe('invalid_client');
  });

  it('does not count client_secret= in the body as a second method next to HTTP Basic (RFC 6749 §2.3)', async () => {
    const { agent, tokens } = await withTokens();
    const res = await post(agent, '/oauth/revoke', { token: tokens.access_token, client_secret: '' }, basic(CLIENT_ID, 'testsecret'));
    expect(res.status).toBe(200);
    expect((await agent.get('/api/me').set('Authorization', `Bearer ${tokens.access_token}`)).status).toBe(401);
  });
});

describe('HTTP Basic credentials that were not form-urlencoded (RFC 6749 §2.3.1)', () => {
  // A secret with "%" sent raw, as several client libraries do: "%zz" cannot be form-urldecoded.
  const raw = `Basic ${Buffer.from(`${CLIENT_ID}:50%zz-off`).toString('base64')}`;

  it.each([
    ['/oauth/token', { grant_type: 'authorization_code', code: 'x', code_verifier: 'y', redirect_uri: REDIRECT_URI }],
    ['/oauth/revoke', { token: 'x' }],
    ['/oauth/introspect', { token: 'x' }],
  ])('%s answers 401 invalid_client saying that RFC 6749 §2.3.1 requires the encoding, and that client_secret_post is the alternative', async (path, form) => {
    const { agent } = setup();
    const res = await post(agent, path, form, raw);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.body.error_description).toMatch(/RFC 6749 section 2\.3\.1 requires/);
    expect(res.body.error_description).toMatch(/form-urlencoded/);
    expect(res.body.error_description).toMatch(/client libraries skip/);
    expect(res.body.error_description).toMatch(/client_secret_post/);
    expect(res.body.error_description).toMatch(ERROR_DESCRIPTION);
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('keeps the short description for a header that is not Basic credentials at all', async () => {
    const { agent } = setup();
    const res = await post(agent, '/oauth/revoke', { token: 'x' }, 'Basic !!!!');
    expect(res.status).toBe(401);
    expect(res.body.error_description).toBe('Invalid client: malformed HTTP Basic credentials');
  });
});
