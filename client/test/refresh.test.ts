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

async function postForm(path: string) {
  return agent.post(path).type('form').send({ _csrf: await csrfTokenFrom(agent) });
}

describe('POST /refresh (RFC 6749 §6)', () => {
  it('sends grant_type=refresh_token with the refresh token, authenticated with client_secret_basic', async () => {
    await postForm('/refresh').then((res) => expect(res.status).toBe(303));
    const request = fake.tokenRequests.at(-1);
    expect(request?.body).toEqual({ grant_type: 'refresh_token', refresh_token: 'refresh-1' });
    expect(request?.authorization).toMatch(/^Basic /);
  });

  it('replaces both tokens: the new access token is used, and the new refresh token next time', async () => {
    await postForm('/refresh');
    await postForm('/resource');
    expect(fake.resourceRequests.at(-1)).toBe('Bearer access-2');
    await postForm('/refresh');
    expect(fake.tokenRequests.at(-1)?.body.refresh_token).toBe('refresh-2');
    expect((await agent.get('/')).text).toContain('The tokens were refreshed.');
  });

  it('keeps the old refresh token when the server does not issue a new one', async () => {
    fake.tokenResponse = () => {
      fake.validAccessTokens.add('access-x');
      return { status: 200, json: { access_token: 'access-x', token_type: 'Bearer', expires_in: 60 } };
    };
    await postForm('/refresh');
    await postForm('/refresh');
    expect(fake.tokenRequests.at(-1)?.body.refresh_token).toBe('refresh-1');
  });

  it('drops the tokens and asks to log in again when the refresh is refused', async () => {
    fake.validRefreshTokens.clear();
    // The page lands on the refused refresh in the flow inspector (its cards 6 and 7).
    await postForm('/refresh').then((res) => expect(res.headers.location).toBe('/#step-6'));
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Please log in again');
    expect(home.text).toContain('action="/login"');
  });

  it('keeps the tokens and shows a 503 page when the authorization server is unreachable', async () => {
    const { agent: switchable, network } = agentWithNetworkSwitch(fake);
    agent = switchable;
    await logIn(agent, fake);
    const _csrf = await csrfTokenFrom(agent);
    network.online = false;
    const res = await agent.post('/refresh').type('form').send({ _csrf }).expect(503);
    expect(res.text).toContain('could not be reached');
    network.online = true;
    expect((await agent.get('/')).text).toContain('You are logged in');
  });
});
