/**
 * Step (B) of RFC 6749 §4.1: the resource owner signs in at the authorization server, on its own page; and signs
 * out again.
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import {
  authorizeQuery,
  cookieValue,
  cspDirective,
  csrfFrom,
  fromAddress,
  setCookie,
  setup,
  signIn,
  type Agent,
} from './helpers.ts';

/** Posts the login form once, with a fresh CSRF token from the agent's own login page. */
async function attempt(agent: Agent, username: string, password: string, address?: string) {
  const page = await agent.get('/login');
  const post = agent.post('/login');
  if (address) post.agent(fromAddress(address));
  return post.type('form').send({ _csrf: csrfFrom(page.text), username, password });
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

  it('sets the session cookie provider.sid as HttpOnly and SameSite=Lax', async () => {
    const { agent } = setup();
    const res = await agent.get('/login');
    const cookie = setCookie(res, 'provider.sid');
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    // Over http://localhost the cookie cannot be Secure, or the browser would never send it back.
    expect(cookie).not.toMatch(/;\s*Secure/i);
  });

  it('marks the session cookie Secure when the issuer is https', async () => {
    const { app } = setup({ ISSUER: 'https://as.example.com' });
    // express-session only sets a Secure cookie on a connection it believes is https.
    app.set('trust proxy', 'loopback');
    const res = await request(app).get('/login').set('X-Forwarded-Proto', 'https');
    expect(setCookie(res, 'provider.sid')).toMatch(/;\s*Secure/i);
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

  it('gives a new session id on successful login (session fixation, RFC 6749 §10.12 / RFC 9700 §4.7)', async () => {
    const { agent } = setup();
    const page = await agent.get('/login');
    const before = cookieValue(page, 'provider.sid');
    expect(before).toBeDefined();
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' });
    expect(res.status).toBe(303);
    const after = cookieValue(res, 'provider.sid');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('does not sign in a browser that kept the old (pre-login) session id (session fixation)', async () => {
    const { app } = setup();
    // The attacker obtains a session id and plants it in the victim's browser.
    const page = await request(app).get('/login');
    const planted = `provider.sid=${cookieValue(page, 'provider.sid')}`;
    const login = await request(app)
      .post('/login')
      .set('Cookie', planted)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' });
    expect(login.status).toBe(303);
    // The attacker, still holding the planted id, is not signed in.
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

  it("refuses another session's CSRF token with 403 (login CSRF, RFC 6749 §10.12)", async () => {
    const { app } = setup();
    const attacker = request.agent(app);
    const token = csrfFrom((await attacker.get('/login')).text);
    const victim = request.agent(app);
    await victim.get('/login');
    const res = await victim.post('/login').type('form').send({ _csrf: token, username: 'demo', password: 'demo' });
    expect(res.status).toBe(403);
    expect(await isSignedIn(victim)).toBe(false);
  });
});

describe('POST /login: throttling password guessing (RFC 6749 §10.10, RFC 9700 §4.15)', () => {
  it('answers 429 after the default 5 failed attempts from one address', async () => {
    const { agent } = setup();
    for (let i = 0; i < 5; i++) expect((await attempt(agent, 'demo', `wrong-${i}`)).status).toBe(401);
    const res = await attempt(agent, 'demo', 'wrong-again');
    expect(res.status).toBe(429);
  });

  it('keeps refusing the right password while the limit holds, and does not sign in', async () => {
    const { agent } = setup({ LOGIN_ATTEMPTS_PER_WINDOW: '3' });
    for (let i = 0; i < 3; i++) await attempt(agent, 'demo', `wrong-${i}`);
    const res = await attempt(agent, 'demo', 'demo');
    expect(res.status).toBe(429);
    expect(await isSignedIn(agent)).toBe(false);
  });

  it('limits per address: different usernames from the same address are refused with 429 after the limit', async () => {
    const { agent } = setup({ LOGIN_ATTEMPTS_PER_WINDOW: '3' });
    for (const username of ['alice', 'bob', 'carol']) {
      expect((await attempt(agent, username, 'guess')).status).toBe(401);
    }
    const res = await attempt(agent, 'dave', 'guess');
    expect(res.status).toBe(429);
    expect(res.text).toContain('Too many failed sign-in attempts');
  });

  it('limits per account: one username guessed from several addresses is refused with 429 after the limit', async () => {
    const { agent } = setup({ LOGIN_ATTEMPTS_PER_WINDOW: '3' });
    // Each guess comes from another loopback address, so the per-address limit never triggers.
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      expect((await attempt(agent, 'demo', 'guess', address)).status).toBe(401);
    }
    const res = await attempt(agent, 'demo', 'guess', '127.0.0.5');
    expect(res.status).toBe(429);
    // Another account from a fresh address is not affected.
    expect((await attempt(agent, 'alice', 'guess', '127.0.0.6')).status).toBe(401);
  });

  it('counts the account case-insensitively (DEMO and demo are one account)', async () => {
    const { agent } = setup({ LOGIN_ATTEMPTS_PER_WINDOW: '3' });
    const names = ['demo', 'Demo', 'DEMO'];
    for (const [i, username] of names.entries()) await attempt(agent, username, 'guess', `127.0.0.${i + 2}`);
    expect((await attempt(agent, 'dEmO', 'guess', '127.0.0.9')).status).toBe(429);
  });

  it('does not count a successful login', async () => {
    const { agent } = setup({ LOGIN_ATTEMPTS_PER_WINDOW: '3' });
    expect((await attempt(agent, 'demo', 'wrong-1')).status).toBe(401);
    expect((await attempt(agent, 'demo', 'wrong-2')).status).toBe(401);
    expect((await attempt(agent, 'demo', 'demo')).status).toBe(303);
    // Two failures so far: a third is still answered (401), only a fourth would be over the limit.
    expect((await attempt(agent, 'demo', 'wrong-3')).status).toBe(401);
    expect((await attempt(agent, 'demo', 'wrong-4')).status).toBe(429);
  });

  it('reports the limit in RateLimit headers, not the legacy X-RateLimit ones', async () => {
    const { agent } = setup({ LOGIN_ATTEMPTS_PER_WINDOW: '3' });
    const res = await attempt(agent, 'demo', 'wrong');
    expect(res.headers['ratelimit-policy'] ?? res.headers.ratelimit).toBeDefined();
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
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
