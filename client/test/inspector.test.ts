import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { CLIENT_SECRET, clientAgent, csrfTokenFrom, logIn, startLogin, type Agent } from './helpers.ts';
import { momentOf } from '../src/inspector/time.ts';

let fake: FakeAuthorizationServer;
let agent: Agent;
beforeEach(async () => {
  fake = await startFakeAuthorizationServer();
  agent = clientAgent(fake);
});
afterEach(() => fake.close());

async function postForm(path: string, fields: Record<string, string> = {}) {
  return agent.post(path).type('form').send({ _csrf: await csrfTokenFrom(agent), ...fields }).expect(303);
}

/** Clicks "Show" and returns the home page with the inspector open. */
async function inspector(): Promise<string> {
  await postForm('/inspector', { show: 'yes' });
  return (await agent.get('/').expect(200)).text;
}

/** The cards' headings, in page order, e.g. "(A) Authorization request". */
function cardTitles(page: string): string[] {
  return [...page.matchAll(/<h3>(.*?)<\/h3>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ''));
}

/** The cards' HTML, in page order. */
function cardsOf(page: string): string[] {
  return page.split(/<li class="step[^"]*"/).slice(1);
}

/** The value shown for a parameter, taken from the card whose heading contains `card`. */
function shown(page: string, card: string, name: string): string | undefined {
  const section = cardsOf(page).find((s) => s.includes(card)) ?? '';
  return new RegExp(`<dt><code>${name}</code></dt>\\s*<dd><code>([^<]*)</code>`).exec(section)?.[1];
}

const FIRST_LOGIN = [
  '(A) Authorization request',
  '(C) Authorization response',
  '(D) Access token request',
  '(E) Access token response',
  'Protected resource request',
];

describe('flow inspector: the login as it happened (RFC 6749 §4.1)', () => {
  it('is shown after a login, and can be hidden and shown again', async () => {
    await logIn(agent, fake);
    const page = (await agent.get('/').expect(200)).text;
    expect(page).toContain('Hide the messages of this flow (5)');
    expect(cardTitles(page)).toEqual(FIRST_LOGIN);

    await postForm('/inspector', { show: 'no' });
    const hidden = (await agent.get('/').expect(200)).text;
    expect(hidden).toContain('Show the messages of this flow (5)');
    expect(cardTitles(hidden)).toEqual([]);
    expect(cardTitles(await inspector())).toEqual(FIRST_LOGIN);
  });

  it('shows one card per step, lettered (A), (C), (D), (E), then the resource request', async () => {
    await logIn(agent, fake);
    expect(cardTitles(await inspector())).toEqual(FIRST_LOGIN);
  });

  it('explains every parameter of the authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3)', async () => {
    await logIn(agent, fake);
    const page = await inspector();
    expect(shown(page, '(A)', 'response_type')).toBe('code');
    expect(shown(page, '(A)', 'client_id')).toBe('testclient');
    expect(shown(page, '(A)', 'redirect_uri')).toBe('http://localhost:3000/callback');
    expect(shown(page, '(A)', 'scope')).toBe('profile');
    expect(shown(page, '(A)', 'state')).toMatch(/^[\w-]{4}…$/);
    // The challenge is public (a hash): shown whole, and it is the hash of the verifier sent in (D).
    const code_verifier = fake.tokenRequests[0]?.body.code_verifier ?? '';
    expect(shown(page, '(A)', 'code_challenge')).toBe(createHash('sha256').update(code_verifier).digest('base64url'));
    expect(shown(page, '(A)', 'code_challenge_method')).toBe('S256');
    expect(page).toContain('commits to a secret only this client knows');
    expect(page).toContain('the response must bring it back');
  });

  it('shows the callback query with the state and iss checks passed (RFC 6749 §10.12, RFC 9207 §2.4)', async () => {
    await logIn(agent, fake);
    const page = await inspector();
    expect(shown(page, '(C)', 'code')).toBe('the-…');
    expect(shown(page, '(C)', 'iss')).toBe(fake.issuer);
    expect(page).toContain('✓ Passed: state matches a login started in this browser');
    expect(page).toContain(`✓ Passed: iss is the expected issuer, ${fake.issuer}`);
  });

  it('shows a failed state check on the callback card, keeping none of the forged response (RFC 6749 §10.12)', async () => {
    // A browser with a session sees it; an anonymous one has nothing stored for it (see session.test.ts).
    await logIn(agent, fake);
    const forged = { error: 'access_denied', error_description: 'Call 555-0100 now', state: 'forged-state', iss: fake.issuer };
    await agent.get('/callback').query(forged).expect(400);
    const page = await inspector();
    expect(cardTitles(page)).toEqual([...FIRST_LOGIN, '(C) Authorization response']);
    expect(page).toContain('✗ Failed: state matches a login started in this browser');
    // Anyone can craft this link: until state matches, its words are not kept (RFC 6749 §4.1.2.1).
    expect(cardsOf(page).at(-1)).toMatch(/<dt><code>state<\/code><\/dt>\s*<dd><code>forg…<\/code>/);
    expect(page).not.toContain('555-0100');
  });

  it('shows the token request as sent, with Authorization as "Basic ••••" (RFC 6749 §4.1.3, §2.3.1)', async () => {
    await logIn(agent, fake);
    const page = await inspector();
    expect(page).toContain(`POST ${fake.issuer}/oauth/token`);
    expect(shown(page, '(D)', 'Authorization')).toBe('Basic ••••');
    expect(shown(page, '(D)', 'grant_type')).toBe('authorization_code');
    expect(shown(page, '(D)', 'code')).toBe('the-…');
    expect(shown(page, '(D)', 'redirect_uri')).toBe('http://localhost:3000/callback');
    expect(shown(page, '(D)', 'code_verifier')).toBe(`${fake.tokenRequests[0]?.body.code_verifier?.slice(0, 4)}…`);
  });

  it('shows the token response with tokens masked and the extra members by name only (RFC 6749 §5.1)', async () => {
    fake.tokenResponse = () => {
      fake.validAccessTokens.add('3f9a-access-token');
      const json = { access_token: '3f9a-access-token', token_type: 'Bearer', expires_in: 3600, scope: 'profile', refresh_token: 'r-77-refresh', id_token: 'eyJ.secret' };
      return { status: 200, json };
    };
    await logIn(agent, fake);
    const page = await inspector();
    expect(shown(page, '(E)', 'access_token')).toBe('3f9a…');
    expect(shown(page, '(E)', 'refresh_token')).toBe('r-77…');
    expect(shown(page, '(E)', 'token_type')).toBe('Bearer');
    expect(shown(page, '(E)', 'expires_in')).toBe('3600');
    expect(shown(page, '(E)', 'scope')).toBe('profile');
    expect(shown(page, '(E)', 'other members \\(values not kept\\)')).toBe('id_token');
    expect(page).not.toContain('eyJ.secret');
  });

  it('shows the resource request with "Bearer acce…" and the JSON response (RFC 6750 §2.1)', async () => {
    await logIn(agent, fake);
    const page = await inspector();
    expect(page).toContain(`GET ${fake.issuer}/api/me → HTTP 200`);
    expect(shown(page, 'Protected resource', 'Authorization')).toBe('Bearer acce…');
    expect(page).toContain('&#34;username&#34;: &#34;alice&#34;');
  });

  it('names on every card the function and file that perform it, and links its RFC section', async () => {
    await logIn(agent, fake);
    const cards = cardsOf(await inspector());
    const sources = cards.map((card) => /Performed by <code>([^<]+)<\/code> in <code>([^<]+)<\/code>/.exec(card)?.slice(1).join(' in '));
    // (D) and (E) as the README's table has them: exchangeCode in client/src/oauth/oauth-client.ts.
    expect(sources).toEqual([
      'authorizationUrl in client/src/routes/login.ts',
      'receive in client/src/routes/callback.ts',
      'exchangeCode in client/src/oauth/oauth-client.ts',
      'exchangeCode in client/src/oauth/oauth-client.ts',
      'fetchResource in client/src/oauth/oauth-client.ts',
    ]);
    expect(cards[0]).toContain('<a href="https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1">RFC 6749 §4.1.1</a>');
    expect(cards[1]).toContain('<a href="https://www.rfc-editor.org/rfc/rfc9207#section-2.4">RFC 9207 §2.4</a>');
    expect(cards[2]).toContain('<a href="https://www.rfc-editor.org/rfc/rfc7636#section-4.5">RFC 7636 §4.5</a>');
    expect(cards[3]).toContain('<a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.1">RFC 6749 §5.1</a>');
    expect(cards[4]).toContain('<a href="https://www.rfc-editor.org/rfc/rfc6750#section-2.1">RFC 6750 §2.1</a>');
  });

  it('can be hidden again', async () => {
    await logIn(agent, fake);
    await inspector();
    await postForm('/inspector', { show: 'no' });
    expect(cardTitles((await agent.get('/')).text)).toEqual([]);
  });

  it('refuses to change without the CSRF token', async () => {
    await logIn(agent, fake);
    await agent.post('/inspector').type('form').send({ show: 'yes' }).expect(403);
  });

  it('is absent, and creates no session, on a first visit', async () => {
    const res = await agent.get('/').expect(200);
    expect(res.text).not.toContain('Flow inspector');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('flow inspector: secrets never reach the page', () => {
  it('never shows the client secret, a full token, the code or the code_verifier, even when shown', async () => {
    await logIn(agent, fake);
    await postForm('/refresh');
    const page = await inspector();
    const basic = fake.tokenRequests[0]?.authorization?.replace('Basic ', '') ?? 'missing';
    const code_verifier = fake.tokenRequests[0]?.body.code_verifier ?? 'missing';
    for (const secret of [CLIENT_SECRET, basic, code_verifier, 'the-code', 'access-1', 'refresh-1', 'access-2', 'refresh-2']) {
      expect(page).not.toContain(secret);
    }
  });

  it('masks the client secret when it is sent in the body (client_secret_post, RFC 6749 §2.3.1)', async () => {
    fake.metadata.token_endpoint_auth_methods_supported = ['client_secret_post'];
    await logIn(agent, fake);
    const page = await inspector();
    expect(fake.tokenRequests[0]?.body.client_secret).toBe(CLIENT_SECRET);
    expect(shown(page, '(D)', 'client_secret')).toBe('••••');
    expect(page).not.toContain(CLIENT_SECRET);
  });

  it('truncates long values from the callback URL and keeps a bounded number of them', async () => {
    const state = (await startLogin(agent)).get('state') ?? '';
    const junk = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, 'x'.repeat(500)]));
    await agent.get('/callback').query({ code: 'the-code', state, iss: fake.issuer, ...junk }).expect(303);
    const page = await inspector();
    const callback = cardsOf(page).find((card) => card.includes('(C)')) ?? '';
    expect(callback.match(/<dt>/g)?.length).toBeLessThanOrEqual(12);
    expect(callback).not.toContain('x'.repeat(201));
  });
});

describe('flow inspector: refresh, retry and revocation (RFC 6749 §6, RFC 6750 §3.1, RFC 7009)', () => {
  it('adds the refresh request and response cards on POST /refresh (RFC 6749 §6)', async () => {
    await logIn(agent, fake);
    await postForm('/refresh');
    const page = await inspector();
    expect(cardTitles(page)).toEqual([...FIRST_LOGIN, 'Refresh request', 'Refresh response']);
    expect(shown(page, 'Refresh request', 'grant_type')).toBe('refresh_token');
    expect(shown(page, 'Refresh request', 'refresh_token')).toBe('refr…');
    expect(shown(page, 'Refresh request', 'Authorization')).toBe('Basic ••••');
  });

  it('shows the refused resource request, the refresh and the retry (RFC 6750 §3.1)', async () => {
    await logIn(agent, fake);
    fake.validAccessTokens.delete('access-1');
    await postForm('/resource');
    const page = await inspector();
    expect(cardTitles(page).slice(FIRST_LOGIN.length)).toEqual([
      'Protected resource request',
      'Refresh request',
      'Refresh response',
      'Protected resource request',
    ]);
    expect(page).toContain(`GET ${fake.issuer}/api/me → HTTP 401`);
    expect(page).toContain('Bearer error=&#34;invalid_token&#34;');
  });

  it('stays bounded: after many refreshes it keeps the newest 20 cards only', async () => {
    await logIn(agent, fake);
    for (let i = 0; i < 12; i += 1) await postForm('/refresh');
    const titles = cardTitles(await inspector());
    expect(titles).toHaveLength(20);
    expect(titles).not.toContain('(A) Authorization request'); // the oldest were dropped
    expect(titles.at(-1)).toBe('Refresh response');
  });

  it('starts a new story at the next login', async () => {
    await logIn(agent, fake);
    await postForm('/refresh');
    await logIn(agent, fake);
    expect(cardTitles(await inspector())).toEqual(FIRST_LOGIN);
  });

  it('shows the logout revocations, masked, on the logged-out page (RFC 7009 §2.1)', async () => {
    await logIn(agent, fake);
    await postForm('/inspector', { show: 'yes' });
    const res = await postForm('/logout');
    const page = (await agent.get(res.headers.location ?? '/').expect(200)).text;
    expect(page).toContain('You are logged out.');
    expect(page).not.toContain('You are logged in');
    expect(cardTitles(page)).toEqual(['Revocation request', 'Revocation response', 'Revocation request', 'Revocation response']);
    expect(shown(page, 'Revocation request', 'token')).toBe('refr…');
    expect(shown(page, 'Revocation request', 'token_type_hint')).toBe('refresh_token');
    expect(page).toContain(`POST ${fake.issuer}/oauth/revoke`);
    // The user's data is gone with the session.
    expect(page).not.toContain('alice');
    for (const secret of ['access-1', 'refresh-1', CLIENT_SECRET]) expect(page).not.toContain(secret);
  });
});

describe('flow inspector: details a first-time reader asked about', () => {
  it('explains Authorization: Basic as the client authentication (RFC 6749 §2.3.1), without claiming more than it shows', async () => {
    await logIn(agent, fake);
    const card = cardsOf(await inspector()).find((c) => c.includes('(D)')) ?? '';
    expect(card).toContain('This client authenticates itself: client_id and client_secret');
    expect(card).toContain('nothing of it is kept, hence ••••');
    expect(card).not.toContain('Bearer');
  });

  it('explains Authorization: Bearer as the access token, shown by its first four characters (RFC 6750 §2.1)', async () => {
    await logIn(agent, fake);
    const page = await inspector();
    const card = cardsOf(page).find((c) => c.includes('Protected resource request')) ?? '';
    expect(shown(page, 'Protected resource request', 'Authorization')).toBe('Bearer acce…');
    expect(card).toContain('The access token, presented to the resource server (RFC 6750 §2.1)');
    expect(card).toContain('Only its first four characters are kept here.');
    expect(card).not.toContain('Never shown');
    expect(card).not.toContain('client_secret');
  });

  it('shows the expiry as a <time> with a clock time and a countdown, not a raw ISO string', async () => {
    const before = Date.now();
    await logIn(agent, fake);
    const page = (await agent.get('/').expect(200)).text;
    const match = /Expires at <time datetime="([^"]+)">(\d\d:\d\d:\d\d)<\/time> \(in 1 h\)\./.exec(page);
    expect(match).not.toBeNull();
    const instant = Date.parse(match?.[1] ?? '');
    expect(instant - before).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(instant - before).toBeLessThanOrEqual(3600_000 + 5000);
    expect(match?.[2]).toBe(new Date(instant).toLocaleTimeString('en-GB', { hour12: false }));
    expect(page.match(/\d{4}-\d\d-\d\dT/g)).toEqual([`${match?.[1]?.slice(0, 11)}`]); // only inside datetime=""
  });

  it('explains the revocation cards after logout, and that the sign-in at the authorization server remains (RFC 7009)', async () => {
    await logIn(agent, fake);
    const res = await postForm('/logout');
    const page = (await agent.get(res.headers.location ?? '/').expect(200)).text;
    expect(page).toContain('You are logged out. You are still signed in at the authorization server, so the next login may not ask for your password.');
    expect(page).toContain('Logging out, this client asked the authorization server to revoke the refresh token, then the access');
    expect(page).toContain('<a href="https://www.rfc-editor.org/rfc/rfc7009#section-2.2">RFC 7009 §2.2</a>');
    expect(page).toContain(`<a href="${fake.issuer}">authorization server</a> is a session of its own and remains`);
    // The login flow's introduction is not the story told here.
    expect(page).not.toContain('Every message this client sent or received');
  });

  it('tells the login story, not the logout one, when logged in', async () => {
    await logIn(agent, fake);
    const page = await inspector();
    expect(page).toContain('Every message this client sent or received');
    expect(page).not.toContain('Logging out, this client asked');
  });

  it('links an error page to the flow inspector, which shows the refused message', async () => {
    await logIn(agent, fake); // an anonymous browser's refused callback is not stored (session.test.ts)
    const error = await agent.get('/callback').query({ code: 'x', state: 'forged', iss: fake.issuer }).expect(400);
    expect(error.text).toContain('<a href="/#inspector">flow inspector</a>');
    expect((await agent.get('/').expect(200)).text).toContain('✗ Failed: state matches a login started in this browser');
  });

  it('does not offer the inspector on a page that does not exist', async () => {
    const res = await agent.get('/no-such-page').expect(404);
    expect(res.text).not.toContain('/#inspector');
  });
});

describe('momentOf: a moment as people read it', () => {
  const now = new Date(2026, 0, 15, 14, 0, 0).getTime();
  it.each([
    [59 * 60_000, 'in 59 min'],
    [3600_000, 'in 1 h'],
    [65 * 60_000, 'in 1 h 5 min'],
    [40_000, 'in 40 s'],
    [-120_000, '2 min ago'],
    [3 * 86_400_000, 'in 3 days'],
  ])('%i ms from now reads "%s"', (offset, relative) => {
    expect(momentOf(now + offset, now).relative).toBe(relative);
  });

  it('gives the local clock time, with the date when it is another day, and the exact instant for <time datetime>', () => {
    expect(momentOf(now + 65 * 60_000, now)).toEqual({
      datetime: new Date(now + 65 * 60_000).toISOString(),
      clock: '15:05:00',
      relative: 'in 1 h 5 min',
    });
    expect(momentOf(now + 86_400_000, now).clock).toBe('16 Jan 2026 14:00:00');
  });
});
