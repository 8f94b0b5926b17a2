/**
 * One authorization code flow, over HTTP, against each provider: the user is already signed in (ours) or sends
 * credentials with the authorization request (upstream-equivalent). Each flow is (B)→(C) consent, (D)→(E) token
 * exchange, then one protected resource request; any unexpected status throws. Also the single steps the
 * other scenarios need: the code exchange and a refresh.
 */
import { createHash, randomBytes } from 'node:crypto';
import { basic, expectStatus, type HttpClient, type Reply } from './http.ts';

export const CLIENT_ID = 'testclient';
export const CLIENT_SECRET = 'testsecret';
export const REDIRECT_URI = 'http://localhost:3000/callback';
const AUTHORIZATION = basic(CLIENT_ID, CLIENT_SECRET);

export function pkce() {
  const code_verifier = randomBytes(32).toString('base64url');
  return { code_verifier, code_challenge: createHash('sha256').update(code_verifier).digest('base64url') };
}

export function authorizationRequest(code_challenge?: string): Record<string, string> {
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

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

/** The browser's cookies at the provider: the signed sign-in cookie, then the login session (`provider.sid`). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(reply: Reply): Reply {
    for (const line of reply.headers['set-cookie'] ?? []) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return reply;
  }

  get header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface LoginSession {
  cookie: string;
}

/**
 * Signs in once, as a browser does: (A) the authorization request sends it to the sign-in page, whose form
 * token lives in a signed cookie; the sign-in creates the login session and returns to the request.
 */
export async function signIn(http: HttpClient): Promise<LoginSession> {
  const jar = new CookieJar();
  const query = new URLSearchParams(authorizationRequest(pkce().code_challenge));
  const authorize = jar.take(await http.request('GET', `/oauth/authorize?${query}`));
  expectStatus(authorize, 303, 'GET /oauth/authorize (signed out)');
  const loginPage = jar.take(expectStatus(await http.request('GET', '/login', { cookie: jar.header }), 200, 'GET /login'));
  const login = await http.postForm('/login', { _csrf: csrfFrom(loginPage.body), username: 'demo', password: 'demo' }, { cookie: jar.header });
  jar.take(expectStatus(login, 303, 'POST /login'));
  return { cookie: jar.header };
}

/**
 * One signed-in browser per flow loop: a login session allows a few consent pages open at once (tabs), fewer
 * than the loops running flows, so the loops are separate users, as real traffic is.
 */
export async function signInBrowsers(http: HttpClient, count: number): Promise<LoginSession[]> {
  const sessions: LoginSession[] = [];
  for (let i = 0; i < count; i++) sessions.push(await signIn(http));
  return sessions;
}

/**
 * (A)–(E) for a signed-in browser: consent page → Allow → code → token (PKCE, client_secret_basic). Each consent
 * page view allows one decision, so every flow opens the page for its own request first.
 */
export async function grantTokens(http: HttpClient, session: LoginSession): Promise<TokenResponse> {
  const { code_verifier, code_challenge } = pkce();
  const request = authorizationRequest(code_challenge);
  const page = await http.request('GET', `/oauth/authorize?${new URLSearchParams(request)}`, { cookie: session.cookie });
  const form = { ...request, _csrf: csrfFrom(expectStatus(page, 200, 'consent page').body), decision: 'allow' };
  const consent = expectStatus(await http.postForm('/oauth/authorize', form, { cookie: session.cookie }), 303, 'consent');
  return exchangeCode(http, codeFrom(consent.headers.location), code_verifier);
}

/** The provider under test: the tokens (`grantTokens`), then the protected resource with the access token. */
export async function providerFlow(http: HttpClient, session: LoginSession): Promise<void> {
  const { access_token } = await grantTokens(http, session);
  expectStatus(await http.request('GET', '/api/me', { authorization: `Bearer ${access_token}` }), 200, 'GET /api/me');
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
}

/** (D) → (E) The code for tokens, as the client does it (PKCE verifier, client_secret_basic). */
export async function exchangeCode(http: HttpClient, code: string, code_verifier: string): Promise<TokenResponse> {
  const exchange = { grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI };
  const token = expectStatus(await http.postForm('/oauth/token', exchange, { authorization: AUTHORIZATION }), 200, 'token');
  return JSON.parse(token.body) as TokenResponse;
}

/** RFC 6749 §6: a refresh token for a new pair (the old refresh token is spent). */
export async function refresh(http: HttpClient, refresh_token: string): Promise<TokenResponse> {
  const form = { grant_type: 'refresh_token', refresh_token };
  const token = expectStatus(await http.postForm('/oauth/token', form, { authorization: AUTHORIZATION }), 200, 'refresh');
  return JSON.parse(token.body) as TokenResponse;
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
