import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../src/app.ts';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { clientAgent, startLogin, testConfig } from './helpers.ts';

let fake: FakeAuthorizationServer;
beforeAll(async () => {
  fake = await startFakeAuthorizationServer();
});
afterAll(() => fake.close());

describe('GET /', () => {
  it('offers a "Log in" button (a POST form) when logged out, without creating a session', async () => {
    const res = await clientAgent(fake).get('/').expect(200);
    expect(res.text).toContain('<form method="post" action="/login"><button type="submit">Log in</button></form>');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('is served with Cache-Control: no-store', async () => {
    await clientAgent(fake).get('/').expect('Cache-Control', 'no-store');
  });

  it('sends Referrer-Policy: no-referrer, so codes in URLs never leak to other sites', async () => {
    await clientAgent(fake).get('/').expect('Referrer-Policy', 'no-referrer');
  });

  it("allows forms to post to 'self' and the authorization server's origin only (CSP form-action)", async () => {
    const res = await clientAgent(fake).get('/').expect(200);
    expect(res.headers['content-security-policy']).toContain(`form-action 'self' ${fake.issuer}`);
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('ignores an unknown logout flag and answers 400 to a repeated one', async () => {
    await clientAgent(fake).get('/?logout=<script>').expect(200);
    await clientAgent(fake).get('/?logout=done&logout=done').expect(400);
  });
});

describe('cookies', () => {
  it('sets the session cookie client.sid at sign-in, httpOnly, SameSite=Lax, expiring with the session', async () => {
    const agent = clientAgent(fake);
    const { state } = Object.fromEntries(await startLogin(agent));
    const res = await agent.get('/callback').query({ code: 'c', state, iss: fake.issuer }).expect(303);
    const cookie = cookieNamed(res, 'client.sid');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Expires=');
    expect(cookie).not.toContain('Secure');
  });

  it('keeps a login in progress in client.login: httpOnly, SameSite=Lax, for ten minutes', async () => {
    const res = await clientAgent(fake).post('/login').expect(303);
    const cookie = cookieNamed(res, 'client.login');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Max-Age=600');
  });

  it('makes both cookies Secure when the redirect URI is https', async () => {
    const app = createApp(testConfig(fake.issuer, { REDIRECT_URI: 'https://client.example/callback' }));
    // Cookies are only sent back over TLS, which the proxy header stands in for here.
    app.set('trust proxy', true);
    const login = await request(app).post('/login').set('X-Forwarded-Proto', 'https').expect(303);
    const pending = cookieNamed(login, 'client.login');
    expect(pending).toContain('Secure');
    const { state } = Object.fromEntries(new URL(login.headers.location ?? '').searchParams);
    const callback = await request(app)
      .get('/callback')
      .query({ code: 'c', state, iss: fake.issuer })
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', pending.split(';')[0] ?? '')
      .expect(303);
    expect(cookieNamed(callback, 'client.sid')).toContain('Secure');
  });
});

function cookieNamed(res: { headers: Record<string, unknown> }, name: string): string {
  const cookies = (res.headers['set-cookie'] ?? []) as string[];
  const cookie = cookies.find((line) => line.startsWith(`${name}=`));
  if (!cookie) throw new Error(`no ${name} cookie in ${JSON.stringify(cookies)}`);
  return cookie;
}

describe('errors', () => {
  it('renders one 404 page for unknown paths', async () => {
    const res = await clientAgent(fake).get('/nope').expect(404);
    expect(res.text).toContain('There is no page at this address.');
  });

  it('answers 4xx, not 500, to malformed input', async () => {
    await clientAgent(fake).get('/callback?state[a]=1&state[b]=2').expect(400);
    await clientAgent(fake).post('/logout').type('form').send(`_csrf=${'x'.repeat(20_000)}`).expect(413);
  });

  it('shows no stack trace outside development', async () => {
    const res = await clientAgent(fake).get('/nope').expect(404);
    expect(res.text).not.toContain('Stack trace');
  });

  it('shows the stack trace when NODE_ENV=development', async () => {
    const res = await clientAgent(fake, { NODE_ENV: 'development' }).get('/nope').expect(404);
    expect(res.text).toContain('Stack trace');
  });
});
