/**
 * The security lab (client/src/lab/) against the real provider, each experiment run as a person clicks through it:
 * the Run button, then, when it needs a code, sign in and Allow at the provider. The client's back-channel traffic
 * is recorded, so every refusal is checked on the wire (status, error code, the revoked token failing afterwards),
 * not only on the lab's page.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp as createClient } from '../client/src/app.ts';
import { loadConfig as loadClientConfig } from '../client/src/config.ts';
import { Browser, hiddenFields } from './support/browser.ts';
import { providerApp, reservePort } from './support/servers.ts';

interface Exchange {
  method: string;
  url: URL;
  body: URLSearchParams;
  status: number;
  headers: Headers;
  json: Record<string, unknown> | undefined;
}

let closeAll: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeAll?.();
  closeAll = undefined;
});

/** Provider and client on ephemeral ports; every request the client sends, and its answer, lands in `wire`. */
async function startLab(providerEnv: Record<string, string> = {}, clientEnv: Record<string, string> = {}) {
  const providerPort = await reservePort();
  const clientPort = await reservePort();
  const { app, store } = providerApp(providerPort.url, { REDIRECT_URI: `${clientPort.url}/callback`, ...providerEnv });
  const provider = providerPort.serve(app);
  const wire: Exchange[] = [];
  const config = loadClientConfig({
    CLIENT_PORT: String(clientPort.port),
    REDIRECT_URI: `${clientPort.url}/callback`,
    SESSION_SECRET: 'integration-session-secret-of-32-chars',
    AUTH_SERVER: provider.url,
    ...clientEnv,
  });
  const client = clientPort.serve(
    createClient(config, {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const text = await response.clone().text();
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        const body = new URLSearchParams(
          typeof init?.body === 'string' || init?.body instanceof URLSearchParams ? init.body : '',
        );
        wire.push({
          method: init?.method ?? 'GET',
          url: new URL(String(input)),
          body,
          status: response.status,
          headers: response.headers,
          json,
        });
        return response;
      },
    }),
  );
  closeAll = async () => void (await Promise.all([provider.close(), client.close()]));
  const tokenRequests = () => wire.filter((exchange) => exchange.url.href === `${provider.url}/oauth/token`);
  return { provider, client, store, wire, tokenRequests };
}

type Lab = Awaited<ReturnType<typeof startLab>>;

/**
 * Presses an experiment's Run button, then plays the user wherever the browser is sent: signs in and clicks Allow
 * at the provider (never anything else), and follows every redirect. Returns the page it ends on.
 */
async function run(lab: Lab, browser: Browser, id: string) {
  let url = new URL(`${lab.client.url}/lab/${id}`);
  let response = await browser.post(url, {});
  expect(response.status).toBe(303);
  for (let hops = 0; hops < 30; hops++) {
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location') ?? '', url);
      response = await browser.get(url);
      continue;
    }
    const html = await response.text();
    const atProvider = url.origin === lab.provider.url && response.status === 200;
    if (atProvider && url.pathname === '/login') {
      response = await browser.post(url, { ...hiddenFields(html), username: 'demo', password: 'demo' });
    } else if (atProvider && url.pathname === '/oauth/authorize') {
      url = new URL('/oauth/authorize', lab.provider.url);
      response = await browser.post(url, { ...hiddenFields(html), decision: 'allow' });
    } else {
      return { status: response.status, url, html };
    }
  }
  throw new Error('too many redirects');
}

/** The outcome of each attempt in the lab page's result, in order: refused, accepted, not-run, waiting. */
async function outcomes(lab: Lab, browser: Browser): Promise<{ verdict: string; attempts: string[]; html: string }> {
  const html = await (await browser.get(`${lab.client.url}/lab`)).text();
  const verdict = /<section class="lab-result (\w+)"/.exec(html)?.[1] ?? 'none';
  const findings = /<ul class="findings">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  const attempts = [...findings.matchAll(/<div class="lab-verdict ([\w-]+)">/g)].map((match) => match[1] as string);
  return { verdict, attempts, html };
}

const resourceWith = (lab: Lab, access_token: string) =>
  fetch(`${lab.provider.url}/api/me`, { headers: { authorization: `Bearer ${access_token}` } });

describe('security lab: codes (RFC 6749 §4.1.2, §4.1.3; RFC 7636 §4.6)', () => {
  it('1. a replayed code is refused (RFC 6749 §4.1.2), and the tokens issued from it are revoked (§10.5)', async () => {
    const lab = await startLab();
    const browser = new Browser();
    const end = await run(lab, browser, 'code-replay');
    expect(end.url.pathname).toBe('/lab');

    const [first, replay, refresh] = lab.tokenRequests();
    expect(first?.status).toBe(200);
    expect(replay?.body.get('code')).toBe(first?.body.get('code'));
    expect(replay?.status).toBe(400);
    expect(replay?.json?.error).toBe('invalid_grant');
    // The evidence of revocation: the first redemption's tokens, refused afterwards, on the wire and directly.
    expect(refresh?.body.get('refresh_token')).toBe(first?.json?.refresh_token);
    expect(refresh?.status).toBe(400);
    expect(refresh?.json?.error).toBe('invalid_grant');
    const resource = lab.wire.find((exchange) => exchange.url.pathname === '/api/me');
    expect(resource?.status).toBe(401);
    expect(resource?.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect((await resourceWith(lab, String(first?.json?.access_token))).status).toBe(401);

    expect(await outcomes(lab, browser)).toMatchObject({ verdict: 'stopped', attempts: ['refused', 'refused'] });
  });

  it('3. a code without its PKCE verifier, or with a wrong one, is refused (RFC 7636 §4.6); a wrong guess spends the code', async () => {
    const lab = await startLab();
    const browser = new Browser();
    await run(lab, browser, 'pkce-verifier'); // two authorizations: a refused verifier spends the first code

    const [bare, guess, right] = lab.tokenRequests();
    expect(bare?.body.has('code_verifier')).toBe(false);
    expect([bare?.status, bare?.json?.error, bare?.json?.error_description]).toEqual([
      400,
      'invalid_grant',
      'Missing parameter: `code_verifier`',
    ]);
    expect(guess?.body.get('code')).not.toBe(bare?.body.get('code'));
    expect([guess?.status, guess?.json?.error, guess?.json?.error_description]).toEqual([
      400,
      'invalid_grant',
      'Invalid grant: code verifier is invalid',
    ]);
    expect(right?.body.get('code')).toBe(guess?.body.get('code'));
    expect([right?.status, right?.json?.error]).toEqual([400, 'invalid_grant']);
    expect(lab.tokenRequests()).toHaveLength(3);

    expect(await outcomes(lab, browser)).toMatchObject({
      verdict: 'stopped',
      attempts: ['refused', 'refused', 'refused'],
    });
  });

  it('4. a code redeemed with another redirect_uri, or as another registered client, is refused (RFC 6749 §4.1.3)', async () => {
    const lab = await startLab(
      { PUBLIC_CLIENT_ID: 'spa', PUBLIC_REDIRECT_URI: 'http://127.0.0.1/callback' },
      { PUBLIC_CLIENT_ID: 'spa' },
    );
    const browser = new Browser();
    await run(lab, browser, 'code-substitution');

    const [asOther, elsewhere] = lab.tokenRequests();
    expect(asOther?.body.get('client_id')).toBe('spa');
    expect([asOther?.status, asOther?.json?.error]).toEqual([400, 'invalid_grant']);
    expect(elsewhere?.body.get('redirect_uri')).toBe('https://attacker.example/callback');
    expect([elsewhere?.status, elsewhere?.json?.error]).toEqual([400, 'invalid_grant']);
    expect(String(elsewhere?.json?.error_description)).toMatch(/redirect_uri/);

    expect(await outcomes(lab, browser)).toMatchObject({ verdict: 'stopped', attempts: ['refused', 'refused'] });
  });

  it('4. without a second client registered, says how to register one and runs the redirect_uri half only', async () => {
    const lab = await startLab();
    const browser = new Browser();
    await run(lab, browser, 'code-substitution');

    expect(lab.tokenRequests().map((exchange) => [exchange.status, exchange.json?.error])).toEqual([
      [400, 'invalid_grant'],
    ]);
    const { verdict, attempts, html } = await outcomes(lab, browser);
    expect([verdict, attempts]).toEqual(['stopped', ['not-run', 'refused']]);
    expect(html).toContain('Set PUBLIC_CLIENT_ID and PUBLIC_REDIRECT_URI');
  });
});

describe('security lab: refresh tokens (RFC 9700 §4.14.2)', () => {
  it('2. a rotated refresh token used again is refused, and the whole grant is revoked', async () => {
    const lab = await startLab();
    const browser = new Browser();
    await run(lab, browser, 'refresh-reuse');

    const [code, rotate, reuse, newest] = lab.tokenRequests();
    expect([code?.status, rotate?.status]).toEqual([200, 200]);
    expect(reuse?.body.get('refresh_token')).toBe(code?.json?.refresh_token);
    expect([reuse?.status, reuse?.json?.error]).toEqual([400, 'invalid_grant']);
    expect(newest?.body.get('refresh_token')).toBe(rotate?.json?.refresh_token);
    expect([newest?.status, newest?.json?.error]).toEqual([400, 'invalid_grant']);
    expect((await resourceWith(lab, String(rotate?.json?.access_token))).status).toBe(401);

    expect(await outcomes(lab, browser)).toMatchObject({ verdict: 'stopped', attempts: ['refused', 'refused'] });
  });
});

describe('security lab: the callback (RFC 6749 §10.12, RFC 9207)', () => {
  it('5. a callback with a forged state is refused with 400 before any token request, and the code stays unused', async () => {
    const lab = await startLab();
    const browser = new Browser();
    const end = await run(lab, browser, 'forged-state');

    expect(end.url.pathname).toBe('/callback');
    expect(end.url.searchParams.get('state')).toBe('the-attackers-own-state');
    expect(end.status).toBe(400);
    expect(end.html).toContain('the state parameter does not match');
    expect(end.html).toContain('back to the security lab');
    expect(lab.tokenRequests()).toHaveLength(0);
    expect((await lab.store.findAuthorizationCode(end.url.searchParams.get('code') ?? ''))?.used).toBe(false);

    expect(await outcomes(lab, browser)).toMatchObject({ verdict: 'stopped', attempts: ['refused'] });
  });

  it('6. a callback whose iss names another server is refused with 400 before any token request (mix-up)', async () => {
    const lab = await startLab();
    const browser = new Browser();
    const end = await run(lab, browser, 'mix-up');

    expect(end.url.searchParams.get('iss')).toBe('https://attacker.example');
    expect(end.status).toBe(400);
    expect(end.html).toContain('the iss parameter does not match');
    expect(lab.tokenRequests()).toHaveLength(0);
    expect(lab.wire.some((exchange) => exchange.url.pathname === '/oauth/authorize')).toBe(false);

    expect(await outcomes(lab, browser)).toMatchObject({ verdict: 'stopped', attempts: ['refused'] });
  });
});

describe('security lab: the authorization endpoint (RFC 9700 §4.1.3, §4.8.2, §4.16)', () => {
  it('7. an unregistered redirect_uri gets an error page at the provider, never a redirect', async () => {
    const lab = await startLab();
    const browser = new Browser();
    const end = await run(lab, browser, 'unregistered-redirect');
    expect(end.url.pathname).toBe('/lab');

    const [probe] = lab.wire.filter((exchange) => exchange.url.pathname === '/oauth/authorize');
    expect(probe?.url.searchParams.get('redirect_uri')).toBe('https://attacker.example/callback');
    expect(probe?.status).toBe(400);
    expect(probe?.headers.get('location')).toBeNull();
    // The link the lab page offers: the browser, too, stays at the provider.
    const link =
      /<a href="([^"]+)">Open the same request in your browser/.exec(end.html)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const opened = await browser.get(link);
    expect([opened.status, opened.headers.get('location')]).toEqual([400, null]);

    expect(await outcomes(lab, browser)).toMatchObject({ verdict: 'stopped', attempts: ['refused'] });
  });

  it('9. an authorization request without code_challenge is refused with invalid_request, before anyone signs in (PKCE downgrade)', async () => {
    const lab = await startLab();
    const browser = new Browser();
    const start = await browser.post(`${lab.client.url}/lab/pkce-downgrade`, {});
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(authorize.searchParams.has('code_challenge')).toBe(false);
    const answer = await browser.get(authorize);
    const back = new URL(answer.headers.get('location') ?? '');
    expect([answer.status, back.origin, back.searchParams.get('error')]).toEqual([
      303,
      lab.client.url,
      'invalid_request',
    ]);
    expect(back.searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    const end = await browser.get(back);
    expect([end.status, end.headers.get('location')]).toEqual([303, '/lab#result']);
    expect(lab.tokenRequests()).toHaveLength(0);

    expect(await outcomes(lab, browser)).toMatchObject({ verdict: 'stopped', attempts: ['refused', 'not-run'] });
  });

  it('9. a code_verifier for a code issued without a challenge is refused (RFC 9700 §4.8.2), with a code planted in the store', async () => {
    const lab = await startLab();
    // No request can make the provider issue such a code (above), so the test writes one into its store.
    await lab.store.saveAuthorizationCode({
      code: 'planted-code-without-challenge',
      expiresAt: new Date(Date.now() + 60_000),
      clientId: 'testclient',
      userId: 'user1',
      redirectUri: `${lab.client.url}/callback`,
      scope: ['profile'],
      codeChallenge: '',
      codeChallengeMethod: '',
    });
    const answer = await fetch(`${lab.provider.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('testclient:testsecret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'planted-code-without-challenge',
        redirect_uri: `${lab.client.url}/callback`,
        code_verifier: 'a'.repeat(43),
      }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('10. the lab page frames the provider’s page; the provider forbids it (frame-ancestors, X-Frame-Options) and only /lab allows the attempt', async () => {
    const lab = await startLab();
    const browser = new Browser();
    const end = await run(lab, browser, 'clickjacking');
    const frame = /<iframe class="lab-frame" src="([^"]+)"/.exec(end.html)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(new URL(frame).origin).toBe(lab.provider.url);

    const framed = await fetch(frame, { redirect: 'manual' });
    expect(framed.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(framed.headers.get('x-frame-options')).toBe('DENY');
    // The client lets this one page try; the provider's answer is what stops it.
    const labPage = await browser.get(`${lab.client.url}/lab`);
    expect(labPage.headers.get('content-security-policy')).toContain(`frame-src ${lab.provider.url}`);
    const home = await browser.get(`${lab.client.url}/`);
    expect(home.headers.get('content-security-policy')).not.toContain('frame-src');

    expect(await outcomes(lab, browser)).toMatchObject({ verdict: 'stopped', attempts: ['refused'] });
  });
});

describe('security lab: the resource server (RFC 6750 §2.3, RFC 9700 §4.3.2)', () => {
  it('8. an access token in the query string is refused as no token at all; in the header it works; the lab revokes it', async () => {
    const lab = await startLab();
    const browser = new Browser();
    await run(lab, browser, 'token-in-query');

    const [inQuery, inHeader] = lab.wire.filter((exchange) => exchange.url.pathname === '/api/me');
    const access_token = inQuery?.url.searchParams.get('access_token') ?? '';
    expect(access_token).not.toBe('');
    expect(inQuery?.status).toBe(401);
    // RFC 6750 §3.1: no error code, because no token was seen.
    expect(inQuery?.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"$/);
    expect(inHeader?.status).toBe(200);
    const revocations = lab.wire.filter((exchange) => exchange.url.pathname === '/oauth/revoke');
    expect(revocations.map((exchange) => [exchange.body.get('token_type_hint'), exchange.status])).toEqual([
      ['refresh_token', 200],
      ['access_token', 200],
    ]);
    expect((await resourceWith(lab, access_token)).status).toBe(401);

    expect(await outcomes(lab, browser)).toMatchObject({ verdict: 'stopped', attempts: ['refused'] });
  });
});

describe('security lab: your own session', () => {
  it('runs on a grant of its own: the signed-in user keeps their tokens and their flow', async () => {
    const lab = await startLab();
    const browser = new Browser();
    const login = await browser.post(`${lab.client.url}/login`, {});
    let url = new URL(login.headers.get('location') ?? '');
    let response = await browser.get(url);
    for (let hops = 0; hops < 10 && response.status !== 200; hops++) {
      url = new URL(response.headers.get('location') ?? '', url);
      response = await browser.get(url);
    }
    const signIn = await browser.post(url, {
      ...hiddenFields(await response.text()),
      username: 'demo',
      password: 'demo',
    });
    const consent = await browser.get(new URL(signIn.headers.get('location') ?? '', url));
    const allowed = await browser.post(`${lab.provider.url}/oauth/authorize`, {
      ...hiddenFields(await consent.text()),
      decision: 'allow',
    });
    await browser.follow(await browser.get(allowed.headers.get('location') ?? ''), lab.client.url);
    const userToken = lab.tokenRequests()[0]?.json?.access_token;

    await run(lab, browser, 'code-replay');
    await run(lab, browser, 'refresh-reuse');

    expect((await resourceWith(lab, String(userToken))).status).toBe(200);
    const home = await (await browser.get(`${lab.client.url}/`)).text();
    expect(home).toContain('You are logged in');
  });
});
