/**
 * One authorization code flow, over HTTP, against each provider: the user is already signed in (ours) or sends
 * credentials with the authorization request (upstream-equivalent). Each flow is (B)→(C) consent, (D)→(E) token
 * exchange, then one protected resource request; any unexpected status throws.
 */
import { createHash, randomBytes } from 'node:crypto';
import { basic, expectStatus, type HttpClient } from './http.ts';

export const CLIENT_ID = 'testclient';
export const CLIENT_SECRET = 'testsecret';
export const REDIRECT_URI = 'http://localhost:3000/callback';
const AUTHORIZATION = basic(CLIENT_ID, CLIENT_SECRET);

export function pkce() {
  const code_verifier = randomBytes(32).toString('base64url');
  return { code_verifier, code_challenge: createHash('sha256').update(code_verifier).digest('base64url') };
}

function authorizationRequest(code_challenge?: string): Record<string, string> {
  const request: Record<string, string> = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: 'profile',
    state: 'bench-state',
  };
  if (code_challenge) Object.assign(request, { code_challenge, code_challenge_method: 'S256' });
  return request;
}

function codeFrom(location: string | undefined): string {
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`no code in redirect ${location}`);
  return code;
}

function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

function sessionCookie(setCookie: string[] | undefined, previous = ''): string {
  const line = setCookie?.find((cookie) => cookie.startsWith('provider.sid='));
  return line ? line.split(';')[0]! : previous;
}

export interface LoginSession {
  cookie: string;
  csrf: string;
}

/** Signs in once at the provider and opens the consent page once, which puts the form's CSRF token in the session. */
export async function signIn(http: HttpClient): Promise<LoginSession> {
  const loginPage = expectStatus(await http.request('GET', '/login'), 200, 'GET /login');
  let cookie = sessionCookie(loginPage.headers['set-cookie']);
  const login = await http.postForm('/login', { _csrf: csrfFrom(loginPage.body), username: 'demo', password: 'demo' }, { cookie });
  cookie = sessionCookie(expectStatus(login, 303, 'POST /login').headers['set-cookie'], cookie);
  const query = new URLSearchParams(authorizationRequest(pkce().code_challenge));
  const consentPage = expectStatus(await http.request('GET', `/oauth/authorize?${query}`, { cookie }), 200, 'GET /oauth/authorize');
  cookie = sessionCookie(consentPage.headers['set-cookie'], cookie);
  return { cookie, csrf: csrfFrom(consentPage.body) };
}

/** The provider under test: consent (Allow) → code → token (PKCE, client_secret_basic) → GET /api/me. */
export async function providerFlow(http: HttpClient, session: LoginSession): Promise<void> {
  const { code_verifier, code_challenge } = pkce();
  const form = { ...authorizationRequest(code_challenge), _csrf: session.csrf, decision: 'allow' };
  const consent = expectStatus(await http.postForm('/oauth/authorize', form, { cookie: session.cookie }), 303, 'consent');
  const code = codeFrom(consent.headers.location);
  const exchange = { grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI };
  const token = expectStatus(await http.postForm('/oauth/token', exchange, { authorization: AUTHORIZATION }), 200, 'token');
  const { access_token } = JSON.parse(token.body) as { access_token: string };
  expectStatus(await http.request('GET', '/api/me', { authorization: `Bearer ${access_token}` }), 200, 'GET /api/me');
}

/** The upstream-equivalent: authorize POST with credentials → code → token (client_secret_basic) → GET /secure. */
export async function upstreamFlow(http: HttpClient): Promise<void> {
  const form = { ...authorizationRequest(), username: 'demo', password: 'demo', allow: 'true' };
  const authorize = expectStatus(await http.postForm('/oauth/authorize', form), 302, 'authorize');
  const code = codeFrom(authorize.headers.location);
  const exchange = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI };
  const token = expectStatus(await http.postForm('/oauth/token', exchange, { authorization: AUTHORIZATION }), 200, 'token');
  const { access_token } = JSON.parse(token.body) as { access_token: string };
  expectStatus(await http.request('GET', '/secure', { authorization: `Bearer ${access_token}` }), 200, 'GET /secure');
}
