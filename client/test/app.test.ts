import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../src/app.ts';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { clientAgent, testConfig } from './helpers.ts';

let fake: FakeAuthorizationServer;
beforeAll(async () => {
  fake = await startFakeAuthorizationServer();
});
afterAll(() => fake.close());

describe('GET /', () => {
  it('offers a "Log in" link when logged out, without creating a session', async () => {
    const res = await clientAgent(fake).get('/').expect(200);
    expect(res.text).toContain('<a class="button" href="/login">Log in</a>');
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

describe('session cookie', () => {
  it('is named client.sid, httpOnly and SameSite=Lax', async () => {
    const res = await clientAgent(fake).get('/login').expect(303);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^client\.sid=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
  });

  it('is Secure when the redirect URI is https', async () => {
    const app = createApp(testConfig(fake.issuer, { REDIRECT_URI: 'https://client.example/callback' }));
    // express-session only sends a Secure cookie over TLS, which the proxy header stands in for here.
    app.set('trust proxy', true);
    const res = await request(app).get('/login').set('X-Forwarded-Proto', 'https').expect(303);
    expect(String(res.headers['set-cookie'])).toContain('Secure');
  });
});

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
