/**
 * Provider processes on one PostgreSQL database, and the steps of RFC 6749 §4.1 as separate HTTP calls, so that a
 * test can send each step to another process: sign in on one, consent on another, exchange the code on a third.
 * Both processes play one service behind a load balancer: the same issuer and the same session secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { Browser, hiddenFields } from './browser.ts';
import type { AppProcess, Sandbox } from './processes.ts';

export const PROVIDER_ENV = {
  ISSUER: 'http://oauth.test',
  SESSION_SECRET: 'integration-postgres-session-secret-32-chars',
  PROVIDER_PORT: '0',
  HOST: '127.0.0.1',
};
export const REDIRECT_URI = 'http://localhost:3000/callback';
const BASIC = `Basic ${Buffer.from('testclient:testsecret').toString('base64')}`;

export interface Provider {
  app: AppProcess;
  url: string;
  port: number;
}

/** `node --import tsx provider/src/server.ts` on `databaseUrl`; resolves once it says it is ready. */
export async function startProvider(sandbox: Sandbox, databaseUrl: string, env: Record<string, string> = {}): Promise<Provider> {
  const app = sandbox.start('provider', { ...PROVIDER_ENV, DATABASE_URL: databaseUrl, ...env });
  const port = await app.port();
  return { app, url: `http://127.0.0.1:${port}`, port };
}

export function pkce() {
  const code_verifier = randomBytes(32).toString('base64url');
  return { code_verifier, code_challenge: createHash('sha256').update(code_verifier).digest('base64url') };
}

/** The authorization request's path and query (RFC 6749 §4.1.1), with PKCE (RFC 7636 §4.3). */
export function authorizationPath(code_challenge: string): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: 'testclient',
    redirect_uri: REDIRECT_URI,
    scope: 'profile',
    state: randomBytes(8).toString('hex'),
    code_challenge,
    code_challenge_method: 'S256',
  });
  return `/oauth/authorize?${query}`;
}

/** (B) Signs the browser in at `provider` as demo / demo: afterwards it holds a login session. */
export async function signIn(browser: Browser, provider: string): Promise<void> {
  const path = authorizationPath(pkce().code_challenge);
  const { response, url } = await browser.follow(await browser.get(provider + path), provider + path);
  expect(url.pathname).toBe('/login');
  const signedIn = await browser.post(url, { ...hiddenFields(await response.text()), username: 'demo', password: 'demo' });
  expect(signedIn.status).toBe(303);
}

/** (B)–(C) For a signed-in browser: shows the consent page at `provider`, allows, and returns the code. */
export async function consent(browser: Browser, provider: string): Promise<{ code: string; code_verifier: string }> {
  const { code_verifier, code_challenge } = pkce();
  const page = await browser.get(provider + authorizationPath(code_challenge));
  expect(page.status).toBe(200);
  const answer = await browser.post(`${provider}/oauth/authorize`, { ...hiddenFields(await page.text()), decision: 'allow' });
  expect(answer.status).toBe(303);
  const code = new URL(answer.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error(`no code in ${answer.headers.get('location')}`);
  return { code, code_verifier };
}

async function tokenRequest(provider: string, params: Record<string, string>) {
  const response = await fetch(`${provider}/oauth/token`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, string> };
}

/** (D)–(E) The code for tokens (RFC 6749 §4.1.3). */
export function exchange(provider: string, { code, code_verifier }: { code: string; code_verifier: string }) {
  return tokenRequest(provider, { grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI });
}

/** RFC 6749 §6. */
export function refresh(provider: string, refresh_token: string) {
  return tokenRequest(provider, { grant_type: 'refresh_token', refresh_token });
}

/** GET /api/me with the access token (RFC 6750 §2.1): the status, and the body when there is one. */
export async function callApi(provider: string, access_token: string) {
  const response = await fetch(`${provider}/api/me`, { headers: { authorization: `Bearer ${access_token}` } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, string>) : {} };
}

/** A signed-in browser and a fresh pair of tokens, all on `provider`. */
export async function signedInWithTokens(provider: string) {
  const browser = new Browser();
  await signIn(browser, provider);
  const tokens = await exchange(provider, await consent(browser, provider));
  expect(tokens.status).toBe(200);
  return { browser, tokens: tokens.body as { access_token: string; refresh_token: string } };
}
