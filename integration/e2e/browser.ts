/**
 * Real-browser harness: Debian's Chromium driven by playwright-core, both apps on ephemeral loopback ports.
 * (`npx playwright install` cannot download browsers here; see DEVELOPERS.md. Set CHROMIUM_PATH to use another.)
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBoth } from '../support/servers.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of every run go here (ignored by git); `npm run screenshots` refreshes the ones in docs/. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../screenshots/', import.meta.url));

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Root in CI containers needs --no-sandbox; the rest keeps Chromium off the (closed) network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function startApps() {
  return startBoth();
}

export async function shoot(page: Page, name: string, dir = SCREENSHOT_DIR): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** Clicks Log in on the client and signs in at the provider; leaves the page on the consent screen. */
export async function logInToConsent(page: Page, clientUrl: string, password = 'demo'): Promise<void> {
  await page.goto(clientUrl);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
