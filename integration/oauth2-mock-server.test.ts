/**
 * Our client against an independent authorization server from npm (oauth2-mock-server), configured only
 * through the environment variables a user would set. That server publishes only OpenID Connect discovery,
 * adds an id_token, signs JWT access tokens and serves a userinfo endpoint: the client must cope with all of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuth2Server } from 'oauth2-mock-server';
import { Browser, hiddenFields } from './support/browser.ts';
import { clientApp, reservePort, type Running } from './support/servers.ts';

let server: OAuth2Server;
let client: Running;
let issuer: string;

beforeAll(async () => {
  server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  issuer = server.issuer.url as string;
  const reserved = await reservePort();
  client = reserved.serve(
    clientApp(reserved.url, {
      AUTH_SERVER: issuer,
      RESOURCE_URL: `${issuer}/userinfo`,
      SCOPE: 'openid profile',
      CLIENT_ID: 'some-registered-app',
      CLIENT_SECRET: 'its-secret',
    }),
  );
});

afterAll(async () => {
  await client.close();
  await server.stop();
});

describe('our client against oauth2-mock-server (RFC 6749 §4.1, RFC 8414 fallback to OIDC discovery)', () => {
  it('logs in, exchanges the code with PKCE, tolerates the id_token and shows the resource', async () => {
    const seen: URLSearchParams[] = [];
    server.service.once('beforeTokenSigning', (_token, req) => {
      seen.push(new URLSearchParams(req.body as Record<string, string>));
    });
    const browser = new Browser();
    const start = await browser.post(`${client.url}/login`, {});
    const authorize = new URL(start.headers.get('location') as string);
    expect(authorize.origin + authorize.pathname).toBe(`${issuer}/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    // The mock server approves at once and redirects back with code and state (no iss: it does not advertise it).
    const home = await browser.follow(await browser.get(authorize), authorize);
    expect(home.url.href).toBe(`${client.url}/`);
    const page = await home.response.text();
    expect(page).toContain('johndoe');
    expect(page).not.toContain('its-secret');
    expect(seen[0]?.get('grant_type')).toBe('authorization_code');
    expect(seen[0]?.get('code_verifier')).toMatch(/^[\w-]{43}$/);
  });

  it('refreshes and logs out against the other server, revoking at its revocation endpoint (RFC 6749 §6, RFC 7009)', async () => {
    let revocations = 0;
    server.service.on('beforeRevoke', () => {
      revocations++;
    });
    const browser = new Browser();
    const start = await browser.post(`${client.url}/login`, {});
    const home = await browser.follow(await browser.get(start.headers.get('location') as string), start.headers.get('location') as string);
    const csrf = hiddenFields(await home.response.text())._csrf as string;

    const refreshed = await browser.follow(await browser.post(`${client.url}/refresh`, { _csrf: csrf }), `${client.url}/refresh`);
    expect(refreshed.response.status).toBe(200);
    expect(await refreshed.response.text()).toContain('johndoe');

    const loggedOut = await browser.follow(await browser.post(`${client.url}/logout`, { _csrf: csrf }), `${client.url}/logout`);
    expect(await loggedOut.response.text()).toContain('Log in');
    expect(revocations).toBe(2); // the refresh token, then the access token
  });

  it('refuses a callback whose iss names another server, even when the server does not advertise iss (RFC 9207 §2.4)', async () => {
    server.service.once('beforeAuthorizeRedirect', ({ url }) => {
      url.searchParams.set('iss', 'http://attacker.example');
    });
    const browser = new Browser();
    const start = await browser.post(`${client.url}/login`, {});
    const callback = await browser.follow(await browser.get(start.headers.get('location') as string), start.headers.get('location') as string);
    expect(callback.response.status).toBe(400);
    expect(await callback.response.text()).toMatch(/iss/);
  });
});
