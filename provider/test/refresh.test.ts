import { describe, expect, it } from 'vitest';
import { CLIENT_ID, callApi as me, exchange, issueCode, obtainTokens, refresh, setupOn, signIn } from './helpers.ts';
import { PUBLIC_CLIENT_ID, PUBLIC_ENV } from './public-client-helpers.ts';
import { storeBackends, type StoreBackend } from './support/stores.ts';

const backends = storeBackends();

async function signedIn(backend: StoreBackend, env = {}) {
  const context = await setupOn(backend, env);
  await signIn(context.agent);
  return context;
}

describe.each(backends)('POST /oauth/token with grant_type=refresh_token (RFC 6749 §6) ($name store)', (backend) => {
  it('rotates the refresh token on every use and issues a working access token (RFC 9700 §4.14.2)', async () => {
    const { agent } = await signedIn(backend);
    const first = await obtainTokens(agent);
    const res = await refresh(agent, first.refresh_token);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect(res.body.access_token).not.toBe(first.access_token);
    expect((await me(agent, res.body.access_token)).status).toBe(200);
    // The rotated token is spent.
    expect((await refresh(agent, first.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('revokes the whole grant, newest tokens included, when a rotated refresh token is reused (RFC 9700 §4.14.2)', async () => {
    const { agent, store } = await signedIn(backend);
    const first = await obtainTokens(agent);
    const second = (await refresh(agent, first.refresh_token)).body;

    const reuse = await refresh(agent, first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');

    expect((await me(agent, second.access_token)).status).toBe(401);
    expect((await refresh(agent, second.refresh_token)).body.error).toBe('invalid_grant');
    expect(await store.size()).toMatchObject({ grants: 0 });
  });

  it('narrows the new access token to the requested scope; the new refresh token keeps the original one (RFC 6749 §6)', async () => {
    const { agent } = await signedIn(backend);
    const wide = await obtainTokens(agent, { scope: 'profile email' });
    expect(wide.scope).toBe('profile email');
    const narrow = await refresh(agent, wide.refresh_token, { scope: 'email' });
    expect(narrow.status).toBe(200);
    expect(narrow.body.scope).toBe('email');
    expect((await me(agent, narrow.body.access_token)).status).toBe(403);
    // "The refresh token scope MUST be identical to that of the refresh token included by the client."
    const again = await refresh(agent, narrow.body.refresh_token);
    expect(again.body.scope).toBe('profile email');
  });

  it('ends the access token issued earlier in the chain when the refresh token rotates (RFC 9700 §4.14.2)', async () => {
    const { agent } = await signedIn(backend);
    const first = await obtainTokens(agent);
    const second = (await refresh(agent, first.refresh_token)).body;
    expect((await me(agent, first.access_token)).status).toBe(401);
    expect((await me(agent, second.access_token)).status).toBe(200);
  });

  it('recognises a refresh token spent many rotations ago as reuse and revokes the grant (RFC 9700 §4.14.2)', async () => {
    const { agent } = await signedIn(backend);
    const first = await obtainTokens(agent);
    let latest = first;
    for (let i = 0; i < 5; i++) latest = (await refresh(agent, latest.refresh_token)).body;
    const reuse = await refresh(agent, first.refresh_token);
    expect(reuse.body.error).toBe('invalid_grant');
    expect((await me(agent, latest.access_token)).status).toBe(401);
    expect((await refresh(agent, latest.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('refuses to widen the scope and leaves the refresh token usable (RFC 6749 §6)', async () => {
    const { agent } = await signedIn(backend);
    const tokens = await obtainTokens(agent, { scope: 'profile' });
    const wider = await refresh(agent, tokens.refresh_token, { scope: 'profile email' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    // The failed request did not spend the token.
    expect((await refresh(agent, tokens.refresh_token)).status).toBe(200);
  });

  it('refuses a refresh token presented by another client, without spending it (RFC 6749 §6)', async () => {
    const { agent } = await signedIn(backend, PUBLIC_ENV);
    const tokens = await obtainTokens(agent);
    const foreign = await agent
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: PUBLIC_CLIENT_ID });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toBe('invalid_grant');
    expect((await refresh(agent, tokens.refresh_token)).status).toBe(200);
  });

  it('requires the confidential client to authenticate when refreshing (RFC 6749 §6)', async () => {
    const { agent } = await signedIn(backend);
    const tokens = await obtainTokens(agent);
    const anonymous = await agent
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CLIENT_ID });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('invalid_client');
    expect((await refresh(agent, tokens.refresh_token)).status).toBe(200);
  });
});

describe.each(backends)('authorization code replay (RFC 6749 §4.1.2, §10.5) ($name store)', (backend) => {
  it('refuses a code used twice and revokes the tokens issued from it', async () => {
    const { agent } = await signedIn(backend);
    const { code, code_verifier } = await issueCode(agent);
    const first = await exchange(agent, code, code_verifier);
    expect(first.status).toBe(200);

    const replay = await exchange(agent, code, code_verifier);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');

    expect((await me(agent, first.body.access_token)).status).toBe(401);
    expect((await refresh(agent, first.body.refresh_token)).body.error).toBe('invalid_grant');
  });
});
