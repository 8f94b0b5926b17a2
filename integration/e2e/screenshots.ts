/**
 * `npm run screenshots`: renders every page a person sees, at desktop and phone widths, into docs/screenshots/
 * (the README shows some of them). Run it after changing a view or a stylesheet, and commit the result.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launch, shoot, startApps } from './browser.ts';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 740 } } as const;

async function capture(page: Page, clientUrl: string, providerUrl: string, suffix: string) {
  const shot = (name: string) => shoot(page, `${name}-${suffix}`, OUT);

  await page.goto(clientUrl);
  await shot('client-start');

  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Password').waitFor();
  await shot('provider-login');

  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).waitFor();
  await shot('provider-consent');

  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${clientUrl}/`);
  await shot('client-inspector');

  await page.getByRole('button', { name: 'Log out' }).click();
  // Still signed in at the provider: Log in leads straight to the consent page.
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL((url) => url.href.startsWith(clientUrl));
  await shot('client-denied');

  await page.goto(`${providerUrl}/oauth/authorize?client_id=testclient&redirect_uri=https://attacker.example/cb`);
  await shot('provider-error');
}

const browser = await launch();
try {
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    const apps = await startApps();
    const context = await browser.newContext({ viewport });
    try {
      await capture(await context.newPage(), apps.client.url, apps.provider.url, name);
    } finally {
      await context.close();
      await apps.close();
    }
  }
  console.log(`Screenshots written to ${OUT}`);
} finally {
  await browser.close();
}
