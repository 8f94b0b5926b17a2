// When the security lab (client/src/lab/) is on, and what guards its buttons. The experiments themselves run
// against the real provider in integration/lab.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { clientAgent } from './helpers.ts';

describe('LAB: the lab never attacks someone else’s server by accident', () => {
  const lab = (env: Record<string, string>) => loadConfig(env).lab.enabled;

  it('is on by default against an authorization server on this machine', () => {
    expect(lab({})).toBe(true);
    expect(lab({ AUTH_SERVER: 'http://127.0.0.1:8080' })).toBe(true);
    expect(lab({ AUTH_SERVER: 'http://[::1]:8080' })).toBe(true);
  });

  it('is off by default against a server elsewhere, and with NODE_ENV=production', () => {
    expect(lab({ AUTH_SERVER: 'https://as.example.com' })).toBe(false);
    expect(lab({ NODE_ENV: 'production' })).toBe(false);
  });

  it('LAB=off turns it off; LAB=on turns it on anywhere, with a warning naming the server', () => {
    expect(lab({ LAB: 'off' })).toBe(false);
    const config = loadConfig({ LAB: 'on', AUTH_SERVER: 'https://as.example.com' });
    expect(config.lab.enabled).toBe(true);
    expect(config.warnings).toEqual([
      expect.stringMatching(/^LAB=on: the security lab at \/lab runs attacks against https:\/\/as\.example\.com/),
    ]);
    expect(loadConfig({ LAB: 'on' }).warnings).toEqual([]);
  });

  it('refuses any other value, naming the variable', () => {
    expect(() => loadConfig({ LAB: 'yes' })).toThrow(/^LAB must be on or off .*got "yes"$/);
  });

  it('knows the second client from PUBLIC_CLIENT_ID, which the provider reads too', () => {
    expect(loadConfig({}).lab.otherClientId).toBeUndefined();
    expect(loadConfig({ PUBLIC_CLIENT_ID: 'spa' }).lab.otherClientId).toBe('spa');
  });
});

describe('GET /lab', () => {
  let fake: FakeAuthorizationServer;
  beforeEach(async () => {
    fake = await startFakeAuthorizationServer();
  });
  afterEach(() => fake.close());

  it('lists the ten experiments, and the home page links to it', async () => {
    const agent = clientAgent(fake);
    const res = await agent.get('/lab').expect(200);
    expect(res.text.match(/<li class="experiment"/g)).toHaveLength(10);
    expect((await agent.get('/').expect(200)).text).toContain('href="/lab"');
  });

  it('allows frames from the authorization server on this page only (experiment 10)', async () => {
    const agent = clientAgent(fake);
    expect((await agent.get('/lab')).headers['content-security-policy']).toContain(
      `frame-src ${new URL(fake.issuer).origin}`,
    );
    expect((await agent.get('/')).headers['content-security-policy']).not.toContain('frame-src');
  });

  it('is a 404, with no link from the home page, when LAB=off', async () => {
    const agent = clientAgent(fake, { LAB: 'off' });
    await agent.get('/lab').expect(404);
    await agent.post('/lab/code-replay').expect(404);
    expect((await agent.get('/').expect(200)).text).not.toContain('/lab');
  });

  it('is a 404 with NODE_ENV=production', async () => {
    await clientAgent(fake, { NODE_ENV: 'production' }).get('/lab').expect(404);
  });
});

describe('POST /lab/:id', () => {
  let fake: FakeAuthorizationServer;
  beforeEach(async () => {
    fake = await startFakeAuthorizationServer();
  });
  afterEach(() => fake.close());

  it('refuses a request from another site with 403, and starts nothing', async () => {
    const agent = clientAgent(fake);
    const res = await agent.post('/lab/code-replay').set('Sec-Fetch-Site', 'cross-site').expect(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    await agent.post('/lab/code-replay').set('Origin', 'https://attacker.example').expect(403);
  });

  it('answers 404 for an experiment that does not exist', async () => {
    await clientAgent(fake).post('/lab/no-such-experiment').set('Sec-Fetch-Site', 'same-origin').expect(404);
  });

  it('starts a real authorization for an experiment that needs a code: the request is the client’s own, with PKCE', async () => {
    const res = await clientAgent(fake).post('/lab/code-replay').set('Sec-Fetch-Site', 'same-origin').expect(303);
    const url = new URL(res.headers.location ?? '');
    expect(url.origin + url.pathname).toBe(fake.metadata.authorization_endpoint);
    expect(url.searchParams.get('client_id')).toBe('testclient');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });
});

describe('GET /callback: an authorization the lab started', () => {
  let fake: FakeAuthorizationServer;
  beforeEach(async () => {
    fake = await startFakeAuthorizationServer();
  });
  afterEach(() => fake.close());

  it('is the lab’s to finish after the state and iss checks: nobody is signed in', async () => {
    const agent = clientAgent(fake);
    const started = await agent.post('/lab/code-replay').set('Sec-Fetch-Site', 'same-origin').expect(303);
    const state = new URL(started.headers.location ?? '').searchParams.get('state');
    await agent
      .get('/callback')
      .query({ code: 'the-code', state, iss: fake.issuer })
      .expect(303)
      .expect('Location', '/lab#result');
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Log in');
    expect(home.text).not.toContain('You are logged in');
  });

  it('is refused when the lab was turned off since it started', async () => {
    const on = clientAgent(fake);
    const started = await on.post('/lab/code-replay').set('Sec-Fetch-Site', 'same-origin').expect(303);
    const state = new URL(started.headers.location ?? '').searchParams.get('state');
    // The same browser (its pending-login cookie), now talking to a client started with LAB=off.
    const cookies = ([] as string[]).concat(started.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]);
    const off = clientAgent(fake, { LAB: 'off' });
    await off
      .get('/callback')
      .set('Cookie', cookies.join('; '))
      .query({ code: 'the-code', state, iss: fake.issuer })
      .expect(400);
    expect(fake.tokenRequests).toHaveLength(0);
  });
});

describe('the lab can be removed in one step', () => {
  it('nothing outside client/src/lab/ imports it but the lines of app.ts marked "security lab"', () => {
    const src = new URL('../src/', import.meta.url);
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.ts') && !file.startsWith('lab/'),
    );
    const importers = files.flatMap((file) =>
      readFileSync(new URL(file, src), 'utf8')
        .split('\n')
        .filter((line) => /from '(\.\.?\/)+lab\//.test(line) || /\binstallLab\(/.test(line))
        .map((line) => `${file}: ${line.includes('security lab') ? 'marked' : line}`),
    );
    expect(importers).toEqual(['app.ts: marked', 'app.ts: marked']);
  });
});
