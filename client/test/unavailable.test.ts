// The authorization server answers 503 ("try again later": its database is down, say). Nothing is wrong with the
// user's tokens: the client keeps them and its session as they were, and says when to try again (Retry-After,
// RFC 9110 §10.2.3), instead of treating the answer as a refusal that ends the sign-in.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retryAfterSeconds } from '../src/http/errors.ts';
import { startFakeAuthorizationServer, type FakeAuthorizationServer, type RawAnswer } from './fake-authorization-server.ts';
import { clientAgent, csrfTokenFrom, logIn, startLogin, type Agent } from './helpers.ts';

/** A 503 as the provider sends it: an OAuth error object, and Retry-After when `retryAfter` is given. */
function unavailable(retryAfter?: string, error = 'temporarily_unavailable'): RawAnswer {
  return (res) =>
    res
      .writeHead(503, { 'content-type': 'application/json', ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }) })
      .end(JSON.stringify({ error, error_description: 'The service cannot reach its database right now.' }));
}

let fake: FakeAuthorizationServer;
let agent: Agent;
beforeEach(async () => {
  fake = await startFakeAuthorizationServer();
  agent = clientAgent(fake);
  await logIn(agent, fake);
});
afterEach(() => fake.close());

async function post(path: string) {
  return agent.post(path).type('form').send({ _csrf: await csrfTokenFrom(agent) });
}

describe('the token endpoint answers 503 to a refresh (RFC 6749 §6)', () => {
  it('shows "temporarily unavailable, try again in 7 seconds" and keeps the tokens and the session', async () => {
    fake.raw.token = unavailable('7');
    const res = await post('/refresh');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.text).toContain('The authorization server is temporarily unavailable. Try again in 7 seconds.');

    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('You are logged in');
    // Once the server is back, the same refresh token is used: it was never given up.
    delete fake.raw.token;
    expect((await post('/refresh')).status).toBe(303);
    const refreshes = fake.tokenRequests.filter((request) => request.body.grant_type === 'refresh_token');
    expect(refreshes.map((request) => request.body.refresh_token)).toEqual(['refresh-1', 'refresh-1']);
    expect((await agent.get('/')).text).toContain('The tokens were refreshed.');
  });

  it('treats any 503 the same way, whatever its error code (server_error here), and without Retry-After says "in a moment"', async () => {
    fake.raw.token = unavailable(undefined, 'server_error');
    const res = await post('/refresh');
    expect(res.status).toBe(503);
    expect(res.text).toContain('Try again in a moment.');
    expect((await agent.get('/')).text).toContain('You are logged in');
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    fake.raw.token = unavailable(new Date(Date.now() + 10 * 60_000).toUTCString());
    expect((await post('/refresh')).text).toContain('Try again in 10 minutes.');
  });
});

describe('the token endpoint answers 503 to a code exchange (RFC 6749 §4.1.3)', () => {
  it('shows the unavailable page and leaves the signed-in session and its tokens as they were', async () => {
    const authorization = await startLogin(agent);
    fake.raw.token = unavailable('5');
    const res = await agent.get('/callback').query({ code: 'second-code', state: authorization.get('state'), iss: fake.issuer });
    expect(res.status).toBe(503);
    expect(res.text).toContain('The authorization server is temporarily unavailable. Try again in 5 seconds.');

    delete fake.raw.token;
    await post('/resource');
    expect(fake.resourceRequests.at(-1)).toBe('Bearer access-1'); // the first login's token, still there
  });
});

describe('the protected resource answers 503 (RFC 6750)', () => {
  it('keeps the tokens, does not try to refresh, and says when to try again', async () => {
    fake.raw.resource = unavailable('5');
    const tokenRequests = fake.tokenRequests.length;
    await post('/resource').then((res) => expect(res.status).toBe(303));
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('The resource server is temporarily unavailable. Try again in 5 seconds.');
    expect(home.text).toContain('You are logged in');
    expect(fake.tokenRequests.length).toBe(tokenRequests);

    delete fake.raw.resource;
    await post('/resource');
    expect(fake.resourceRequests.at(-1)).toBe('Bearer access-1');
  });
});

describe('retryAfterSeconds (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds and HTTP dates, and ignores what is neither or beyond a day', () => {
    expect(retryAfterSeconds('120')).toBe(120);
    expect(retryAfterSeconds(new Date(Date.now() - 5_000).toUTCString())).toBe(0);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds('-5')).toBeUndefined();
    expect(retryAfterSeconds(String(2 * 24 * 3600))).toBeUndefined();
  });
});
