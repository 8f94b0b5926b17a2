/**
 * The two terminals during a whole flow: every request leaves a line, a failed back-channel call leaves a line,
 * and no line carries a code, a state, a verifier, a token, a secret, a password or a cookie.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp as createProvider } from '../provider/src/app.ts';
import { loadConfig as loadProviderConfig } from '../provider/src/config.ts';
import { createLogger } from '@oauth-reference/common/log';
import { createApp as createClient } from '../client/src/app.ts';
import { loadConfig as loadClientConfig } from '../client/src/config.ts';
import { Browser, hiddenFields, signInAndConsent } from './support/browser.ts';
import { reservePort, type Running } from './support/servers.ts';

const CLIENT_SECRET = 'client-secret-that-must-stay-out-of-logs';
const SESSION_SECRET = 'a-shared-session-secret-of-at-least-32-chars';

/** A sink that keeps each JSON line, as a log collector would receive them with LOG_FORMAT=json. */
function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream, messages: () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg) };
}

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

describe('logs of both apps across a whole flow', () => {
  it('have a line per request and per failed back-channel call, and not one secret (RFC 6749 §10.3, §10.5, §10.12)', async () => {
    const providerLog = sink();
    const clientLog = sink();
    const providerPort = await reservePort();
    const clientPort = await reservePort();
    running.push(providerPort, clientPort);
    const shared = { CLIENT_SECRET, SESSION_SECRET, ISSUER: providerPort.url, REDIRECT_URI: `${clientPort.url}/callback`, LOG_FORMAT: 'json' };
    const providerConfig = loadProviderConfig(shared);
    providerPort.serve(createProvider(providerConfig, { logger: createLogger('provider', providerConfig.log, providerLog.stream) }));

    // What travels on the back channel, so that the test knows every secret the logs must not contain.
    const secrets = new Set<string>([CLIENT_SECRET, SESSION_SECRET]);
    const observingFetch: typeof fetch = async (input, init) => {
      new URLSearchParams(String(init?.body ?? '')).forEach((value) => secrets.add(value));
      const authorization = new Headers(init?.headers).get('authorization');
      if (authorization) secrets.add(authorization.split(' ')[1] ?? authorization);
      const response = await fetch(input, init);
      const body = await response.clone().text();
      for (const match of body.matchAll(/"(?:access_token|refresh_token)":"([^"]+)"/g)) secrets.add(match[1] ?? '');
      return response;
    };
    const clientConfig = loadClientConfig(shared);
    clientPort.serve(createClient(clientConfig, { fetch: observingFetch, logger: createLogger('client', clientConfig.log, clientLog.stream) }));

    // The browser: log in, allow, come back; refresh; start another login and bring back the spent code; log out.
    const browser = new Browser();
    const cookies = () => ['client.sid', 'client.login', 'provider.sid', 'provider.login', 'provider.device'].map((name) => browser.cookie(name));
    const start = await browser.post(`${clientPort.url}/login`, {});
    const authorization = new URL(start.headers.get('location') as string);
    cookies().forEach((value) => value && secrets.add(value));
    const callback = await signInAndConsent(browser, authorization);
    cookies().forEach((value) => value && secrets.add(value));
    for (const name of ['state', 'code_challenge']) secrets.add(authorization.searchParams.get(name) ?? '');
    secrets.add(callback.searchParams.get('code') ?? '');
    const home = await browser.follow(await browser.get(callback), callback);
    const page = await home.response.text();
    cookies().forEach((value) => value && secrets.add(value));

    const refreshForm = page.match(/<form method="post" action="\/refresh">[\s\S]*?<\/form>/)?.[0] ?? '';
    await browser.post(`${clientPort.url}/refresh`, hiddenFields(refreshForm));
    const again = new URL((await browser.post(`${clientPort.url}/login`, {})).headers.get('location') as string);
    const replay = new URL(callback);
    replay.searchParams.set('state', again.searchParams.get('state') ?? '');
    secrets.add(again.searchParams.get('state') ?? '');
    expect((await browser.get(replay)).status).toBe(400); // the provider refuses the spent code: invalid_grant
    const logoutPage = await (await browser.get(`${clientPort.url}/`)).text();
    const logoutForm = logoutPage.match(/<form method="post" action="\/logout">[\s\S]*?<\/form>/)?.[0] ?? '';
    await browser.post(`${clientPort.url}/logout`, hiddenFields(logoutForm));
    secrets.delete('');
    expect(secrets.size).toBeGreaterThan(10); // codes, verifier, state, both tokens (twice), cookies, secrets

    // One line per request, with the path alone.
    expect(providerLog.messages()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/oauth\/authorize 303 \d+ ms$/),
        expect.stringMatching(/^POST \/login 303 \d+ ms$/),
        expect.stringMatching(/^POST \/oauth\/token 200 \d+ ms$/),
        expect.stringMatching(/^GET \/api\/me 200 \d+ ms$/),
        expect.stringMatching(/^POST \/oauth\/revoke 200 \d+ ms$/),
      ]),
    );
    expect(clientLog.messages()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/callback 303 \d+ ms$/),
        expect.stringMatching(/^GET \/callback 400 \d+ ms$/),
        `Back-channel POST ${providerPort.url}/oauth/token answered 400`,
        expect.stringMatching(/^POST \/logout 303 \d+ ms$/),
      ]),
    );

    const all = [...providerLog.lines, ...clientLog.lines].join('\n');
    for (const secret of secrets) expect(all, `a log line contains ${secret.slice(0, 6)}…`).not.toContain(secret);
    expect(all).not.toMatch(/"(headers|cookie|authorization|body|query)"/i);
    expect(all).not.toMatch(/[?&](code|state|iss)=/);
    expect(all).not.toContain('demo'); // the demo user's password (and name)
  });
});
