import { describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, basic, callApi as me, refresh, withTokens as withTokensOn, type Agent } from './helpers.ts';
import { PUBLIC_CLIENT_ID, PUBLIC_ENV, obtainPublicTokens } from './public-client-helpers.ts';
import { storeBackends } from './support/stores.ts';

function revoke(agent: Agent, form: Record<string, string>, auth: string | null = basic(CLIENT_ID, CLIENT_SECRET)) {
  const req = agent.post('/oauth/revoke').type('form');
  if (auth) req.set('Authorization', auth);
  return req.send(form);
}

describe.each(storeBackends())('POST /oauth/revoke (RFC 7009) ($name store)', (backend) => {
  const withTokens = (env = {}) => withTokensOn(env, {}, backend);

  it('revokes an access token, leaving the refresh token usable (RFC 7009 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    const res = await revoke(agent, { token: tokens.access_token, token_type_hint: 'access_token' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await me(agent, tokens.access_token)).status).toBe(401);
    expect((await refresh(agent, tokens.refresh_token)).status).toBe(200);
  });

  it('revokes a refresh token and the access tokens of the same grant (RFC 7009 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    expect((await revoke(agent, { token: tokens.refresh_token, token_type_hint: 'refresh_token' })).status).toBe(200);
    expect((await refresh(agent, tokens.refresh_token)).body.error).toBe('invalid_grant');
    expect((await me(agent, tokens.access_token)).status).toBe(401);
  });

  it('finds the token even when token_type_hint is wrong (RFC 7009 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    expect((await revoke(agent, { token: tokens.refresh_token, token_type_hint: 'access_token' })).status).toBe(200);
    expect((await me(agent, tokens.access_token)).status).toBe(401);
  });

  it('answers 200 for an unknown or already revoked token (RFC 7009 §2.2)', async () => {
    const { agent, tokens } = await withTokens();
    expect((await revoke(agent, { token: 'no-such-token' })).status).toBe(200);
    await revoke(agent, { token: tokens.access_token });
    expect((await revoke(agent, { token: tokens.access_token })).status).toBe(200);
  });

  it("does not revoke another client's token (RFC 7009 §2.1)", async () => {
    const { agent, tokens } = await withTokens(PUBLIC_ENV);
    const res = await revoke(agent, { token: tokens.refresh_token, client_id: PUBLIC_CLIENT_ID }, null);
    expect(res.status).toBe(200);
    expect((await me(agent, tokens.access_token)).status).toBe(200);
    expect((await refresh(agent, tokens.refresh_token)).status).toBe(200);
  });

  it('lets a public client revoke its own tokens with its client_id alone (RFC 7009 §2.1)', async () => {
    const { agent } = await withTokens(PUBLIC_ENV);
    const theirs = await obtainPublicTokens(agent);
    expect((await revoke(agent, { token: theirs.refresh_token, client_id: PUBLIC_CLIENT_ID }, null)).status).toBe(200);
    expect((await me(agent, theirs.access_token)).status).toBe(401);
  });

  it('requires client authentication like the token endpoint (RFC 7009 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    const wrong = await revoke(agent, { token: tokens.access_token }, basic(CLIENT_ID, 'wrong'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm=/);
    const none = await revoke(agent, { token: tokens.access_token, client_id: CLIENT_ID }, null);
    expect(none.status).toBe(401);
    expect((await me(agent, tokens.access_token)).status).toBe(200);
  });

  it('refuses a request without a token with invalid_request (RFC 7009 §2.2.1)', async () => {
    const { agent } = await withTokens();
    const res = await revoke(agent, {});
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });
});
