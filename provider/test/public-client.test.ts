import { describe, expect, it } from 'vitest';
import { authorizeQuery, consent, pkce, setup, signIn } from './helpers.ts';
import { PUBLIC_CLIENT_ID, PUBLIC_ENV, PUBLIC_REDIRECT_URI, obtainPublicTokens } from './public-client-helpers.ts';

async function signedIn(env: Record<string, string> = PUBLIC_ENV) {
  const context = setup(env);
  await signIn(context.agent);
  return context;
}

describe('public clients (RFC 6749 §2.1, RFC 8252)', () => {
  it('completes the flow with PKCE and no secret, and rotates its refresh token (RFC 9700 §4.14.2)', async () => {
    const { agent } = await signedIn();
    const tokens = await obtainPublicTokens(agent);
    const me = await agent.get('/api/me').set('Authorization', `Bearer ${tokens.access_token}`);
    expect(me.body.username).toBe('demo');
    const refreshed = await agent
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: PUBLIC_CLIENT_ID });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token);
  });

  it('refuses a secret from a public client: it has none to present (RFC 6749 §2.1)', async () => {
    const { agent } = await signedIn();
    const { code_verifier, code_challenge } = pkce();
    const { location } = await consent(agent, authorizeQuery({ client_id: PUBLIC_CLIENT_ID, redirect_uri: PUBLIC_REDIRECT_URI }, code_challenge));
    const res = await agent.post('/oauth/token').type('form').send({
      grant_type: 'authorization_code',
      code: location.searchParams.get('code'),
      code_verifier,
      redirect_uri: PUBLIC_REDIRECT_URI,
      client_id: PUBLIC_CLIENT_ID,
      client_secret: 'guess',
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('accepts a loopback redirect on any port (RFC 8252 §7.3)', async () => {
    const { agent } = await signedIn();
    const tokens = await obtainPublicTokens(agent, 'http://127.0.0.1:51234/callback');
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('refuses a loopback redirect that differs in anything but the port (RFC 8252 §7.3, RFC 9700 §4.1.3)', async () => {
    const { agent } = await signedIn();
    for (const redirect_uri of ['http://127.0.0.1:51234/other', 'http://localhost:51234/callback', 'https://127.0.0.1:51234/callback']) {
      const res = await agent.get(`/oauth/authorize?${authorizeQuery({ client_id: PUBLIC_CLIENT_ID, redirect_uri })}`);
      expect(res.status, redirect_uri).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
  });

  it('never lets the port vary for a confidential client (RFC 9700 §4.1.3)', async () => {
    const { agent } = await signedIn({
      ...PUBLIC_ENV,
      REDIRECT_URI: 'http://127.0.0.1:3000/callback',
    });
    const res = await agent.get(`/oauth/authorize?${authorizeQuery({ redirect_uri: 'http://127.0.0.1:4000/callback' })}`);
    expect(res.status).toBe(400);
  });

  it('requires PKCE from a public client too (RFC 9700 §2.1.1)', async () => {
    const { agent } = await signedIn();
    const res = await agent.get(
      `/oauth/authorize?${authorizeQuery({ client_id: PUBLIC_CLIENT_ID, redirect_uri: PUBLIC_REDIRECT_URI, code_challenge: undefined })}`,
    );
    expect(res.status).toBe(303);
    expect(new URL(res.headers.location as string).searchParams.get('error')).toBe('invalid_request');
  });
});

describe('a confidential client cannot pass as public (RFC 6749 §3.2.1)', () => {
  it('refuses the code exchange when the secret is left out, even with a code_verifier', async () => {
    const { agent } = await signedIn();
    const { code_verifier, code_challenge } = pkce();
    const { location } = await consent(agent, authorizeQuery({}, code_challenge));
    const res = await agent.post('/oauth/token').type('form').send({
      grant_type: 'authorization_code',
      code: location.searchParams.get('code'),
      code_verifier,
      redirect_uri: 'http://localhost:3000/callback',
      client_id: 'testclient',
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });
});
