// What a person notices in their first minutes with the client: opening it on 127.0.0.1 instead of localhost,
// the favicon, and what the terminal shows for each request and for each failed call to the provider.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createLogger } from '@oauth-reference/common/log';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { CLIENT_SECRET, logIn, testConfig } from './helpers.ts';

// testConfig's redirect URI is http://localhost:3000/callback.
const UNUSED_ISSUER = 'http://127.0.0.1:9';

describe('the client opened on another host name than its redirect URI’s (RFC 6749 §10.12: state needs its cookie)', () => {
  const app = createApp(testConfig(UNUSED_ISSUER));

  it.each(['/', '/login'])('redirects GET %s on 127.0.0.1 to the same page on http://localhost:3000, before a login starts', async (path) => {
    const res = await request(app).get(`${path}?ignored=1`).set('Host', '127.0.0.1:3000');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`http://localhost:3000${path}`);
    // Nothing is stored for the host name the browser is about to leave.
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('serves the page when the host name is the redirect URI’s', async () => {
    const res = await request(app).get('/').set('Host', 'localhost:3000');
    expect(res.status).toBe(200);
  });

  it('is not an open redirect: whatever the Host header or the request target names, the target is the configured origin', async () => {
    const viaHost = await request(app).get('/login').set('Host', 'evil.example:3000');
    expect(viaHost.headers.location).toBe('http://localhost:3000/login');

    // An absolute-form request target (RFC 9112 §3.2.2) naming another host.
    const server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const location = await new Promise<string | undefined>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: 'http://evil.example:3000/login', headers: { host: 'evil.example:3000' } });
      req.on('response', (res) => resolve(res.headers.location)).on('error', reject).end();
    });
    server.close();
    expect(location).toBe('http://localhost:3000/login');
  });

  it('leaves a request on another port alone: a proxy or port mapping is in between, and a redirect could loop', async () => {
    const res = await request(app).get('/').set('Host', 'internal-name:8443');
    expect(res.status).toBe(200);
  });

  it('behind a trusted proxy (TRUST_PROXY), compares the host name the browser used (X-Forwarded-Host)', async () => {
    const env = { REDIRECT_URI: 'https://app.example/callback', TRUST_PROXY: 'loopback' };
    const behindProxy = createApp(testConfig(UNUSED_ISSUER, env));
    const res = await request(behindProxy)
      .get('/login')
      .set('Host', 'client:3000')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'www.app.example');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('https://app.example/login');

    // Without TRUST_PROXY the forwarded headers mean nothing: the request looks like http on port 3000, left alone.
    const untrusted = createApp(testConfig(UNUSED_ISSUER, { REDIRECT_URI: env.REDIRECT_URI }));
    const plain = await request(untrusted).get('/').set('Host', 'client:3000').set('X-Forwarded-Host', 'www.app.example');
    expect(plain.status).toBe(200);
  });
});

describe('favicon', () => {
  const app = createApp(testConfig(UNUSED_ISSUER));

  it('is linked from every page and served as SVG; /favicon.ico redirects to it instead of a 404', async () => {
    const page = await request(app).get('/');
    expect(page.text).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    const icon = await request(app).get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const ico = await request(app).get('/favicon.ico');
    expect(ico.status).toBe(301);
    expect(ico.headers.location).toBe('/favicon.svg');
  });
});

/** A logger writing JSON lines into an array, as server.ts's writes pretty lines to the terminal. */
function capturedLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger('client', { level: 'info', format: 'json' }, stream);
  return { lines, logger, messages: () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg) };
}

describe('logs', () => {
  let fake: FakeAuthorizationServer;
  beforeEach(async () => {
    fake = await startFakeAuthorizationServer();
  });
  afterEach(() => fake.close());

  it('write one line per request with the path alone: the callback’s code and state stay out of the log', async () => {
    const { lines, logger, messages } = capturedLogs();
    const agent = request.agent(createApp(testConfig(fake.issuer), { logger }));
    await logIn(agent, fake);
    expect(messages()).toContainEqual(expect.stringMatching(/^GET \/callback 303 \d+ ms$/));
    const all = lines.join('\n');
    expect(all).not.toContain('the-code');
    expect(all).not.toMatch(/state=|code=|authorization|cookie|client\.sid/i);
    expect(all).not.toContain(CLIENT_SECRET);
  });

  it('write one line per failed back-channel call: the status and the URL without its query', async () => {
    const { lines, logger, messages } = capturedLogs();
    const env = { RESOURCE_URL: `${fake.issuer}/api/me?tenant=query-that-must-not-be-logged` };
    const agent = request.agent(createApp(testConfig(fake.issuer, env), { logger }));
    fake.tokenResponse = () => ({ status: 400, json: { error: 'invalid_grant', error_description: 'code already used' } });
    await logIn(agent, fake).catch(() => undefined); // the callback page shows the refusal
    expect(messages()).toContain(`Back-channel POST ${fake.issuer}/oauth/token answered 400`);

    fake.tokenResponse = undefined;
    await logIn(agent, fake);
    fake.validAccessTokens.clear(); // the access token "expired": the resource answers 401
    const home = await agent.get('/');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)?.[1] ?? '';
    await agent.post('/resource').type('form').send({ _csrf: csrf });
    expect(messages()).toContain(`Back-channel GET ${fake.issuer}/api/me answered 401`);
    expect(lines.join('\n')).not.toContain('query-that-must-not-be-logged');
  });

  it('write one line when the authorization server cannot be reached, naming the URL and the reason', async () => {
    const closed = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const issuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));

    const { logger, messages } = capturedLogs();
    const agent = request.agent(createApp(testConfig(issuer), { logger }));
    const res = await agent.post('/login').set('Sec-Fetch-Site', 'same-origin');
    expect(res.status).toBe(503);
    expect(messages()).toContain(`Back-channel GET ${issuer}/.well-known/oauth-authorization-server failed: connect ECONNREFUSED ${issuer.slice(7)}`);
    expect(messages()).toContainEqual(expect.stringMatching(/^POST \/login 503 \d+ ms$/));
  });
});
