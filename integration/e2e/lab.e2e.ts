/**
 * The security lab in Chromium: each experiment's Run button clicked as a person would, signing in and clicking
 * Allow at the provider when the experiment asks for a code, and the outcome read on the lab page. Experiment 10 is
 * the one only a browser can show: the provider's page refused inside the lab page's frame.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, shoot, startApps } from './browser.ts';

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

/**
 * Clicks "Run experiment n", then plays the user wherever the browser goes: signs in and clicks Allow at the
 * provider, as often as asked. Ends on the lab page, or on the client's error page (the refusal of 5 and 6).
 */
async function runExperiment(n: number): Promise<void> {
  await page.goto(`${apps.client.url}/lab`);
  await page.getByRole('button', { name: new RegExp(`^Run experiment ${n}\\b`) }).click();
  for (let i = 0; i < 6; i += 1) {
    await page.waitForLoadState();
    const url = new URL(page.url());
    if (url.origin === apps.provider.url && url.pathname === '/login') {
      await page.getByLabel('Username').fill('demo');
      await page.getByLabel('Password').fill('demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
    } else if (url.origin === apps.provider.url && url.pathname === '/oauth/authorize') {
      await page.getByRole('button', { name: 'Allow' }).click();
    } else {
      return;
    }
    await page.waitForURL((next) => next.href !== url.href || next.origin !== apps.provider.url);
  }
}

/** The outcome words of each attempt in the lab page's result. */
async function outcomes(): Promise<string[]> {
  return page.locator('#result .findings .lab-verdict strong').allTextContents();
}

const EXPERIMENTS = [
  { n: 1, title: 'Replay the authorization code', attempts: 2 },
  { n: 2, title: 'Reuse a rotated refresh token', attempts: 2 },
  { n: 3, title: 'Redeem a code without the PKCE verifier, or with a wrong one', attempts: 3 },
  { n: 7, title: 'An authorization request with an unregistered redirect_uri', attempts: 1 },
  { n: 8, title: 'The access token in the query string', attempts: 1 },
] as const;

describe('security lab in a real browser', () => {
  for (const { n, title, attempts } of EXPERIMENTS) {
    it(`experiment ${n}, ${title}: refused, with the RFC section and the function that refused it`, async () => {
      await runExperiment(n);
      await page.waitForURL(`${apps.client.url}/lab#result`);
      expect(await page.locator('#result h2').textContent()).toBe(`Experiment ${n}: ${title}`);
      expect(await page.locator('#result .verdict').textContent()).toBe('The attack was stopped.');
      expect(await outcomes()).toEqual(Array(attempts).fill('✓ Refused:'));
      // Each outcome names where the refusal happens and the section that requires it, and links its card.
      const first = page.locator('#result .findings > li').first();
      expect(await first.locator('.lab-refs code').count()).toBeGreaterThanOrEqual(2);
      expect(
        await first.locator('.lab-refs a[href^="https://www.rfc-editor.org/rfc/"]').count(),
      ).toBeGreaterThanOrEqual(1);
      const card = await first.getByRole('link', { name: /See message \d+/ }).getAttribute('href');
      await page
        .locator(`#result .findings > li`)
        .first()
        .getByRole('link', { name: /See message/ })
        .click();
      expect(await page.locator(`${card} .lab-verdict strong`).textContent()).toBe('✓ Refused:');
      expect(await page.locator(`#result .diagram a[href="${card}"] .outcome`).textContent()).toMatch(/attack stopped/);
      await shoot(page, `lab-${n}`);
    });
  }

  it('experiment 4 without a second client: the redirect_uri half is refused, the other says how to register one', async () => {
    await runExperiment(4);
    await page.waitForURL(`${apps.client.url}/lab#result`);
    expect(await outcomes()).toEqual(['– Not run:', '✓ Refused:']);
    expect(await page.locator('#result').textContent()).toContain('Set PUBLIC_CLIENT_ID and PUBLIC_REDIRECT_URI');
  });

  for (const { n, message } of [
    { n: 5, message: 'the state parameter does not match' },
    { n: 6, message: 'the iss parameter does not match' },
  ]) {
    it(`experiment ${n}: the client's callback refuses it (HTTP 400), and the lab page shows the refusal`, async () => {
      const answers: number[] = [];
      page.on('response', (response) => {
        if (new URL(response.url()).pathname === '/callback') answers.push(response.status());
      });
      await runExperiment(n);
      expect(await page.locator('main').textContent()).toContain(message);
      expect(answers.at(-1)).toBe(400);
      await page.getByRole('link', { name: 'back to the security lab' }).click();
      await page.waitForURL(`${apps.client.url}/lab#result`);
      expect(await page.locator('#result .verdict').textContent()).toBe('The attack was stopped.');
      expect(await outcomes()).toEqual(['✓ Refused:']);
    });
  }

  it('experiment 9: the request without code_challenge is refused before any sign-in', async () => {
    await runExperiment(9);
    await page.waitForURL(`${apps.client.url}/lab#result`);
    expect(await outcomes()).toEqual(['✓ Refused:', '– Not run:']);
    expect(await page.locator('#result').textContent()).toContain('error=invalid_request');
  });

  it('experiment 10: the browser refuses to show the provider’s page inside the lab page', async () => {
    // Signed in at the provider first, so the frame would hold the consent form itself, Allow button and all.
    await runExperiment(1);
    await runExperiment(10);
    await page.waitForURL(`${apps.client.url}/lab#result`);
    expect(await outcomes()).toEqual(['✓ Refused:']);
    const frame = page.frameLocator('iframe.lab-frame');
    await page.locator('iframe.lab-frame').waitFor();
    await expect
      .poll(() =>
        page
          .frames()
          .find((f) => f !== page.mainFrame())
          ?.url(),
      )
      .toMatch(/^chrome-error:/);
    expect(await frame.getByRole('button', { name: 'Allow' }).count()).toBe(0);
    await shoot(page, 'lab-10');
  });

  it('fits a phone’s width with a result shown', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await runExperiment(1);
    await page.waitForURL(`${apps.client.url}/lab#result`);
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
    await shoot(page, 'lab-phone');
  });
});
