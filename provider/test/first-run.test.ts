/**
 * What a person notices in their first minutes with the provider: the API opened in a browser, the favicon, an
 * unregistered redirect URI, and what the terminal shows for each request.
 */
import { Writable } from 'node:stream';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createLogger } from '@oauth-reference/common/log';
import { InMemoryStore } from '../src/store/index.ts';
import { authorizeQuery, csrfFrom, ISSUER, setup, testConfig } from './helpers.ts';

describe('GET /api/me without a token (RFC 6750 §3.1)', () => {
  it('answers 401 with the bare challenge and a JSON body that tells a person what is missing, with no error code', async () => {
    const res = await setup().agent.get('/api/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="${ISSUER}"`);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ message: expect.stringContaining('Authorization: Bearer') });
    expect(res.body).not.toHaveProperty('error');
  });
});

describe('favicon', () => {
  it('is linked from every page and served as SVG', async () => {
    const { agent } = setup();
    const page = await agent.get('/login');
    expect(page.text).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">');
    const icon = await agent.get('/static/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
  });

  it('answers /favicon.ico, which browsers ask for on pages without a link, with a redirect instead of a 404', async () => {
    const res = await setup().agent.get('/favicon.ico');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/static/favicon.svg');
  });
});

describe('GET /oauth/authorize with an unregistered redirect_uri (RFC 6749 §4.1.2.1)', () => {
  const hostile = 'https://evil.example/cb?x=<script>alert(1)</script>';

  it('shows the redirect_uri it received, escaped, as text and never as a link, and names REDIRECT_URI', async () => {
    const res = await setup().agent.get(`/oauth/authorize?${authorizeQuery({ redirect_uri: hostile })}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('https://evil.example/cb?x=&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>');
    expect(res.text).not.toMatch(/href="https:\/\/evil\.example/);
    expect(res.text).toContain('<code>REDIRECT_URI</code>');
  });

  it('says so when there was no redirect_uri at all', async () => {
    const res = await setup().agent.get(`/oauth/authorize?${authorizeQuery({ redirect_uri: undefined })}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('(no redirect_uri)');
  });

  it('does not show it for other errors, such as an unknown client', async () => {
    const res = await setup().agent.get(`/oauth/authorize?${authorizeQuery({ client_id: 'nobody' })}`);
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('REDIRECT_URI');
  });
});

describe('the sign-in page', () => {
  it('shows the demo credentials while they are the defaults', async () => {
    const page = await setup().agent.get('/login');
    expect(page.text).toContain('Demo account: username <strong>demo</strong>, password <strong>demo</strong>.');
  });

  it('does not show them once OAUTH_USERNAME or OAUTH_PASSWORD is set', async () => {
    for (const env of [{ OAUTH_PASSWORD: 'a-real-password' }, { OAUTH_USERNAME: 'alice' }]) {
      const page = await setup(env).agent.get('/login');
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('Demo account');
    }
  });
});

describe('an expired sign-in form after a provider restart', () => {
  const hidden = (html: string, name: string) =>
    (new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '').replace(/&amp;/g, '&').replace(/&#34;/g, '"');
  const cookieOf = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined)?.map((c) => c.split(';')[0]).join('; ') ?? '';

  /** The sign-in page for an authorization request, as served before the restart. */
  async function formBeforeRestart() {
    const before = setup({ PROVIDER_SESSION_SECRET: 'the-key-before-the-restart-32-chars-long' });
    const query = authorizeQuery();
    const toLogin = await before.agent.get(`/oauth/authorize?${query}`).expect(303);
    expect(toLogin.headers.location).toBe('/login');
    const page = await before.agent.get('/login');
    return { query, page, cookie: cookieOf(toLogin) };
  }

  it('starts the pending authorization request again instead of losing it (a restart changes the cookie key)', async () => {
    const { query, page, cookie } = await formBeforeRestart();
    const returnTo = hidden(page.text, 'return_to');
    expect(returnTo).toMatch(/^\/oauth\/authorize\?/);

    // A new key: the restarted provider cannot read the old cookie, so the form has expired.
    const after = setup({ PROVIDER_SESSION_SECRET: 'the-key-after-the-restart-is-another-one' });
    const expired = await request(after.app)
      .post('/login')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), return_to: returnTo, username: 'demo', password: 'demo' });
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('This form expired');
    expect(hidden(expired.text, 'return_to')).toBe(returnTo);

    const signedIn = await request(after.app)
      .post('/login')
      .set('Cookie', cookieOf(expired))
      .type('form')
      .send({ _csrf: csrfFrom(expired.text), username: 'demo', password: 'demo' });
    expect(signedIn.status).toBe(303);
    expect(new URL(signedIn.headers.location ?? '', ISSUER).searchParams.get('state')).toBe(query.get('state'));
    expect(signedIn.headers.location).toMatch(/^\/oauth\/authorize\?/);
  });

  it.each([
    ['another host', 'https://evil.example/oauth/authorize?client_id=testclient'],
    ['an unregistered redirect_uri', `/oauth/authorize?${authorizeQuery({ redirect_uri: 'https://evil.example/cb' })}`],
    ['another path', '/logout?x=1'],
  ])('ignores a return_to naming %s: only a valid authorization request is started again', async (_label, return_to) => {
    const { agent } = setup();
    const page = await agent.get('/login');
    const expired = await request(setup({ PROVIDER_SESSION_SECRET: 'another-key-than-the-one-that-signed-it' }).app)
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), return_to, username: 'demo', password: 'demo' });
    expect(expired.status).toBe(403);
    expect(expired.text).not.toContain('name="return_to"');
  });
});

describe('TRUST_PROXY', () => {
  it('is off unless set, and then given to Express as it is', () => {
    expect(setup().app.get('trust proxy')).toBe(false);
    expect(setup({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).app.get('trust proxy')).toEqual(['loopback', '10.0.0.0/8']);
  });
});

/** A logger writing JSON lines into an array, as server.ts's writes pretty lines to the terminal. */
function capturedLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger('provider', { level: 'info', format: 'json' }, stream) };
}

describe('request logs', () => {
  it('write one line per request: method, path without the query, status and time, and nothing else', async () => {
    const { lines, logger } = capturedLogs();
    const config = testConfig();
    const agent = request.agent(createApp(config, { store: new InMemoryStore(config), logger }));
    const query = authorizeQuery({ state: 'state-that-must-not-be-logged' });
    await agent.get(`/oauth/authorize?${query}`).set('Cookie', 'provider.sid=cookie-that-must-not-be-logged');
    await agent
      .post('/oauth/token')
      .auth('testclient', 'testsecret')
      .type('form')
      .send({ grant_type: 'authorization_code', code: 'code-that-must-not-be-logged', code_verifier: 'v'.repeat(43) });

    expect(lines).toHaveLength(2);
    const [authorize, token] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(authorize).toMatchObject({ method: 'GET', path: '/oauth/authorize', status: 303, msg: expect.stringMatching(/^GET \/oauth\/authorize 303 \d+ ms$/) });
    expect(token).toMatchObject({ method: 'POST', path: '/oauth/token', status: 400, msg: expect.stringMatching(/^POST \/oauth\/token 400 \d+ ms$/) });
    expect(Object.keys(token ?? {}).sort()).toEqual(['app', 'level', 'method', 'ms', 'msg', 'path', 'pid', 'reqId', 'status', 'time']);
    const all = lines.join('\n');
    for (const secret of ['state-that-must-not-be-logged', 'cookie-that-must-not-be-logged', 'code-that-must-not-be-logged', 'dGVzdGNsaWVudDp0ZXN0c2VjcmV0', 'testsecret']) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/authorization|cookie|headers/i);
  });
});
