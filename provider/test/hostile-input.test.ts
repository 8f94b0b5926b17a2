/**
 * Hostile input over every endpoint: repeated and array parameters, broken percent-encoding, oversized and
 * wrongly typed bodies, garbage credentials, unicode and null bytes, unknown paths.
 *
 * Whatever arrives, the answer is a client error (4xx) in the endpoint's own shape — an error page for pages,
 * `{ error, error_description }` for machine endpoints, an error redirect where RFC 6749 §4.1.2.1 asks for one —
 * never a 5xx, never a stack trace, and the app keeps answering afterwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  ISSUER,
  REDIRECT_URI,
  authorizeQuery,
  basic,
  csrfFrom,
  exchange,
  issueCode,
  pkce,
  setup,
  signIn,
  type Agent,
} from './helpers.ts';

/** How an endpoint refuses: its error page, its JSON error, or an error redirect to the client (RFC 6749 §4.1.2.1). */
type Shape = 'page' | 'json' | 'redirect';

function expectRefused(res: Response, shape: Shape, status?: number) {
  expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
  if (status !== undefined) expect(res.status).toBe(status);
  // No stack trace, whatever the shape.
  expect(res.text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
  if (shape === 'redirect') {
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toEqual(expect.any(String));
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    expect(location.searchParams.has('code')).toBe(false);
    return;
  }
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.headers.location).toBeUndefined();
  if (shape === 'json') {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error).toEqual(expect.any(String));
  } else {
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  }
}

const LONG = 'A'.repeat(10_000);
const OVERSIZED = `padding=${'x'.repeat(17 * 1024)}`;
const BAD_PERCENT = ['%E0%A4%A', '%zz', '%', '%%', '%u0041', '%C0%AF', '%FF%FE'];

// One app for the whole battery: after everything below, it must still run the flow (last test).
let agent: Agent;
let consentCsrf: string;
let loginCsrf: string;
/** The PKCE challenge of the consent page shown: its one-time form is bound to that request. */
const challenge = pkce().code_challenge;

beforeAll(async () => {
  ({ agent } = setup({ LOGIN_ATTEMPTS_PER_WINDOW: '10000' }));
  await signIn(agent);
  consentCsrf = csrfFrom((await agent.get(`/oauth/authorize?${authorizeQuery({}, challenge)}`)).text);
  loginCsrf = csrfFrom((await agent.get('/login')).text);
});

/** A valid authorization request with something appended to its query string. */
const authorizeWith = (extra: string, overrides: Record<string, string | undefined> = {}) =>
  `/oauth/authorize?${authorizeQuery(overrides)}${extra ? `&${extra}` : ''}`;

/** The consent form a browser would post, as a raw urlencoded string, with something appended. */
const consentFormWith = (extra: string, overrides: Record<string, string | undefined> = {}) => {
  const form = authorizeQuery(overrides, challenge);
  form.set('_csrf', consentCsrf);
  form.set('decision', 'allow');
  return `${form}${extra ? `&${extra}` : ''}`;
};

describe('GET /oauth/authorize with hostile query strings', () => {
  it.each<[string, () => string, Shape]>([
    ['client_id twice', () => authorizeWith(`client_id=${CLIENT_ID}`), 'page'],
    ['client_id twice, the second unknown', () => authorizeWith('client_id=evil'), 'page'],
    ['redirect_uri twice', () => authorizeWith(`redirect_uri=${encodeURIComponent(REDIRECT_URI)}`), 'page'],
    ['redirect_uri twice, the second an attacker URI', () => authorizeWith('redirect_uri=http%3A%2F%2Fevil.example%2F'), 'page'],
    ['client_id as an array (client_id[]=x)', () => authorizeWith('client_id[]=x', { client_id: undefined }), 'page'],
    ['client_id as a nested object (client_id[a]=x)', () => authorizeWith('client_id[a]=x', { client_id: undefined }), 'page'],
    ['redirect_uri as an array', () => authorizeWith(`redirect_uri[]=${encodeURIComponent(REDIRECT_URI)}`, { redirect_uri: undefined }), 'page'],
    ...BAD_PERCENT.map<[string, () => string, Shape]>((garbage) => [
      `client_id=${garbage}`,
      () => authorizeWith(`client_id=${garbage}`, { client_id: undefined }),
      'page',
    ]),
    ...BAD_PERCENT.map<[string, () => string, Shape]>((garbage) => [
      `redirect_uri=${garbage}`,
      () => authorizeWith(`redirect_uri=${garbage}`, { redirect_uri: undefined }),
      'page',
    ]),
    ['a null byte in client_id', () => authorizeWith('client_id=testclient%00', { client_id: undefined }), 'page'],
    ['a null byte in redirect_uri', () => authorizeWith(`redirect_uri=${encodeURIComponent(REDIRECT_URI)}%00`, { redirect_uri: undefined }), 'page'],
    ['a unicode client_id', () => authorizeWith('client_id=t%C3%ABstclient', { client_id: undefined }), 'page'],
    ['a unicode redirect_uri (IDN host)', () => authorizeWith('redirect_uri=http%3A%2F%2Fl%C3%B6calhost%3A3000%2Fcallback', { redirect_uri: undefined }), 'page'],
    ['a 10 000-character client_id', () => authorizeWith(`client_id=${LONG}`, { client_id: undefined }), 'page'],
    ['a 10 000-character redirect_uri', () => authorizeWith(`redirect_uri=${encodeURIComponent(REDIRECT_URI)}${LONG}`, { redirect_uri: undefined }), 'page'],
    ['an empty client_id', () => authorizeWith('client_id=', { client_id: undefined }), 'page'],
    ['state twice (RFC 6749 §3.1, §4.1.2.1: invalid_request goes back to the client)', () => authorizeWith('state=second'), 'redirect'],
    ['a null byte in state', () => authorizeWith('', { state: 'abc\u0000def' }), 'redirect'],
    ['broken percent-encoding in state', () => authorizeWith('state=%E0%A4%A', { state: undefined }), 'redirect'],
    ['a unicode state', () => authorizeWith('', { state: 'st\u00e4te-\u{1F600}' }), 'redirect'],
    ['a null byte in scope', () => authorizeWith('', { scope: 'profile\u0000' }), 'redirect'],
    ['a unicode scope', () => authorizeWith('', { scope: 'pr\u00f6file' }), 'redirect'],
    ['a 10 000-character scope', () => authorizeWith('', { scope: LONG }), 'redirect'],
    ['broken percent-encoding in code_challenge', () => authorizeWith('code_challenge=%E0%A4%A', { code_challenge: undefined }), 'redirect'],
    ['a 10 000-character code_challenge', () => authorizeWith('', { code_challenge: LONG }), 'redirect'],
    ['response_type as an array', () => authorizeWith('response_type[]=code', { response_type: undefined }), 'redirect'],
  ])('answers %s without a 5xx', async (_label, url, shape) => {
    expectRefused(await agent.get(url()), shape);
  });
});

describe('unknown parameters, even with garbage names, are ignored (RFC 6749 §3.1)', () => {
  it('shows the consent page for a request with extra parameters named in broken percent-encoding', async () => {
    const res = await agent.get(authorizeWith('%E0%A4%A=1&%zz=2&foo[]=x'));
    expect(res.status).toBe(200);
  });

  it('issues the code for a consent form with an extra parameter named in broken percent-encoding', async () => {
    const res = await agent.post('/oauth/authorize').type('form').send(consentFormWith('%E0%A4%A=1&foo[]=x'));
    expect(res.status).toBe(303);
    expect(new URL(res.headers.location as string).searchParams.get('code')).toBeTruthy();
  });
});

describe('POST /oauth/authorize with hostile form bodies', () => {
  it.each<[string, () => string, Shape, number?]>([
    ['client_id twice', () => consentFormWith(`client_id=${CLIENT_ID}`), 'page', 400],
    ['redirect_uri twice, the second an attacker URI', () => consentFormWith('redirect_uri=http%3A%2F%2Fevil.example%2F'), 'page', 400],
    ['client_id[]=x instead of client_id', () => consentFormWith('client_id[]=x', { client_id: undefined }), 'page', 400],
    ...BAD_PERCENT.map<[string, () => string, Shape, number?]>((garbage) => [
      `client_id=${garbage}`,
      () => consentFormWith(`client_id=${garbage}`, { client_id: undefined }),
      'page',
    ]),
    ['a null byte in redirect_uri', () => consentFormWith(`redirect_uri=${encodeURIComponent(REDIRECT_URI)}%00`, { redirect_uri: undefined }), 'page', 400],
    ['_csrf twice', () => consentFormWith(`_csrf=${consentCsrf}`), 'page', 403],
    ['_csrf as an array', () => consentFormWith(`_csrf[]=${consentCsrf}`).replace(`_csrf=${consentCsrf}&`, ''), 'page', 403],
    ['a unicode _csrf', () => consentFormWith('').replace(`_csrf=${consentCsrf}`, '_csrf=%C3%A9%C3%A9'), 'page', 403],
    ['state twice (RFC 6749 §3.1, §4.1.2.1: invalid_request goes back to the client)', () => consentFormWith('state=second'), 'redirect'],
    ['more than 32 parameters', () => consentFormWith(Array.from({ length: 40 }, (_, i) => `p${i}=1`).join('&')), 'page'],
  ])('answers %s without a 5xx and without a code', async (_label, body, shape, status) => {
    const res = await agent.post('/oauth/authorize').type('form').send(body());
    expectRefused(res, shape, status);
  });

  it('answers a body over 16 kb with 413', async () => {
    const res = await agent.post('/oauth/authorize').type('form').send(`${consentFormWith('')}&${OVERSIZED}`);
    expectRefused(res, 'page', 413);
  });

  it.each([
    ['JSON', 'application/json', JSON.stringify({ client_id: CLIENT_ID, _csrf: 'x' })],
    ['broken JSON', 'application/json', '{"client_id":'],
    ['text/plain', 'text/plain', consentFormWith('')],
    ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--'],
    ['XML', 'application/xml', '<a>b</a>'],
    ['a form with an unsupported charset', 'application/x-www-form-urlencoded; charset=koi8-r', consentFormWith('')],
  ])('answers a %s body with a 4xx page', async (_label, type, body) => {
    const res = await agent.post('/oauth/authorize').set('Content-Type', type).send(body);
    expectRefused(res, 'page');
  });

  it('answers a form body with a bogus Content-Encoding with a 4xx page', async () => {
    const res = await agent.post('/oauth/authorize').type('form').set('Content-Encoding', 'gzip').send('not gzip at all');
    expectRefused(res, 'page');
  });
});

describe('POST /login with hostile form bodies', () => {
  const loginForm = (extra: string, fields: Record<string, string> = { username: 'demo', password: 'wrong' }) =>
    `${new URLSearchParams({ _csrf: loginCsrf, ...fields })}${extra ? `&${extra}` : ''}`;

  it.each<[string, () => string, number]>([
    ['username twice', () => loginForm('username=demo'), 400],
    ['password twice', () => loginForm('password=demo'), 400],
    ['username as an array', () => loginForm('username[]=demo', { password: 'demo' }), 400],
    ...BAD_PERCENT.map<[string, () => string, number]>((garbage) => [
      `username=${garbage}`,
      () => loginForm(`username=${garbage}`, { password: 'demo' }),
      401,
    ]),
    ['broken percent-encoding in the password', () => loginForm('password=%E0%A4%A', { username: 'demo' }), 401],
    ['a null byte in the username', () => loginForm('', { username: 'demo\u0000', password: 'demo' }), 401],
    ['a unicode username', () => loginForm('', { username: 'd\u00e9mo\u{1F600}', password: 'demo' }), 401],
    ['a 10 000-character password', () => loginForm('', { username: 'demo', password: LONG }), 401],
    ['no CSRF token', () => 'username=demo&password=demo', 403],
    ['_csrf as an array', () => `_csrf[]=${loginCsrf}&username=demo&password=demo`, 403],
    ['_csrf twice', () => loginForm(`_csrf=${loginCsrf}`), 403],
  ])('answers %s with %i', async (_label, body, status) => {
    const res = await agent.post('/login').type('form').send(body());
    expectRefused(res, 'page', status);
  });

  it('answers a body over 16 kb with 413', async () => {
    const res = await agent.post('/login').type('form').send(`${loginForm('')}&${OVERSIZED}`);
    expectRefused(res, 'page', 413);
  });

  it.each([
    ['JSON', 'application/json', JSON.stringify({ username: 'demo', password: 'demo' })],
    ['text/plain', 'text/plain', 'username=demo&password=demo'],
  ])('answers a %s body with a 4xx page', async (_label, type, body) => {
    const res = await agent.post('/login').set('Content-Type', type).send(body);
    expectRefused(res, 'page');
  });
});

describe('POST /oauth/token with hostile requests', () => {
  const grant = (extra = '') =>
    `${new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'some-code',
      code_verifier: pkce().code_verifier,
      redirect_uri: REDIRECT_URI,
    })}${extra ? `&${extra}` : ''}`;
  const post = (body: string, authorization: string | null = basic(CLIENT_ID, CLIENT_SECRET)) => {
    const req = agent.post('/oauth/token').type('form');
    if (authorization !== null) req.set('Authorization', authorization);
    return req.send(body);
  };

  it.each<[string, () => string, (string | null)?]>([
    ['client_id twice in the body (client_secret_post)', () => `${grant()}&client_id=${CLIENT_ID}&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`, null],
    ['client_secret twice in the body', () => `${grant()}&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}&client_secret=x`, null],
    ['client_id[]=x in the body', () => `${grant()}&client_id[]=x&client_secret=${CLIENT_SECRET}`, null],
    ['code twice', () => grant('code=other')],
    ['grant_type twice', () => grant('grant_type=authorization_code')],
    ['code_verifier twice', () => grant(`code_verifier=${pkce().code_verifier}`)],
    ['redirect_uri twice', () => grant(`redirect_uri=${encodeURIComponent(REDIRECT_URI)}`)],
    ['grant_type[]=authorization_code instead of grant_type', () => grant().replace('grant_type=', 'grant_type[]=')],
    ...BAD_PERCENT.map<[string, () => string]>((garbage) => [`code=${garbage}`, () => grant().replace('code=some-code', `code=${garbage}`)]),
    ...BAD_PERCENT.map<[string, () => string, null]>((garbage) => [
      `client_id=${garbage} in the body`,
      () => `${grant()}&client_id=${garbage}&client_secret=x`,
      null,
    ]),
    ['a parameter name that is broken percent-encoding', () => grant('%E0%A4%A=1')],
    ['a 10 000-character code', () => grant().replace('code=some-code', `code=${LONG}`)],
    ['a 10 000-character code_verifier', () => grant().replace(/code_verifier=[^&]+/, `code_verifier=${LONG}`)],
    ['a unicode code', () => grant().replace('code=some-code', 'code=c%C3%B6de-%F0%9F%98%80')],
    ['a null byte in the code', () => grant().replace('code=some-code', 'code=some%00code')],
    ['a null byte in grant_type', () => grant().replace('grant_type=authorization_code', 'grant_type=authorization_code%00')],
    ['a unicode grant_type', () => grant().replace('grant_type=authorization_code', 'grant_type=authorizati%C3%B6n_code')],
    ['a redirect_uri that is not a URI', () => grant().replace(/redirect_uri=[^&]+/, 'redirect_uri=%00%01not a uri')],
    ['an empty body', () => ''],
    ['more than 32 parameters', () => grant(Array.from({ length: 40 }, (_, i) => `p${i}=1`).join('&'))],
  ])('answers %s with a 4xx JSON error', async (_label, body, authorization) => {
    expectRefused(await post(body(), authorization), 'json');
  });

  it.each<[string, string]>([
    ['"Basic" with no credentials', 'Basic'],
    ['"Basic " and a space', 'Basic '],
    ['non-base64 garbage', 'Basic !!!!****'],
    ['base64 with no colon', `Basic ${Buffer.from('testclienttestsecret').toString('base64')}`],
    ['an empty client id', `Basic ${Buffer.from(':testsecret').toString('base64')}`],
    ['an empty secret', `Basic ${Buffer.from('testclient:').toString('base64')}`],
    ['an empty id and secret', `Basic ${Buffer.from(':').toString('base64')}`],
    ['broken percent-encoding in the id', `Basic ${Buffer.from('%E0%A4%A:testsecret').toString('base64')}`],
    ['broken percent-encoding in the secret', `Basic ${Buffer.from('testclient:%zz').toString('base64')}`],
    ['8 kb of base64', `Basic ${Buffer.from(`testclient:${'s'.repeat(6000)}`).toString('base64')}`],
    ['8 kb of garbage', `Basic ${'!'.repeat(8000)}`],
    ['another scheme (Bearer)', 'Bearer testsecret'],
    ['another scheme (Digest)', 'Digest username="testclient"'],
    ['a latin-1 character', 'Basic d\u00e9mo'],
  ])('answers an Authorization header with %s with 401 invalid_client (RFC 6749 §5.2)', async (_label, authorization) => {
    const res = await post(grant(), authorization);
    expectRefused(res, 'json', 401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
  });

  // Characters outside VSCHAR (RFC 6749 Appendix A.1) make the client_id malformed as well as unknown: either
  // refusal (400 invalid_request or 401 invalid_client) is acceptable.
  it.each<[string, string]>([
    ['a null byte in the id', `Basic ${Buffer.from('testclient\u0000:testsecret').toString('base64')}`],
    ['unicode in the id', `Basic ${Buffer.from('t\u00ebstclient:testsecret').toString('base64')}`],
    ['invalid UTF-8 once decoded', `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0xc0, 0xaf]).toString('base64')}`],
  ])('answers an Authorization header with %s with invalid_client or invalid_request', async (_label, authorization) => {
    const res = await post(grant(), authorization);
    expectRefused(res, 'json');
    expect([400, 401]).toContain(res.status);
    expect(res.body.error).toBe(res.status === 401 ? 'invalid_client' : 'invalid_request');
  });

  it('answers a body over 16 kb with 413', async () => {
    expectRefused(await post(`${grant()}&${OVERSIZED}`), 'json', 413);
  });

  it.each([
    ['JSON', 'application/json', JSON.stringify({ grant_type: 'authorization_code', code: 'x' })],
    ['broken JSON', 'application/json', '{"grant_type":'],
    ['text/plain', 'text/plain', 'grant_type=authorization_code&code=x'],
    ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nauthorization_code\r\n--x--'],
    ['a form with an unsupported charset', 'application/x-www-form-urlencoded; charset=koi8-r', 'grant_type=authorization_code'],
    ['no content type', '', 'grant_type=authorization_code'],
  ])('answers a %s body with a 4xx JSON error', async (_label, type, body) => {
    const req = agent.post('/oauth/token').set('Authorization', basic(CLIENT_ID, CLIENT_SECRET));
    if (type) req.set('Content-Type', type);
    expectRefused(await req.send(body), 'json');
  });

  it('answers a form body with a bogus Content-Encoding with a 4xx JSON error', async () => {
    const res = await agent
      .post('/oauth/token')
      .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
      .type('form')
      .set('Content-Encoding', 'gzip')
      .send(grant());
    expectRefused(res, 'json');
  });

  it('answers request headers over the server limit with 431, not 5xx', async () => {
    const res = await agent.post('/oauth/token').set('Authorization', `Basic ${'A'.repeat(20_000)}`).type('form').send(grant());
    expect(res.status).toBe(431);
  });
});

describe('GET /api/me with hostile requests', () => {
  it.each<[string, string, number]>([
    ['an 8 kb bearer token', `Bearer ${'a'.repeat(8000)}`, 401],
    ['a token with spaces inside', 'Bearer abc def', 400],
    ['"Bearer" and nothing else', 'Bearer', 400],
    ['"Bearer " and spaces', 'Bearer    ', 400],
    ['a latin-1 token', 'Bearer t\u00f6ken', 400],
    ['two schemes', 'Bearer abc, Basic xyz', 400],
  ])('answers an Authorization header with %s with %i', async (_label, authorization, status) => {
    const res = await agent.get('/api/me').set('Authorization', authorization);
    expect(res.status).toBe(status);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expect(res.body).not.toHaveProperty('sub');
  });

  it.each([
    ['access_token[]=x', '/api/me?access_token[]=x'],
    ['access_token twice', '/api/me?access_token=a&access_token=b'],
    ['broken percent-encoding', '/api/me?%E0%A4%A=%zz'],
    ['a null byte', '/api/me?access_token=%00'],
  ])('answers a query with %s with 401 and never reads the user', async (_label, url) => {
    const res = await agent.get(url);
    expect(res.status).toBe(401);
    expect(res.body).not.toHaveProperty('sub');
  });
});

describe('unknown paths and methods', () => {
  it.each([
    ['GET', '/api/nothing'],
    ['GET', '/api/'],
    ['POST', '/api/me'],
    ['GET', '/api/%E0%A4%A'],
    ['GET', '/oauth/token/extra'],
    ['GET', '/oauth/tokens'],
    ['GET', '/oauth/revoke'],
    ['GET', '/oauth/introspect'],
    ['GET', '/.well-known/openid-configuration'],
    ['GET', '/.well-known/%zz'],
  ] as const)('answers %s %s with a 404 JSON error', async (method, path) => {
    const res = await (method === 'GET' ? agent.get(path) : agent.post(path));
    expectRefused(res, 'json', 404);
  });

  it.each([
    ['GET', '/nothing'],
    ['GET', '/oauth/authorize/extra'],
    ['POST', '/nothing'],
    ['DELETE', '/oauth/authorize'],
    ['PUT', '/login'],
    ['GET', '/%E0%A4%A'],
    ['GET', '/%zz'],
    ['GET', '/logout'],
  ] as const)('answers %s %s with a 404 HTML page', async (method, path) => {
    const call = { GET: agent.get, POST: agent.post, DELETE: agent.delete, PUT: agent.put }[method].bind(agent);
    expectRefused(await call(path), 'page', 404);
  });

  it.each([
    '/static/%E0%A4%A',
    '/static/..%2f..%2fsrc%2fconfig.ts',
    '/static/..%5c..%5csrc%5cconfig.ts',
    '/static/%2e%2e/%2e%2e/package.json',
    '/static/style.css%00.js',
  ])('answers the static path %s with a 4xx page and leaks no source', async (path) => {
    const res = await agent.get(path);
    expectRefused(res, 'page');
    expect(res.text).not.toContain('loadConfig');
    expect(res.text).not.toContain('"dependencies"');
  });
});

describe('after all of the above', () => {
  it('still serves the metadata', async () => {
    const res = await agent.get('/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
  });

  it('still runs the whole flow for the signed-in user', async () => {
    const { code, code_verifier } = await issueCode(agent);
    const token = await exchange(agent, code, code_verifier);
    expect(token.status).toBe(200);
    const me = await agent.get('/api/me').set('Authorization', `Bearer ${token.body.access_token}`);
    expect(me.status).toBe(200);
  });

  it('still signs a new user in', async () => {
    const { agent: fresh } = setup();
    expect((await signIn(fresh)).status).toBe(303);
  });
});
