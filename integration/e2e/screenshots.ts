/**
 * `npm run screenshots`: renders every page a person sees, at desktop and phone widths, into docs/screenshots/
 * (the README shows some of them). Run it after changing a view or a stylesheet, and commit the result.
 *
 * The apps run at http://localhost:8080 and http://localhost:3000, the addresses a reader gets from `npm start`,
 * so that the URLs in the pictures (the flow inspector shows them) are the ones they will see. If either port is
 * taken (by `npm start`, most likely), the script stops and says so rather than picture other addresses.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { listen, ListenError, type Listening } from '@oauth-reference/common/listen';
import { clientApp, providerApp } from '../support/servers.ts';
import { launch, shoot } from './browser.ts';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 740 } } as const;
const PORTS = { provider: 8080, client: 3000 } as const;

async function capture(page: Page, clientUrl: string, providerUrl: string, suffix: string) {
  const shot = (name: string) => shoot(page, `${name}-${suffix}`, OUT);
  // The authorization response as the browser followed it, to show the client refusing it a second time.
  let callbackUrl = '';
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/callback') callbackUrl = request.url();
  });

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
  await page.locator('#diagram').screenshot({ path: `${OUT}/client-diagram-${suffix}.png` });

  // The same authorization response again: its state was used up, so the client refuses it (RFC 6749 §10.12).
  await page.goto(callbackUrl);
  await shot('client-error');
  await page.getByRole('link', { name: 'flow inspector' }).click();
  await page.locator('#diagram').screenshot({ path: `${OUT}/client-diagram-failed-${suffix}.png` });

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  await shot('client-logout');

  // Still signed in at the provider: Log in leads straight to the consent page.
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL((url) => url.href.startsWith(clientUrl));
  await shot('client-denied');

  await page.goto(`${providerUrl}/oauth/authorize?client_id=testclient&redirect_uri=https://attacker.example/cb`);
  await shot('provider-error');

  // The security lab: the list, experiment 1 (a replayed code) with its outcome, and experiment 10 (the framed page).
  await page.goto(`${clientUrl}/lab`);
  await shot('client-lab');
  await page.getByRole('button', { name: /^Run experiment 1\b/ }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${clientUrl}/lab#result`);
  // The outcome and the sequence diagram; the cards below them are those of the inspector's pictures.
  const top = await page.locator('#result').evaluate((result) => result.getBoundingClientRect().top + scrollY);
  const bottom = await page.locator('#result .diagram').evaluate((diagram) => diagram.getBoundingClientRect().bottom + scrollY);
  const { width } = page.viewportSize()!;
  await page.screenshot({ path: `${OUT}/client-lab-result-${suffix}.png`, fullPage: true, clip: { x: 0, y: top - 12, width, height: bottom - top + 24 } });
  await page.getByRole('button', { name: /^Run experiment 10\b/ }).click();
  await page.waitForURL(`${clientUrl}/lab#result`);
  await page.locator('iframe.lab-frame').waitFor();
  await page.screenshot({ path: `${OUT}/client-lab-clickjacking-${suffix}.png` });
}

/** Both apps on their default ports, or a message and exit code 1 when a port is taken. */
async function startOnDefaultPorts() {
  const opened: Listening[] = [];
  for (const port of Object.values(PORTS)) {
    try {
      opened.push(await listen({ host: undefined, port }));
    } catch (err) {
      await Promise.all(opened.map((listening) => listening.close(0)));
      const why = err instanceof ListenError && err.code === 'EADDRINUSE' ? `Port ${port} is in use (${err.address}).` : String(err);
      console.error(
        `${why} The screenshots show the apps at localhost:${PORTS.provider} and localhost:${PORTS.client}, as \`npm start\` ` +
          `runs them: stop what uses port ${port} (\`npm start\`?) and run \`npm run screenshots\` again.`,
      );
      process.exit(1);
    }
  }
  const [provider, client] = opened as [Listening, Listening];
  const providerUrl = `http://localhost:${PORTS.provider}`;
  const clientUrl = `http://localhost:${PORTS.client}`;
  provider.serve(providerApp(providerUrl, { REDIRECT_URI: `${clientUrl}/callback` }).app);
  client.serve(clientApp(clientUrl, { AUTH_SERVER: providerUrl }));
  return { providerUrl, clientUrl, close: async () => void (await Promise.all([provider.close(0), client.close(0)])) };
}

const apps = await startOnDefaultPorts();
const browser = await launch();
try {
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    // A context of its own per width: no cookie, so no sign-in at the provider, carries over.
    const context = await browser.newContext({ viewport });
    try {
      await capture(await context.newPage(), apps.clientUrl, apps.providerUrl, name);
    } finally {
      await context.close();
    }
  }
  console.log(`Screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await apps.close();
}
