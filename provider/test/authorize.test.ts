/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1.1–4.1.2): steps (A)–(C) of the §4.1 diagram, as a browser
 * and an attacker see them over HTTP.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import {
  ISSUER,
  REDIRECT_URI,
  authorizeQuery,
  consent,
  cspDirective,
  csrfFrom,
  exchange,
  issueCode,
  pkce,
  setup,
  setupWithClients,
  setupWithEmailScope,
  signIn,
} from './helpers.ts';

/** Where a redirect sends the browser, without its query. */
function target(location: URL): string {
  return `${location.origin}${location.pathname}`;
}

async function signedIn() {
  const ctx = setup();
  await signIn(ctx.agent);
  return ctx;
}

describe('GET /oauth/authorize: requests that cannot be trusted get an error page, never a redirect', () => {
  it('refuses an unknown client_id with a 400 error page and no Location (RFC 6749 §4.1.2.1)', async () => {
    const { agent } = await signedIn();
    const res = await agent.get(`/oauth/authorize?${authorizeQuery({ client_id: 'no-such-client' })}`);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('invalid_client');
  });

  it('refuses a missing client_id with an error page (RFC 6749 §4.1.2.1)', async () => {
    const { agent } = await signedIn();
    const res = await agent.get(`/oauth/authorize?${authorizeQuery({ client_id: undefined })}`);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  it.each([
    ['an extra path segment', `${REDIRECT_URI}/extra`],
    ['a trailing slash', `${REDIRECT_URI}/`],
    ['a different port', 'http://localhost:3001/callback'],
    ['a query added', `${REDIRECT_URI}?next=/admin`],
    ['a different host', 'http://evil.example/callback'],
    ['a different scheme', 'https://localhost:3000/callback'],
    ['different case in the path', 'http://localhost:3000/Callback'],
  ])(
    'refuses a redirect_uri with %s with an error page, never a redirect (RFC 6749 §4.1.2.1, RFC 9700 §4.1.3 exact match)',
    async (_label, redirect_uri) => {
      const { agent } = await signedIn();
      const res = await agent.get(`/oauth/authorize?${authorizeQuery({ redirect_uri })}`);
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain('invalid_request');
      // The page shows the redirect_uri it received as text, to compare with REDIRECT_URI; never as a link.
      expect(res.text).not.toContain(`href="${redirect_uri}`);
    },
  );

  it('refuses a missing redirect_uri with an error page, never a redirect (RFC 6749 §4.1.2.1, RFC 9700 §2.1)', async () => {
    const { agent } = await signedIn();
    const res = await agent.get(`/oauth/authorize?${authorizeQuery({ redirect_uri: undefined })}`);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  it('checks the client and redirect_uri before asking anyone to sign in (RFC 6749 §4.1.2.1)', async () => {
    const { agent } = setup();
    const res = await agent.get(`/oauth/authorize?${authorizeQuery({ redirect_uri: 'http://evil.example/cb' })}`);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });
});

describe('GET /oauth/authorize: other invalid requests are sent back to the client', () => {
  /** Asserts an error redirect to the registered redirect_uri with state and iss, and no code. */
  async function expectErrorRedirect(overrides: Record<string, string | undefined>, error: string, ctx = setup()) {
    const { agent } = ctx;
    await signIn(agent);
    const res = await agent.get(`/oauth/authorize?${authorizeQuery({ state: 'xyz', ...overrides })}`);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location as string);
    expect(target(location)).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    expect(location.searchParams.has('code')).toBe(false);
    return location;
  }

  it.each(['token', 'id_token', 'code token', 'password'])(
    'answers response_type=%s with a 303 carrying error=unsupported_response_type, state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2)',
    async (response_type) => {
      await expectErrorRedirect({ response_type }, 'unsupported_response_type');
    },
  );

  it('answers a missing response_type with error=invalid_request (RFC 6749 §4.1.1, §4.1.2.1)', async () => {
    await expectErrorRedirect({ response_type: undefined }, 'invalid_request');
  });

  it('answers a missing code_challenge with error=invalid_request: PKCE is required (RFC 9700 §2.1.1, RFC 7636 §4.4.1)', async () => {
    await expectErrorRedirect({ code_challenge: undefined }, 'invalid_request');
  });

  it('answers code_challenge_method=plain with error=invalid_request: only S256 (RFC 9700 §2.1.1, RFC 7636 §4.4.1)', async () => {
    await expectErrorRedirect({ code_challenge_method: 'plain' }, 'invalid_request');
  });

  it('answers a missing code_challenge_method (which means plain) with error=invalid_request (RFC 7636 §4.3, RFC 9700 §2.1.1)', async () => {
    await expectErrorRedirect({ code_challenge_method: undefined }, 'invalid_request');
  });

  it.each([
    ['too short', 'abc'],
    ['too long', `${pkce().code_challenge}A`],
    ['outside the base64url alphabet', `${'a'.repeat(42)}=`],
    ['with a space', `${'a'.repeat(21)} ${'a'.repeat(21)}`],
  ])('answers a malformed code_challenge (%s) with error=invalid_request (RFC 7636 §4.2, §4.4.1)', async (_label, code_challenge) => {
    await expectErrorRedirect({ code_challenge }, 'invalid_request');
  });

  it('answers an unknown scope with error=invalid_scope, state and iss (RFC 6749 §4.1.2.1, §3.3)', async () => {
    await expectErrorRedirect({ scope: 'profile admin' }, 'invalid_scope');
  });

  it('answers a scope the client may not ask for with error=invalid_scope (RFC 6749 §4.1.2.1, §3.3)', async () => {
    const profileOnly = setupWithClients((configured) => [{ ...configured, scope: 'profile' }]);
    await expectErrorRedirect({ scope: 'profile email' }, 'invalid_scope', profileOnly);
  });

  it('answers a state over 1024 characters with error=invalid_request, without echoing it (RFC 6749 §4.1.2.1)', async () => {
    const { agent } = setup();
    await signIn(agent);
    const res = await agent.get(`/oauth/authorize?${authorizeQuery({ state: 's'.repeat(1025) })}`);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location as string);
    expect(target(location)).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.has('state')).toBe(false);
  });

  it('keeps the redirect to the registered redirect_uri even before the user has signed in (RFC 6749 §4.1.2.1)', async () => {
    const { agent } = setup();
    const res = await agent.get(`/oauth/authorize?${authorizeQuery({ response_type: 'token' })}`);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location as string);
    expect(target(location)).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
  });
});

describe('GET /oauth/authorize: signing in first (step B)', () => {
  it('sends a visitor who is not signed in to /login with a 303', async () => {
    const { agent } = setup();
    const res = await agent.get(`/oauth/authorize?${authorizeQuery()}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
  });

  it('after login, sends the browser back to the same authorization request with a 303', async () => {
    const { agent } = setup();
    const path = `/oauth/authorize?${authorizeQuery({ state: 'resume-me' })}`;
    await agent.get(path);
    const login = await signIn(agent);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe(path);

    const page = await agent.get(login.headers.location as string);
    expect(page.status).toBe(200);
    expect(page.text).toContain('resume-me');
  });
});

describe('GET /oauth/authorize: the consent page', () => {
  async function consentPage(scope = 'profile') {
    const { agent } = setupWithEmailScope();
    await signIn(agent);
    return agent.get(`/oauth/authorize?${authorizeQuery({ scope })}`);
  }

  it('names the client', async () => {
    const page = await consentPage();
    expect(page.status).toBe(200);
    expect(page.text).toContain('Demo Client');
  });

  it('lists each requested scope with its plain-language description (RFC 6749 §3.3)', async () => {
    const page = await consentPage('profile email');
    expect(page.text).toContain('profile');
    expect(page.text).toContain('See your user id and username.');
    expect(page.text).toContain('email');
    expect(page.text).toContain('See your email address.');
  });

  it('does not list a scope that was not requested', async () => {
    const page = await consentPage('profile');
    expect(page.text).not.toContain('See your email address.');
  });

  it('shows where the browser will be sent back to (the redirect origin)', async () => {
    const page = await consentPage();
    expect(page.text).toContain('http://localhost:3000');
  });

  it('is not cached: Cache-Control no-store (RFC 9700 §4.16, RFC 6749 §10.12)', async () => {
    const page = await consentPage();
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it("cannot be framed: X-Frame-Options DENY and CSP frame-ancestors 'none' (RFC 9700 §4.16, RFC 6749 §10.13)", async () => {
    const page = await consentPage();
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(cspDirective(page, 'frame-ancestors')).toEqual(["'none'"]);
  });

  it("lets its form post only to 'self' and the registered redirect origin (CSP form-action)", async () => {
    const page = await consentPage();
    expect(cspDirective(page, 'form-action')?.sort()).toEqual(["'self'", 'http://localhost:3000'].sort());
  });

  it('carries a CSRF token in the form (RFC 6749 §10.12)', async () => {
    const page = await consentPage();
    expect(csrfFrom(page.text)).toMatch(/^[\w-]{32,}$/);
  });

  it('sends no CORS header, even when the request carries an Origin', async () => {
    const { agent } = await signedIn();
    const res = await agent.get(`/oauth/authorize?${authorizeQuery()}`).set('Origin', 'http://evil.example');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('POST /oauth/authorize: the decision (step C)', () => {
  it('on Allow, redirects with 303 to the redirect_uri with code, state and iss (RFC 6749 §4.1.2, RFC 9207 §2)', async () => {
    const { agent } = await signedIn();
    const { res, location } = await consent(agent, authorizeQuery({ state: 'st-allow' }), 'allow');
    expect(res.status).toBe(303);
    expect(target(location)).toBe(REDIRECT_URI);
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{32,}$/);
    expect(location.searchParams.get('state')).toBe('st-allow');
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    expect(location.searchParams.has('error')).toBe(false);
  });

  it('on Allow without state, redirects with code and iss and no state (RFC 6749 §4.1.2)', async () => {
    const { agent } = await signedIn();
    const { res, location } = await consent(agent, authorizeQuery({ state: undefined }), 'allow');
    expect(res.status).toBe(303);
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(location.searchParams.has('state')).toBe(false);
    expect(location.searchParams.get('iss')).toBe(ISSUER);
  });

  it('on Deny, redirects with 303 and error=access_denied, state and iss, and no code (RFC 6749 §4.1.2.1, RFC 9207 §2)', async () => {
    const { agent } = await signedIn();
    const { res, location } = await consent(agent, authorizeQuery({ state: 'st-deny' }), 'deny');
    expect(res.status).toBe(303);
    expect(target(location)).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st-deny');
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('does not cache the redirect (RFC 9700 §4.16)', async () => {
    const { agent } = await signedIn();
    const { res } = await consent(agent, authorizeQuery(), 'allow');
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('POST /oauth/authorize: CSRF and forged decisions (RFC 6749 §10.12, RFC 9700 §4.7)', () => {
  /** Shows the consent page to a signed-in agent and returns the form fields it would post. */
  async function consentForm() {
    const ctx = await signedIn();
    const query = authorizeQuery();
    const page = await ctx.agent.get(`/oauth/authorize?${query}`);
    expect(page.status).toBe(200);
    return { ...ctx, form: { ...Object.fromEntries(query), decision: 'allow' }, csrf: csrfFrom(page.text) };
  }

  function expectRefused(res: { status: number; headers: Record<string, unknown>; text: string }) {
    expect(res.status).toBe(403);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).not.toMatch(/[?&]code=/);
  }

  it('refuses a decision posted without a CSRF token with 403 and issues no code', async () => {
    const { agent, form, store } = await consentForm();
    const res = await agent.post('/oauth/authorize').type('form').send(form);
    expectRefused(res);
    expect((await store.size()).codes).toBe(0);
  });

  it('refuses a decision posted with a wrong CSRF token with 403 and issues no code', async () => {
    const { agent, form, csrf, store } = await consentForm();
    const wrong = `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`;
    const res = await agent.post('/oauth/authorize').type('form').send({ ...form, _csrf: wrong });
    expectRefused(res);
    expect((await store.size()).codes).toBe(0);
  });

  it("refuses another session's CSRF token: a second browser signed in separately cannot post the first one's form", async () => {
    const { app, agent: victim, form, csrf, store } = await consentForm();
    const attacker = request.agent(app);
    await signIn(attacker);
    const res = await attacker.post('/oauth/authorize').type('form').send({ ...form, _csrf: csrf });
    expectRefused(res);
    expect((await store.size()).codes).toBe(0);
    // The victim's own form still works: nothing was consumed by the forged post.
    const own = await victim.post('/oauth/authorize').type('form').send({ ...form, _csrf: csrf });
    expect(own.status).toBe(303);
  });

  it('refuses a decision from a browser with no login session at all (no cookie) with 403', async () => {
    const { app, form, csrf, store } = await consentForm();
    const res = await request(app).post('/oauth/authorize').type('form').send({ ...form, _csrf: csrf });
    expectRefused(res);
    expect((await store.size()).codes).toBe(0);
  });

  it('refuses a decision from a session that has a CSRF token but no signed-in user with 403', async () => {
    const { app, store } = setup();
    const anonymous = request.agent(app);
    const loginPage = await anonymous.get('/login');
    const form = { ...Object.fromEntries(authorizeQuery()), decision: 'allow', _csrf: csrfFrom(loginPage.text) };
    const res = await anonymous.post('/oauth/authorize').type('form').send(form);
    expectRefused(res);
    expect((await store.size()).codes).toBe(0);
  });

  it('answers a hidden redirect_uri changed to an unregistered one with an error page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
    const { agent, form, csrf, store } = await consentForm();
    const res = await agent
      .post('/oauth/authorize')
      .type('form')
      .send({ ...form, _csrf: csrf, redirect_uri: 'http://evil.example/callback' });
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect((await store.size()).codes).toBe(0);
  });

  it('answers a hidden client_id changed to an unknown one with an error page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
    const { agent, form, csrf, store } = await consentForm();
    const res = await agent.post('/oauth/authorize').type('form').send({ ...form, _csrf: csrf, client_id: 'evil' });
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect((await store.size()).codes).toBe(0);
  });

  it('answers a hidden code_challenge_method changed to plain with an invalid_request redirect and no code (RFC 9700 §2.1.1)', async () => {
    const { agent, form, csrf } = await consentForm();
    const res = await agent
      .post('/oauth/authorize')
      .type('form')
      .send({ ...form, _csrf: csrf, code_challenge_method: 'plain' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location as string);
    expect(target(location)).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.has('code')).toBe(false);
  });
});

describe('the authorization code lifetime (RFC 6749 §4.1.2: at most 10 minutes)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('can still be exchanged just before 10 minutes have passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent } = await signedIn();
    const { code, code_verifier } = await issueCode(agent);
    vi.setSystemTime(Date.now() + 590_000);
    const res = await exchange(agent, code, code_verifier);
    expect(res.status).toBe(200);
  });

  it('is refused with invalid_grant once 10 minutes have passed (RFC 6749 §4.1.2, §5.2)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent } = await signedIn();
    const { code, code_verifier } = await issueCode(agent);
    vi.setSystemTime(Date.now() + 601_000);
    const res = await exchange(agent, code, code_verifier);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
    expect(res.body).not.toHaveProperty('access_token');
  });

});
