import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { CLIENT_SECRET, clientAgent, formUrlDecode, logIn, startLogin, type Agent } from './helpers.ts';

let fake: FakeAuthorizationServer;
let agent: Agent;
beforeEach(async () => {
  fake = await startFakeAuthorizationServer();
  agent = clientAgent(fake);
});
afterEach(() => fake.close());

/** Starts a login and returns a function that comes back to /callback with the given parameters. */
async function pendingLogin() {
  const state = (await startLogin(agent)).get('state') ?? '';
  return { state, back: (query: Record<string, string>) => agent.get('/callback').query(query) };
}

describe('GET /callback: binding the response to this browser (RFC 6749 §10.12)', () => {
  it('refuses a callback without state, and makes no token request', async () => {
    await pendingLogin();
    await agent.get('/callback').query({ code: 'c', iss: fake.issuer }).expect(400);
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('refuses a callback whose state does not match the session, and makes no token request', async () => {
    const { back } = await pendingLogin();
    const res = await back({ code: 'c', state: 'forged-state', iss: fake.issuer }).expect(400);
    expect(res.text).toContain('state parameter does not match');
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('refuses a callback from another browser, whose session never started this login', async () => {
    const { state } = await pendingLogin();
    await clientAgent(fake).get('/callback').query({ code: 'c', state, iss: fake.issuer }).expect(400);
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('accepts each state once only', async () => {
    const { state, back } = await pendingLogin();
    await back({ code: 'c', state, iss: fake.issuer }).expect(303);
    await back({ code: 'c', state, iss: fake.issuer }).expect(400);
    expect(fake.tokenRequests).toHaveLength(1);
  });

  it('answers 400, not 500, to a repeated parameter (RFC 6749 §3.1)', async () => {
    const { state } = await pendingLogin();
    await agent.get(`/callback?code=c&state=${state}&state=${state}&iss=${encodeURIComponent(fake.issuer)}`).expect(400);
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('refuses a response without a code', async () => {
    const { state, back } = await pendingLogin();
    await back({ state, iss: fake.issuer }).expect(400);
    expect(fake.tokenRequests).toHaveLength(0);
  });
});

describe('GET /callback: authorization server issuer identification (RFC 9207 §2.4)', () => {
  it('refuses a response without iss when the metadata advertises it, and makes no token request', async () => {
    const { state, back } = await pendingLogin();
    const res = await back({ code: 'c', state }).expect(400);
    expect(res.text).toContain('iss parameter does not match');
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('refuses a response whose iss is another issuer (mix-up defence)', async () => {
    const { state, back } = await pendingLogin();
    await back({ code: 'c', state, iss: 'https://attacker.example' }).expect(400);
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('accepts a response without iss when the server does not advertise it', async () => {
    delete fake.metadata.authorization_response_iss_parameter_supported;
    const { state, back } = await pendingLogin();
    await back({ code: 'c', state }).expect(303);
  });

  it('still refuses a present but wrong iss when the server does not advertise it', async () => {
    delete fake.metadata.authorization_response_iss_parameter_supported;
    const { state, back } = await pendingLogin();
    await back({ code: 'c', state, iss: 'https://attacker.example' }).expect(400);
    expect(fake.tokenRequests).toHaveLength(0);
  });
});

describe('GET /callback: error responses (RFC 6749 §4.1.2.1)', () => {
  it('explains access_denied in plain words with 403, showing the error code', async () => {
    const { state, back } = await pendingLogin();
    const res = await back({ error: 'access_denied', state, iss: fake.issuer }).expect(403);
    expect(res.text).toMatch(/access was denied/i);
    expect(res.text).toContain('you declined on the consent page');
    expect(res.text).toContain('<code>access_denied</code>');
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('consumes the pending login, so the same state cannot be used afterwards', async () => {
    const { state, back } = await pendingLogin();
    await back({ error: 'access_denied', state, iss: fake.issuer }).expect(403);
    await back({ code: 'c', state, iss: fake.issuer }).expect(400);
    expect(fake.tokenRequests).toHaveLength(0);
  });

  it('shows other error codes with 400 and the escaped error_description', async () => {
    const { state, back } = await pendingLogin();
    const res = await back({ error: 'invalid_scope', error_description: '<b>nope</b>', state, iss: fake.issuer }).expect(400);
    expect(res.text).toContain('<code>invalid_scope</code>');
    expect(res.text).toContain('&lt;b&gt;nope&lt;/b&gt;');
  });
});

describe('GET /callback: access token request (RFC 6749 §4.1.3)', () => {
  it('posts grant_type, code, redirect_uri and code_verifier', async () => {
    const { state, back } = await pendingLogin();
    await back({ code: 'the-code', state, iss: fake.issuer }).expect(303).expect('Location', '/');
    expect(fake.tokenRequests[0]?.body).toMatchObject({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'http://localhost:3000/callback',
      code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('authenticates with client_secret_basic, form-urlencoding id and secret before base64 (RFC 6749 §2.3.1)', async () => {
    const client_id = 'my-app+v2/client:1 é';
    const client_secret = 'p@ss:w+rd/=%';
    agent = clientAgent(fake, { CLIENT_ID: client_id, CLIENT_SECRET: client_secret });
    await logIn(agent, fake);

    const request = fake.tokenRequests[0];
    const [scheme, encoded] = (request?.authorization ?? '').split(' ');
    expect(scheme).toBe('Basic');
    const decoded = Buffer.from(encoded ?? '', 'base64').toString();
    expect(decoded).toBe('my-app%2Bv2%2Fclient%3A1+%C3%A9:p%40ss%3Aw%2Brd%2F%3D%25');
    const [id, secret] = decoded.split(':');
    expect([formUrlDecode(id ?? ''), formUrlDecode(secret ?? '')]).toEqual([client_id, client_secret]);
    // With Basic, the credentials are not repeated in the body.
    expect(request?.body).not.toHaveProperty('client_secret');
  });

  it('posts the credentials in the body when the server supports only client_secret_post', async () => {
    fake.metadata.token_endpoint_auth_methods_supported = ['client_secret_post'];
    await logIn(agent, fake);
    expect(fake.tokenRequests[0]?.authorization).toBeUndefined();
    expect(fake.tokenRequests[0]?.body).toMatchObject({ client_id: 'testclient', client_secret: CLIENT_SECRET });
  });

  it('tolerates an id_token and a missing expires_in (RFC 6749 §5.1)', async () => {
    fake.tokenResponse = () => {
      fake.validAccessTokens.add('at');
      return { status: 200, json: { access_token: 'at', token_type: 'bearer', id_token: 'eyJ.x.y', extra: { a: 1 } } };
    };
    await logIn(agent, fake);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('did not say when it expires');
    expect(home.text).toContain('alice');
  });

  it('records the granted scope from the response, or the requested one when omitted (RFC 6749 §5.1)', async () => {
    fake.tokenResponse = () => {
      fake.validAccessTokens.add('at');
      return { status: 200, json: { access_token: 'at', token_type: 'Bearer', expires_in: 60, scope: 'profile email' } };
    };
    await logIn(agent, fake);
    expect((await agent.get('/')).text).toContain('<code>email</code>');

    fake.tokenResponse = () => ({ status: 200, json: { access_token: 'at', token_type: 'Bearer' } });
    const other = clientAgent(fake, { SCOPE: 'profile openid' });
    await logIn(other, fake);
    expect((await other.get('/')).text).toContain('<code>openid</code>');
  });

  it('refuses a token_type other than Bearer with a 502 page', async () => {
    fake.tokenResponse = () => ({ status: 200, json: { access_token: 'at', token_type: 'mac' } });
    const { state, back } = await pendingLogin();
    const res = await back({ code: 'c', state, iss: fake.issuer }).expect(502);
    expect(res.text).toContain('token_type is not Bearer');
  });

  it('shows the OAuth error code of a token error response, not a 500 (RFC 6749 §5.2)', async () => {
    fake.tokenResponse = () => ({ status: 400, json: { error: 'invalid_grant', error_description: 'code expired' } });
    const { state, back } = await pendingLogin();
    const res = await back({ code: 'c', state, iss: fake.issuer }).expect(400);
    expect(res.text).toContain('<code>invalid_grant</code>');
    expect(res.text).not.toContain(CLIENT_SECRET);
  });

  it('shows a 503 page when the token endpoint cannot be reached', async () => {
    agent = clientAgent(fake, {}, {
      fetch: (input, init) =>
        String(input).endsWith('/oauth/token') ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init),
    });
    const { state, back } = await pendingLogin();
    await back({ code: 'c', state, iss: fake.issuer }).expect(503);
  });

  it('issues a new session id after login, to prevent session fixation', async () => {
    // A browser that already has a session: a refused callback stores its story in one.
    await agent.get('/callback').query({ code: 'c', state: 'forged', iss: fake.issuer }).expect(400);
    const before = agent.jar.getCookie('client.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false });
    expect(before?.value).toBeTruthy();
    await logIn(agent, fake);
    const after = agent.jar.getCookie('client.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false });
    expect(after?.value).toBeTruthy();
    expect(after?.value).not.toBe(before?.value);
  });

  it('never shows the client secret, a token or the code_verifier in a page, a header or a URL', async () => {
    const seen: string[] = [];
    const record = (res: { text: string; headers: Record<string, string> }) => seen.push(res.text, JSON.stringify(res.headers));
    const login = await agent.post('/login');
    record(login);
    const state = new URL(login.headers.location ?? '').searchParams.get('state') ?? '';
    record(await agent.get('/callback').query({ code: 'c', state, iss: fake.issuer }));
    record(await agent.get('/'));
    record(await agent.get('/callback').query({ code: 'c', state, iss: fake.issuer })); // an error page too

    const secrets = [CLIENT_SECRET, 'access-1', 'refresh-1', fake.tokenRequests[0]?.body.code_verifier ?? 'missing'];
    for (const secret of secrets) expect(seen.join('\n')).not.toContain(secret);
  });
});
