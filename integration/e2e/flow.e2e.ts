/**
 * The flow as a person clicks through it in Chromium: Allow, Deny, a wrong password, refresh, logout and
 * provider sign-out. Each page is screenshotted into screenshots/ (ignored by git).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, logInToConsent, shoot, startApps } from './browser.ts';

let browser: Browser;
let apps: Awaited<ReturnType<typeof startApps>>;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  apps = await startApps();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
afterEach(async () => {
  await context?.close();
  await apps?.close();
});

describe('in a real browser (RFC 6749 §4.1)', () => {
  it('Allow: ends on the client with the user data', async () => {
    await logInToConsent(page, apps.client.url);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/Demo Client wants to access your account/);
    await shoot(page, 'consent');
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL(`${apps.client.url}/`);
    const body = await page.textContent('body');
    expect(body).toContain('demo');
    expect(body).toContain('user1');
    // The flow inspector: one card per message, lettered as in the RFC 6749 §4.1 diagram.
    const cards = await page.locator('.inspector h3').allTextContents();
    expect(cards.map((title) => title.replace(/\s+/g, ' ').trim())).toEqual([
      '(A) Authorization request',
      '(C) Authorization response',
      '(D) Access token request',
      '(E) Access token response',
      'Protected resource request',
    ]);
    expect(body).toContain('Basic ••••');
    expect(body).not.toContain('testsecret');
    await shoot(page, 'client-home');
  });

  it('Deny: back on the client with "access was denied" (RFC 6749 §4.1.2.1)', async () => {
    await logInToConsent(page, apps.client.url);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((url) => url.href.startsWith(apps.client.url));
    expect(await page.textContent('body')).toMatch(/denied/i);
    expect(await page.textContent('body')).toContain('access_denied');
    await shoot(page, 'client-denied');
  });

  it('a wrong password shows one generic message, then the right one gets to consent', async () => {
    await logInToConsent(page, apps.client.url, 'wrong');
    expect((await page.getByRole('alert').textContent())?.trim()).toBe('Wrong username or password.');
    await shoot(page, 'login-error');
    await page.getByLabel('Password').fill('demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
  });

  it('refresh, then logout; the next login asks for consent again, and for the password after provider sign-out', async () => {
    await logInToConsent(page, apps.client.url);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${apps.client.url}/`);

    await page.getByRole('button', { name: /Refresh/ }).click();
    await page.waitForURL(`${apps.client.url}/#step-6`); // lands on the refresh's cards in the flow inspector
    expect(await apps.provider.store.size()).toMatchObject({ grants: 1, refreshTokens: 1 }); // the rotation replaced it

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect((await apps.provider.store.size()).grants).toBe(0); // both tokens revoked (RFC 7009)

    // Still signed in at the provider: straight to consent.
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();

    // Sign out at the provider: the password is asked again.
    await page.goto(`${apps.provider.url}/`);
    await page.getByRole('button', { name: /Sign out/ }).click();
    await page.goto(apps.client.url);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByLabel('Password').waitFor();
    await shoot(page, 'login');
  });

  it('every page fits a phone-sized viewport without sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    const fits = async (label: string) => {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, label).toBeLessThanOrEqual(375);
    };
    await page.goto(apps.client.url);
    await fits('client start');
    await logInToConsent(page, apps.client.url);
    await fits('consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${apps.client.url}/`);
    await fits('client home with the inspector');
    await page.goto(`${apps.provider.url}/login`);
    await fits('provider login');
  });
});
