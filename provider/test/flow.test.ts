import { describe, expect, it } from 'vitest';
import { ISSUER, REDIRECT_URI, authorizeQuery, consent, exchange, issueCode, setupOn, signIn } from './helpers.ts';
import { storeBackends } from './support/stores.ts';

describe.each(storeBackends())('the authorization code flow, end to end (RFC 6749 §4.1) ($name store)', (backend) => {
  it('issues a code after login and consent, exchanges it for tokens and serves the resource', async () => {
    const { agent } = await setupOn(backend);
    const login = await signIn(agent);
    expect(login.status).toBe(303);

    const { code, code_verifier } = await issueCode(agent);
    const token = await exchange(agent, code, code_verifier);
    expect(token.status).toBe(200);
    expect(token.headers['cache-control']).toBe('no-store');
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'profile' });
    expect(token.body.access_token).toEqual(expect.any(String));
    expect(token.body.refresh_token).toEqual(expect.any(String));
    expect(token.body.expires_in).toBeGreaterThan(3500);

    const me = await agent.get('/api/me').set('Authorization', `Bearer ${token.body.access_token}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ sub: 'user1', username: 'demo' });
  });

  it('redirects back to the registered redirect_uri with code, state and iss (RFC 6749 §4.1.2, RFC 9207 §2)', async () => {
    const { agent } = await setupOn(backend);
    await signIn(agent);
    const { location, res } = await consent(agent, authorizeQuery({ state: 'opaque-state' }));
    expect(res.status).toBe(303);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{32,}$/);
    expect(location.searchParams.get('state')).toBe('opaque-state');
    expect(location.searchParams.get('iss')).toBe(ISSUER);
  });
});
