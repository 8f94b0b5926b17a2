// The flow inspector's sequence diagram (views/_diagram.ejs): one arrow per message of the trace, lettered as
// in RFC 6749 §4.1, front and back channel drawn apart, failures marked, each arrow a link to its card.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { clientAgent, csrfTokenFrom, logIn, startLogin, type Agent } from './helpers.ts';

let fake: FakeAuthorizationServer;
let agent: Agent;
beforeEach(async () => {
  fake = await startFakeAuthorizationServer();
  agent = clientAgent(fake);
});
afterEach(() => fake.close());

interface DrawnArrow {
  classes: string[];
  id: string;
  href: string;
  /** What a screen reader announces: the link's text, hidden words included, aria-hidden parts left out. */
  name: string;
}

/** The arrows of the diagram, in page order. */
function arrowsOf(page: string): DrawnArrow[] {
  const list = /<ol class="arrows"[^>]*>([\s\S]*?)<\/ol>/.exec(page)?.[1] ?? '';
  return [...list.matchAll(/<li class="([^"]*)">\s*<a id="([^"]+)" href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g)].map(
    ([, classes = '', id = '', href = '', inner = '']) => ({ classes: classes.split(' '), id, href, name: textOf(inner) }),
  );
}

function textOf(html: string): string {
  return html
    .replace(/<span[^>]*aria-hidden="true"[^>]*>[^<]*<\/span>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The ids of the cards, in page order. */
function cardIds(page: string): string[] {
  return [...page.matchAll(/<li class="step[^"]*" id="([^"]+)"/g)].map((m) => m[1] ?? '');
}

function cardClasses(page: string, id: string): string[] {
  return (new RegExp(`<li class="([^"]*)" id="${id}"`).exec(page)?.[1] ?? '').split(' ');
}

async function home(): Promise<string> {
  return (await agent.get('/').expect(200)).text;
}

async function postForm(path: string, fields: Record<string, string> = {}) {
  return agent.post(path).type('form').send({ _csrf: await csrfTokenFrom(agent), ...fields }).expect(303);
}

describe('sequence diagram: the login drawn as RFC 6749 §4.1 draws it', () => {
  it('draws one arrow per message of the trace, numbered in order, each linking to its card', async () => {
    await logIn(agent, fake);
    const page = await home();
    const arrows = arrowsOf(page);
    expect(arrows).toHaveLength(cardIds(page).length);
    expect(arrows).toHaveLength(5);
    expect(arrows.map((arrow) => arrow.href)).toEqual(cardIds(page).map((id) => `#${id}`));
    expect(arrows.map((arrow) => arrow.id)).toEqual(['arrow-1', 'arrow-2', 'arrow-3', 'arrow-4', 'arrow-5']);
    // Each card links back to its arrow.
    for (const arrow of arrows) expect(page).toContain(`<a href="#${arrow.id}">↑ In the diagram`);
  });

  it('letters the arrows (A), (C), (D), (E) and names sender, receiver and channel for screen readers', async () => {
    await logIn(agent, fake);
    expect(arrowsOf(await home()).map((arrow) => arrow.name)).toEqual([
      '1. (A) Browser → Authorization server, front channel: GET /oauth/authorize',
      '2. (C) Browser → Client, front channel: GET /callback',
      '3. (D) Client → Authorization server, back channel: POST /oauth/token grant_type=authorization_code',
      '4. (E) Authorization server → Client, back channel: 200 OK',
      '5. Client → Resource server, back channel: GET /api/me — 200 OK',
    ]);
  });

  it('draws the redirects through the browser as front channel and the server-to-server calls as back channel (RFC 6749 §1.3.1)', async () => {
    await logIn(agent, fake);
    const arrows = arrowsOf(await home());
    expect(arrows.map((arrow) => arrow.classes.find((c) => c === 'front' || c === 'back'))).toEqual(['front', 'front', 'back', 'back', 'back']);
    expect(arrows.map((arrow) => arrow.classes.find((c) => c === 'left' || c === 'right'))).toEqual(['right', 'right', 'right', 'left', 'right']);
    expect(arrows.every((arrow) => !arrow.classes.includes('failed'))).toBe(true);
  });

  it('notes step (B) after (A): this client never sees it, and why no password may be asked', async () => {
    await logIn(agent, fake);
    const list = /<ol class="arrows"[^>]*>([\s\S]*?)<\/ol>/.exec(await home())?.[1] ?? '';
    const rows = [...list.matchAll(/<li class="([^"]*)">/g)].map((m) => m[1]);
    expect(rows[1]).toBe('note');
    const note = textOf(/<li class="note">([\s\S]*?)<\/li>/.exec(list)?.[1] ?? '');
    expect(note).toContain('(B) You sign in and approve at the authorization server: this client never sees it.');
    expect(note).toContain('No password asked? The server still had your sign-in from before; logging out of this client does not end it.');
  });

  it('is not drawn while the inspector is hidden', async () => {
    await logIn(agent, fake);
    await postForm('/inspector', { show: 'no' });
    expect(arrowsOf(await home())).toEqual([]);
    expect(await home()).not.toContain('class="diagram"');
  });
});

describe('sequence diagram: failures on the arrow and on the card', () => {
  it('marks a refused token exchange as failed, with its error code (RFC 6749 §5.2)', async () => {
    fake.tokenResponse = () => ({ status: 400, json: { error: 'invalid_grant', error_description: 'code was already used' } });
    const state = (await startLogin(agent)).get('state');
    await agent.get('/callback').query({ code: 'the-code', state, iss: fake.issuer }).expect(400);
    const page = await home();
    const arrows = arrowsOf(page);
    expect(arrows).toHaveLength(4);
    expect(arrows[2]?.classes).not.toContain('failed'); // the request itself was sent as it should be
    expect(arrows[3]?.classes).toContain('failed');
    expect(arrows[3]?.name).toBe('4. (E) Authorization server → Client, back channel, failed: 400 invalid_grant');
    expect(cardClasses(page, 'step-4')).toEqual(['step', 'failed']);
    expect(cardClasses(page, 'step-3')).toEqual(['step']);
  });

  it('marks a callback whose state check was refused as failed (RFC 6749 §10.12)', async () => {
    await startLogin(agent);
    await agent.get('/callback').query({ code: 'the-code', state: 'forged-state', iss: fake.issuer }).expect(400);
    const page = await home();
    // The forged state names no login of this browser, so there is no request (A) to show with it.
    const arrows = arrowsOf(page);
    expect(arrows).toHaveLength(1);
    expect(arrows[0]?.classes).toContain('failed');
    expect(arrows[0]?.name).toBe('1. (C) Browser → Client, front channel, failed: GET /callback — refused');
    expect(cardClasses(page, 'step-1')).toContain('failed');
    expect(page).toMatch(/id="step-1"[\s\S]*?✗ Failed<\/span>/);
  });

  it('marks a resource request refused with 401 as failed, then the refresh and the retry (RFC 6750 §3.1)', async () => {
    await logIn(agent, fake);
    fake.validAccessTokens.delete('access-1');
    await postForm('/resource');
    const arrows = arrowsOf(await home());
    expect(arrows.slice(5).map((arrow) => [arrow.name, arrow.classes.includes('failed')])).toEqual([
      ['6. Client → Resource server, back channel, failed: GET /api/me — 401 Unauthorized', true],
      ['7. Client → Authorization server, back channel: POST /oauth/token grant_type=refresh_token', false],
      ['8. Authorization server → Client, back channel: 200 OK', false],
      ['9. Client → Resource server, back channel: GET /api/me — 200 OK', false],
    ]);
  });
});

describe('after an action, the page lands on what it added', () => {
  it('POST /refresh redirects to the first new card, which the page has', async () => {
    await logIn(agent, fake);
    const res = await postForm('/refresh');
    expect(res.headers.location).toBe('/#step-6');
    const page = await home();
    expect(cardIds(page).slice(-2)).toEqual(['step-6', 'step-7']);
    expect(arrowsOf(page).at(-1)?.href).toBe('#step-7');
  });

  it('POST /resource redirects to the new resource request card', async () => {
    await logIn(agent, fake);
    expect((await postForm('/resource')).headers.location).toBe('/#step-6');
  });

  it('keeps its numbers when the oldest messages are dropped, and says so', async () => {
    await logIn(agent, fake);
    for (let i = 0; i < 8; i += 1) await postForm('/refresh');
    const res = await postForm('/refresh');
    expect(res.headers.location).toBe('/#step-22'); // 5 + 2 × 8 + 1: the numbering does not restart
    const page = await home();
    expect(cardIds(page)).toHaveLength(20);
    expect(cardIds(page)[0]).toBe('step-4');
    expect(arrowsOf(page)[0]?.name).toMatch(/^4\. \(E\) /);
    expect(page).toContain('The first 3 messages of this story were dropped');
  });

  it('lands on the top of the page when the inspector is hidden', async () => {
    await logIn(agent, fake);
    await postForm('/inspector', { show: 'no' });
    expect((await postForm('/refresh')).headers.location).toBe('/');
  });
});
