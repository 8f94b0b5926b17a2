/**
 * The flow inspector's sequence diagram in Chromium, at desktop and phone widths: it fits without sideways
 * scrolling, each arrow takes you (and the keyboard focus) to its card, the arrows are reached with Tab in
 * the order of the flow, and after Refresh the page opens on the cards it added.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, logInToConsent, shoot, startApps } from './browser.ts';

const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 740 } } as const;

let browser: Browser;
let apps: Awaited<ReturnType<typeof startApps>>;
let context: BrowserContext;
let page: Page;
/** The authorization response as the browser followed it (code, state, iss), to replay it. */
let callbackUrl: string;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  apps = await startApps();
});
afterEach(async () => {
  await context?.close();
  await apps?.close();
});

async function loggedIn(viewport: { width: number; height: number }): Promise<void> {
  context = await browser.newContext({ viewport });
  page = await context.newPage();
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/callback') callbackUrl = request.url();
  });
  await logInToConsent(page, apps.client.url);
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${apps.client.url}/`);
}

const arrows = () => page.locator('.diagram ol.arrows a');
const activeId = () => page.evaluate(() => document.activeElement?.id);
const targetId = () => page.evaluate(() => document.querySelector(':target')?.id);
/** Whether the top of an element is on screen (the page scrolled to it). */
const inView = (selector: string) =>
  page.locator(selector).evaluate((element) => {
    const { top } = element.getBoundingClientRect();
    return top >= 0 && top < innerHeight;
  });

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  describe(`sequence diagram on a ${name} (${viewport.width} px)`, () => {
    it('draws one arrow per card, fits the width, and tells the channels apart by line style', async () => {
      await loggedIn(viewport);
      expect(await arrows().count()).toBe(await page.locator('.timeline > li.step').count());
      expect(await arrows().count()).toBe(5);
      // No sideways scrolling, and no arrow's words spill out of its row.
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
      const overflowing = await arrows().evaluateAll((links) => links.filter((a) => a.scrollWidth > a.clientWidth).map((a) => a.id));
      expect(overflowing).toEqual([]);
      const box = await page.locator('.diagram').boundingBox();
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? Infinity) <= viewport.width).toBe(true);

      // Front channel dashed, back channel solid: told apart without colour.
      const lineStyles = await page.locator('.diagram ol.arrows .line').evaluateAll((lines) => lines.map((l) => getComputedStyle(l).borderTopStyle));
      expect(lineStyles).toEqual(['dashed', 'dashed', 'solid', 'solid', 'solid']);
      await shoot(page, `diagram-${name}`);
    });

    it('takes each arrow to its card, which becomes the target and takes the focus', async () => {
      await loggedIn(viewport);
      for (let n = 1; n <= 5; n += 1) {
        await page.locator(`#arrow-${n}`).click();
        await page.waitForURL(`${apps.client.url}/#step-${n}`);
        expect(await targetId()).toBe(`step-${n}`);
        expect(await activeId()).toBe(`step-${n}`);
        await expect.poll(() => inView(`#step-${n}`)).toBe(true);
        // …and back up to the diagram from the card.
        await page.locator(`#step-${n}`).getByRole('link', { name: /In the diagram/ }).click();
        expect(await targetId()).toBe(`arrow-${n}`);
      }
    });

    it('reaches the arrows with Tab in the order of the flow, and opens a card with Enter', async () => {
      await loggedIn(viewport);
      await page.getByRole('button', { name: /Hide the messages/ }).focus();
      const order: string[] = [];
      for (let i = 0; i < 12 && order.length < 5; i += 1) {
        await page.keyboard.press('Tab');
        const id = await activeId();
        if (id?.startsWith('arrow-')) order.push(id);
      }
      expect(order).toEqual(['arrow-1', 'arrow-2', 'arrow-3', 'arrow-4', 'arrow-5']);

      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect(await activeId()).toBe('arrow-3');
      await page.keyboard.press('Enter');
      await page.waitForURL(/#step-3$/);
      expect(await activeId()).toBe('step-3');
      // The next Tab continues inside that card, not back at the top of the page.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.closest('li.step')?.id)).toBe('step-3');
    });

    it('names each arrow for screen readers: number, letter, sender → receiver, channel, message', async () => {
      await loggedIn(viewport);
      const snapshot = await page.locator('.diagram ol.arrows').ariaSnapshot();
      expect(snapshot).toContain('link "1. (A) Browser → Authorization server, front channel: GET /oauth/authorize"');
      expect(snapshot).toContain('link "3. (D) Client → Authorization server, back channel: POST /oauth/token grant_type=authorization_code"');
      expect(snapshot).toContain('link "5. Client → Resource server, back channel: GET /api/me — 200 OK"');
      expect(snapshot.match(/link "/g)).toHaveLength(5);
      expect(snapshot).toContain('list "Messages of this flow, in order"');
    });

    it('marks a refused message as failed on its arrow and on its card', async () => {
      await loggedIn(viewport);
      // The authorization response again: its state was used up, so the client refuses it (RFC 6749 §10.12).
      await page.goto(callbackUrl);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Request refused');
      await page.getByRole('link', { name: 'flow inspector' }).click();
      const failed = page.locator('.diagram ol.arrows li.failed a');
      expect(await failed.count()).toBe(1);
      expect(await failed.getAttribute('href')).toBe('#step-6');
      expect(await failed.textContent()).toContain('✗');
      expect(await page.locator('.diagram ol.arrows li.failed .line').evaluate((l) => getComputedStyle(l).borderTopColor)).toBe('rgb(155, 28, 28)');
      await failed.click();
      expect(await page.locator('#step-6 .failed-badge').textContent()).toBe('✗ Failed');
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
      await shoot(page, `diagram-failed-${name}`);
    });

    it('after Refresh, opens on the first card it added', async () => {
      await loggedIn(viewport);
      await page.getByRole('button', { name: /Refresh/ }).click();
      await page.waitForURL(`${apps.client.url}/#step-6`);
      expect(await targetId()).toBe('step-6');
      expect(await page.locator('#step-6 h3').textContent()).toBe('Refresh request');
      await expect.poll(() => inView('#step-6')).toBe(true);
      expect(await arrows().count()).toBe(7);
    });
  });
}
