/**
 * Both real apps, each on its own ephemeral port, talking over real HTTP, with one cookie jar playing the
 * browser: the whole of RFC 6749 §4.1 as a person clicks through it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Browser, hiddenFields, signInAndConsent } from './support/browser.ts';
import { startBoth } from './support/servers.ts';

let running: Awaited<ReturnType<typeof startBoth>> | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** Presses "Log in" on the client (POST /login), plays the user at the provider, and follows the redirect back. */
async function logIn(browser: Browser, clientUrl: string, decision: 'allow' | 'deny' = 'allow') {
  const start = await browser.post(`${clientUrl}/login`, {});
  expect(start.status).toBe(303);
  const callback = await signInAndConsent(browser, new URL(start.headers.get('location') as string), decision);
  expect(callback.origin).toBe(clientUrl);
  return browser.follow(await browser.get(callback), callback);
}

async function postForm(browser: Browser, page: string, url: string, action: string) {
  const form = page.match(new RegExp(`<form method="post" action="${action}">[\\s\\S]*?</form>`))?.[0] ?? '';
  return browser.follow(await browser.post(`${url}${action}`, hiddenFields(form)), `${url}${action}`);
}

describe('provider and client together (RFC 6749 §4.1)', () => {
  it('logs in, consents, and shows the protected resource on the client, with no token in the page', async () => {
    running = await startBoth();
    const { client, provider } = running;
    const issued: string[] = [];
    const issueTokens = provider.store.issueTokens.bind(provider.store);
    vi.spyOn(provider.store, 'issueTokens').mockImplementation(async (code, tokens) => {
      const saved = await issueTokens(code, tokens);
      issued.push(tokens.accessToken, saved?.refreshToken ?? '');
      return saved;
    });
    const browser = new Browser();
    const home = await logIn(browser, client.url);
    expect(home.url.href).toBe(`${client.url}/`);
    const page = await home.response.text();
    expect(page).toContain('demo');
    expect(page).toContain('user1');
    expect((await provider.store.size()).accessTokens).toBe(1);
    // Tokens live in the client's server-side session only; the flow inspector shows masked values.
    expect(issued).toHaveLength(2);
    for (const token of issued) expect(page).not.toContain(token);
    expect(page).not.toContain('testsecret');
    expect(browser.cookie('client.sid')).toBeDefined();
    expect(browser.cookie('provider.sid')).toBeDefined();
  });

  it('brings the user back with "access was denied" when they click Deny (RFC 6749 §4.1.2.1)', async () => {
    running = await startBoth();
    const denied = await logIn(new Browser(), running.client.url, 'deny');
    expect(denied.response.status).toBe(403);
    const page = await denied.response.text();
    expect(page).toMatch(/denied/i);
    expect(page).toContain('access_denied');
    expect((await running.provider.store.size()).accessTokens).toBe(0);
  });

  it('refreshes, then logs out revoking both tokens at the provider (RFC 6749 §6, RFC 7009)', async () => {
    running = await startBoth();
    const { client, provider } = running;
    const browser = new Browser();
    const home = await logIn(browser, client.url);
    const refreshed = await postForm(browser, await home.response.text(), client.url, '/refresh');
    expect(refreshed.response.status).toBe(200);
    expect(await provider.store.size()).toMatchObject({ grants: 1, accessTokens: 1, refreshTokens: 1 }); // the rotation replaced both

    const loggedOut = await postForm(browser, await refreshed.response.text(), client.url, '/logout');
    expect(loggedOut.response.status).toBe(200);
    expect(await loggedOut.response.text()).toContain('Log in');
    expect(await provider.store.size()).toMatchObject({ accessTokens: 0, refreshTokens: 0, grants: 0 });
  });

  it('asks for consent again after logging out, and for the password again after provider sign-out', async () => {
    running = await startBoth();
    const { client, provider } = running;
    const browser = new Browser();
    await postForm(browser, await (await logIn(browser, client.url)).response.text(), client.url, '/logout');

    // Still signed in at the provider: straight to the consent page.
    const again = await browser.post(`${client.url}/login`, {});
    const consentPage = await browser.follow(await browser.get(again.headers.get('location') as string), again.headers.get('location') as string);
    expect(consentPage.url.pathname).toBe('/oauth/authorize');

    // Sign out at the provider: the next authorization asks for the password.
    const providerHome = await (await browser.get(`${provider.url}/`)).text();
    await postForm(browser, providerHome, provider.url, '/logout');
    const third = await browser.post(`${client.url}/login`, {});
    const loginPage = await browser.follow(await browser.get(third.headers.get('location') as string), third.headers.get('location') as string);
    expect(loginPage.url.pathname).toBe('/login');
  });
});
