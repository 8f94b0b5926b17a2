import { describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, ISSUER, basic, refresh, withTokens as withDefaultTokens, type Agent } from './helpers.ts';
import { PUBLIC_ENV, obtainPublicTokens } from './public-client-helpers.ts';
import { storeBackends } from './support/stores.ts';

function introspect(agent: Agent, form: Record<string, string>, auth: string | null = basic(CLIENT_ID, CLIENT_SECRET)) {
  const req = agent.post('/oauth/introspect').type('form');
  if (auth) req.set('Authorization', auth);
  return req.send(form);
}

describe.each(storeBackends())('POST /oauth/introspect (RFC 7662) ($name store)', (backend) => {
  const withTokens = (env = {}) => withDefaultTokens(env, { scope: 'profile email' }, backend);

  it('describes a live access token (RFC 7662 §2.2)', async () => {
    const { agent, tokens } = await withTokens();
    const before = Math.floor(Date.now() / 1000);
    const res = await introspect(agent, { token: tokens.access_token });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      active: true,
      scope: 'profile email',
      client_id: CLIENT_ID,
      username: 'demo',
      sub: 'user1',
      token_type: 'Bearer',
      iss: ISSUER,
    });
    expect(res.body.iat).toBeGreaterThanOrEqual(before - 1);
    expect(res.body.exp - res.body.iat).toBe(3600);
  });

  it('describes a live refresh token, whatever the hint says (RFC 7662 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    const res = await introspect(agent, { token: tokens.refresh_token, token_type_hint: 'access_token' });
    expect(res.body).toMatchObject({ active: true, token_type: 'refresh_token', client_id: CLIENT_ID });
  });

  it('answers exactly { active: false } for unknown, revoked and rotated tokens (RFC 7662 §2.2)', async () => {
    const { agent, tokens } = await withTokens();
    expect((await introspect(agent, { token: 'unknown' })).body).toEqual({ active: false });

    await refresh(agent, tokens.refresh_token);
    expect((await introspect(agent, { token: tokens.refresh_token })).body).toEqual({ active: false });

    await agent.post('/oauth/revoke').set('Authorization', basic(CLIENT_ID, CLIENT_SECRET)).type('form').send({ token: tokens.access_token });
    expect((await introspect(agent, { token: tokens.access_token })).body).toEqual({ active: false });
  });

  it('does not trigger refresh token reuse detection: introspection has no side effects (RFC 7662 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    const rotated = await refresh(agent, tokens.refresh_token);
    await introspect(agent, { token: tokens.refresh_token });
    expect((await introspect(agent, { token: rotated.body.access_token })).body.active).toBe(true);
  });

  it('answers { active: false } for a token issued to another client (RFC 7662 §4)', async () => {
    const { agent } = await withTokens(PUBLIC_ENV);
    const theirs = await obtainPublicTokens(agent);
    expect((await introspect(agent, { token: theirs.access_token })).body).toEqual({ active: false });
    expect((await introspect(agent, { token: theirs.refresh_token })).body).toEqual({ active: false });
  });

  it('requires client authentication: 401 otherwise (RFC 7662 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    const none = await introspect(agent, { token: tokens.access_token }, null);
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('invalid_client');
    const wrong = await introspect(agent, { token: tokens.access_token }, basic(CLIENT_ID, 'nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm=/);
  });

  it('refuses a public client, which cannot authenticate (RFC 7662 §2.1)', async () => {
    const { agent, tokens } = await withTokens(PUBLIC_ENV);
    const res = await introspect(agent, { token: tokens.access_token, client_id: PUBLIC_ENV.PUBLIC_CLIENT_ID }, null);
    expect(res.status).toBe(401);
  });
});
