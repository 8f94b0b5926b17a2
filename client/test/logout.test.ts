import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { agentWithNetworkSwitch, clientAgent, csrfTokenFrom, logIn, type Agent } from './helpers.ts';

let fake: FakeAuthorizationServer;
let agent: Agent;
beforeEach(async () => {
  fake = await startFakeAuthorizationServer();
  agent = clientAgent(fake);
  await logIn(agent, fake);
});
afterEach(() => fake.close());

async function logOut() {
  return agent.post('/logout').type('form').send({ _csrf: await csrfTokenFrom(agent) }).expect(303);
}

describe('POST /logout (RFC 7009)', () => {
  it('revokes the refresh token, then the access token, with token_type_hint (RFC 7009 §2.1)', async () => {
    await logOut();
    expect(fake.revocationRequests.map((r) => r.body)).toEqual([
      { token: 'refresh-1', token_type_hint: 'refresh_token' },
      { token: 'access-1', token_type_hint: 'access_token' },
    ]);
    expect(fake.revocationRequests.every((r) => r.authorization?.startsWith('Basic '))).toBe(true);
  });

  it('ends the local session and says so', async () => {
    const res = await logOut();
    expect(res.headers.location).toBe('/?logout=done');
    const home = await agent.get(res.headers.location ?? '/').expect(200);
    expect(home.text).toContain('You are logged out.');
    expect(home.text).toContain('action="/login"');
  });

  it('still ends the session when revocation fails, and reports the failure (RFC 7009 §2.2.1)', async () => {
    fake.revocationStatus = 503;
    const res = await logOut();
    expect(fake.revocationRequests).toHaveLength(2); // the second token is tried even though the first failed
    const home = await agent.get(res.headers.location ?? '/').expect(200);
    expect(home.text).toContain('could not revoke the tokens');
    expect(home.text).not.toContain('You are logged in');
  });

  it('still ends the session when the authorization server is unreachable', async () => {
    const { agent: switchable, network } = agentWithNetworkSwitch(fake);
    agent = switchable;
    await logIn(agent, fake);
    const _csrf = await csrfTokenFrom(agent);
    network.online = false;
    const res = await agent.post('/logout').type('form').send({ _csrf }).expect(303);
    expect(res.headers.location).toBe('/?logout=revocation_failed');
    expect((await agent.get('/')).text).not.toContain('You are logged in');
  });

  it('ends the session without revoking when the server has no revocation_endpoint', async () => {
    delete fake.metadata.revocation_endpoint;
    agent = clientAgent(fake);
    await logIn(agent, fake);
    const res = await logOut();
    expect(fake.revocationRequests).toHaveLength(0);
    expect((await agent.get(res.headers.location ?? '/')).text).toContain('does not offer token revocation');
  });
});
