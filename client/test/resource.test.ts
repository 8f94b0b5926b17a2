import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { clientAgent, csrfTokenFrom, logIn, type Agent } from './helpers.ts';

let fake: FakeAuthorizationServer;
let agent: Agent;
beforeEach(async () => {
  fake = await startFakeAuthorizationServer();
  agent = clientAgent(fake);
  await logIn(agent, fake);
});
afterEach(() => fake.close());

async function reload() {
  await agent.post('/resource').type('form').send({ _csrf: await csrfTokenFrom(agent) }).expect(303);
  return agent.get('/').expect(200);
}

describe('protected resource request (RFC 6750)', () => {
  it('sends the access token in the Authorization header (RFC 6750 §2.1) and shows the data', async () => {
    expect(fake.resourceRequests).toEqual(['Bearer access-1']);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('<dt>sub</dt>');
    expect(home.text).toContain('<dd>alice</dd>');
    expect(home.text).not.toContain('access-1');
  });

  it('refreshes once and retries once when the token is refused with invalid_token (RFC 6750 §3.1)', async () => {
    fake.validAccessTokens.delete('access-1');
    const home = await reload();
    expect(fake.resourceRequests.slice(1)).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(fake.tokenRequests.at(-1)?.body.grant_type).toBe('refresh_token');
    expect(home.text).toContain('<dd>alice</dd>');
  });

  it('asks to log in again when the refreshed token is refused too', async () => {
    fake.validAccessTokens.delete('access-1');
    fake.tokenResponse = () => ({ status: 200, json: { access_token: 'also-bad', token_type: 'Bearer' } });
    const home = await reload();
    expect(fake.resourceRequests.slice(1)).toEqual(['Bearer access-1', 'Bearer also-bad']);
    expect(home.text).toContain('log in again');
    expect(home.text).toContain('action="/login"');
  });

  it('asks to log in again when the refresh token is refused as well', async () => {
    fake.validAccessTokens.clear();
    fake.validRefreshTokens.clear();
    const home = await reload();
    expect(home.text).toContain('Please log in again');
    expect(home.text).toContain('action="/login"');
  });

  it('renders any JSON the resource returns, nested values as JSON', async () => {
    const other = clientAgent(fake, { RESOURCE_URL: `${fake.issuer}/.well-known/oauth-authorization-server` });
    await logIn(other, fake);
    const home = await other.get('/').expect(200);
    expect(home.text).toContain('<dt>token_endpoint_auth_methods_supported</dt>');
    expect(home.text).toContain('&#34;client_secret_basic&#34;');
  });
});
