/**
 * Step (B) of RFC 6749 §4.1: the resource owner signs in at the authorization server, on its own page; and signs
 * out again.
 */
import { describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import {
  authorizeQuery,
  cookieValue,
  cspDirective,
  csrfFrom,
  setCookie,
  setup,
  signIn,
  type Agent,
} from './helpers.ts';

/** Posts the login form once, with a fresh CSRF token from the agent's own login page. */
async function attempt(agent: Agent, username: string, password: string) {
  const page = await agent.get('/login');
  return agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username, password });
}

/** The alert message on a rendered login page. */
function alertOf(html: string): string | undefined {
  return /role="alert">([^<]*)</.exec(html)?.[1]?.trim();
}

/** True when the agent's session holds a signed-in user: the authorization endpoint then skips /login. */
async function isSignedIn(agent: Agent): Promise<boolean> {
  const res = await agent.get(`/oauth/authorize?${authorizeQuery()}`);
  return res.status === 200;
}

describe('GET /login', () => {
  it("is the provider's own page, with username and password inputs and a CSRF token", async () => {
    const { agent } = setup();
    const res = await agent.get('/login');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<form method="post" action="\/login"/);
    expect(res.text).toMatch(/<input[^>]+name="username"/);
    expect(res.text).toMatch(/<input[^>]+name="password"[^>]+type="password"/);
    expect(csrfFrom(res.text)).toBeTruthy();
  });

  it('is not cached: Cache-Control no-store (RFC 9700 §4.16)', async () => {
    const { agent } = setup();
    const res = await agent.get('/login');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it("cannot be framed: X-Frame-Options DENY and CSP frame-ancestors 'none' (RFC 9700 §4.16, RFC 6749 §10.13)", async () => {
    const { agent } = setup();
    const res = await agent.get('/login');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(cspDirective(res, 'frame-ancestors')).toEqual(["'none'"]);
  });

  it('keeps the sign-in form in a signed cookie provider.login: HttpOnly, SameSite=Lax, only for /login', async () => {
    const { agent } = setup();
    const res = await agent.get('/login');
    const cookie = setCookie(res, 'provider.login');
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\/login(;|$)/i);
    // Over http://localhost the cookie cannot be Secure, or the browser would never send it back.
    expect(cookie).not.toMatch(/;\s*Secure/i);
  });

  it('creates no login session for an anonymous visitor: no provider.sid cookie', async () => {
    const { agent } = setup();
    const res = await agent.get('/login');
    expect(setCookie(res, 'provider.sid')).toBeUndefined();
  });

  it('keeps the token of a sign-in already under way when the page is shown again', async () => {
    const { agent } = setup();
    const first = await agent.get('/login');
    const again = await agent.get('/login');
    expect(csrfFrom(again.text)).toBe(csrfFrom(first.text));
    expect(setCookie(again, 'provider.login')).toBeUndefined();
  });

  it('marks its cookies Secure when the issuer is https', async () => {
    const { app } = setup({ ISSUER: 'https://as.example.com' });
    // express-session only sets a Secure cookie on a connection it believes is https.
    app.set('trust proxy', 'loopback');
    const page = await request(app).get('/login').set('X-Forwarded-Proto', 'https');
    expect(setCookie(page, 'provider.login')).toMatch(/;\s*Secure/i);
    const login = await request(app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', `provider.login=${cookieValue(page, 'provider.login')}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' });
    expect(login.status).toBe(303);
    expect(setCookie(login, 'provider.sid')).toMatch(/;\s*Secure/i);
    expect(setCookie(login, 'provider.device')).toMatch(/;\s*Secure/i);
  });
});

describe('POST /login', () => {
  it('signs in with the right username and password and redirects with 303', async () => {
    const { agent } = setup();
    const res = await attempt(agent, 'demo', 'demo');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(await isSignedIn(agent)).toBe(true);
  });

  it('sets the session cookie provider.sid, HttpOnly and SameSite=Lax, only when the password is right', async () => {
    const { agent } = setup();
    const wrong = await attempt(agent, 'demo', 'wrong');
    expect(setCookie(wrong, 'provider.sid')).toBeUndefined();
    const res = await attempt(agent, 'demo', 'demo');
    const cookie = setCookie(res, 'provider.sid');
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\/(;|$)/i);
  });

  it("clears the sign-in form's cookie once signed in", async () => {
    const { app } = setup();
    const page = await request(app).get('/login');
    const cookie = `provider.login=${cookieValue(page, 'provider.login')}`;
    const form = { _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' };
    const login = await request(app).post('/login').set('Cookie', cookie).type('form').send(form);
    expect(login.status).toBe(303);
    expect(setCookie(login, 'provider.login')).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('gives a new session id on every sign-in (session fixation, RFC 6749 §10.12 / RFC 9700 §4.7)', async () => {
    const { agent } = setup();
    const first = cookieValue(await attempt(agent, 'demo', 'demo'), 'provider.sid');
    const second = cookieValue(await attempt(agent, 'demo', 'demo'), 'provider.sid');
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });

  it('does not sign in a browser that kept a planted session id (session fixation)', async () => {
    const { app } = setup();
    // The attacker signs in, and plants that session id in the victim's browser.
    const attacker = request.agent(app);
    const planted = `provider.sid=${cookieValue(await attempt(attacker, 'demo', 'demo'), 'provider.sid')}`;
    const page = await request(app).get('/login');
    const login = await request(app)
      .post('/login')
      .set('Cookie', `${planted}; provider.login=${cookieValue(page, 'provider.login')}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' });
    expect(login.status).toBe(303);
    expect(cookieValue(login, 'provider.sid')).not.toBe(planted.slice('provider.sid='.length));
    // The planted id was replaced, not promoted: whoever still holds it is not signed in.
    const res = await request(app).get(`/oauth/authorize?${authorizeQuery()}`).set('Cookie', planted);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
  });

  it('answers a wrong password and an unknown username with the same generic message and 401, and signs nobody in', async () => {
    const { agent } = setup();
    const wrongPassword = await attempt(agent, 'demo', 'wrong');
    const unknownUser = await attempt(agent, 'nobody', 'demo');
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(alertOf(wrongPassword.text)).toBe('Wrong username or password.');
    expect(alertOf(unknownUser.text)).toBe(alertOf(wrongPassword.text));
    expect(wrongPassword.headers.location).toBeUndefined();
    expect(await isSignedIn(agent)).toBe(false);
  });

  it('does not echo the password back into the page', async () => {
    const { agent } = setup();
    const res = await attempt(agent, 'demo', 'my-secret-guess');
    expect(res.text).not.toContain('my-secret-guess');
  });

  it('refuses a post without a CSRF token with 403 and signs nobody in (RFC 6749 §10.12)', async () => {
    const { agent } = setup();
    await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ username: 'demo', password: 'demo' });
    expect(res.status).toBe(403);
    expect(res.headers.location).toBeUndefined();
    expect(await isSignedIn(agent)).toBe(false);
  });

  it("refuses another browser's CSRF token with 403: the token must match this browser's signed cookie (login CSRF, RFC 6749 §10.12)", async () => {
    const { app } = setup();
    const attacker = request.agent(app);
    const token = csrfFrom((await attacker.get('/login')).text);
    const victim = request.agent(app);
    await victim.get('/login');
    const res = await victim.post('/login').type('form').send({ _csrf: token, username: 'demo', password: 'demo' });
    expect(res.status).toBe(403);
    expect(await isSignedIn(victim)).toBe(false);
  });

  it('refuses a token without its cookie with 403 (login CSRF, RFC 6749 §10.12)', async () => {
    const { app } = setup();
    const page = await request(app).get('/login');
    const res = await request(app).post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' });
    expect(res.status).toBe(403);
    expect(setCookie(res, 'provider.sid')).toBeUndefined();
  });

  it('refuses a provider.login cookie whose signature does not match with 403', async () => {
    const { app } = setup();
    const page = await request(app).get('/login');
    const value = cookieValue(page, 'provider.login') as string;
    const [body] = value.split('.');
    const payload = JSON.parse(Buffer.from(body as string, 'base64url').toString('utf8'));
    // The attacker chooses the token and signs with a key of its own.
    payload.data.csrf = 'chosen-by-the-attacker';
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${'A'.repeat(43)}`;
    const res = await request(app)
      .post('/login')
      .set('Cookie', `provider.login=${forged}`)
      .type('form')
      .send({ _csrf: 'chosen-by-the-attacker', username: 'demo', password: 'demo' });
    expect(res.status).toBe(403);
  });

  it('refuses a sign-in form older than 30 minutes with 403, and shows a fresh one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { agent } = setup();
      const page = await agent.get('/login');
      vi.setSystemTime(Date.now() + 31 * 60 * 1000);
      const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' });
      expect(res.status).toBe(403);
      expect(csrfFrom(res.text)).not.toBe(csrfFrom(page.text));
      // The fresh form works.
      const again = await agent.post('/login').type('form').send({ _csrf: csrfFrom(res.text), username: 'demo', password: 'demo' });
      expect(again.status).toBe(303);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('POST /logout', () => {
  it('ends the provider session, so the next authorization redirects to /login again', async () => {
    const { agent } = setup();
    await signIn(agent);
    expect(await isSignedIn(agent)).toBe(true);
    const home = await agent.get('/');
    const res = await agent.post('/logout').type('form').send({ _csrf: csrfFrom(home.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(setCookie(res, 'provider.sid')).toMatch(/Expires=Thu, 01 Jan 1970/);

    const again = await agent.get(`/oauth/authorize?${authorizeQuery()}`);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe('/login');
  });

  it('refuses sign-out without a CSRF token with 403 and keeps the user signed in (RFC 6749 §10.12)', async () => {
    const { agent } = setup();
    await signIn(agent);
    const res = await agent.post('/logout').type('form').send({});
    expect(res.status).toBe(403);
    expect(res.headers.location).toBeUndefined();
    expect(await isSignedIn(agent)).toBe(true);
  });

  it('refuses sign-out with a wrong CSRF token with 403', async () => {
    const { agent } = setup();
    await signIn(agent);
    const res = await agent.post('/logout').type('form').send({ _csrf: 'not-the-token' });
    expect(res.status).toBe(403);
    expect(await isSignedIn(agent)).toBe(true);
  });
});
