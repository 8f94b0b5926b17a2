// The OAuth 2.0 protocol steps this client performs, one block per step, in the order they happen on the wire.
// Each function is small and typed; the routes decide what to do with the results.
import { createHash, randomBytes } from 'node:crypto';
import type { AuthorizationServerMetadata } from './discovery.ts';
import { OAuthResponseError, retryAfterSeconds, TemporarilyUnavailableError } from '../http/errors.ts';
import {
  discardBody,
  isObject,
  JSON_ANSWER_LIMIT,
  readJson,
  readText,
  RESOURCE_ANSWER_LIMIT,
  upstreamFetch,
  UpstreamError,
  type Fetch,
} from '../http/upstream.ts';

export interface ClientCredentials {
  client_id: string;
  client_secret: string;
}

/** What a back-channel call needs: the network, the server's metadata and this client's credentials. */
export interface OAuthContext {
  fetch: Fetch;
  metadata: AuthorizationServerMetadata;
  client: ClientCredentials;
  /** Told each message exactly as sent and received (the flow inspector); it must not change them. */
  observe?: WireObserver;
}

/** Sees a back-channel request and its response; these functions stay pure of what it does with them. */
export interface WireObserver {
  request(message: { method: 'POST'; url: string; headers: Record<string, string>; body: URLSearchParams }): void;
  response(message: { status: number; body: unknown }): void;
}

// ---------------------------------------------------------------------------------------------------------
// Authorization Request (RFC 6749 §4.1.1) with PKCE (RFC 7636 §4.1–4.2)
// ---------------------------------------------------------------------------------------------------------

/** 32 random bytes, base64url: used for `state` (RFC 6749 §10.10) and `code_verifier` (RFC 7636 §4.1). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))). */
export function codeChallengeS256(code_verifier: string): string {
  return createHash('sha256').update(code_verifier, 'ascii').digest('base64url');
}

export function buildAuthorizationUrl(
  metadata: AuthorizationServerMetadata,
  params: { client_id: string; redirect_uri: string; scope: string; state: string; code_challenge: string },
): URL {
  // RFC 6749 §3.1: keep any query component the endpoint URI already has; URLSearchParams does the encoding.
  const url = new URL(metadata.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', params.client_id);
  url.searchParams.set('redirect_uri', params.redirect_uri);
  url.searchParams.set('scope', params.scope);
  url.searchParams.set('state', params.state);
  url.searchParams.set('code_challenge', params.code_challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url;
}

// ---------------------------------------------------------------------------------------------------------
// Access Token Request & Response (RFC 6749 §4.1.3–4.1.4) and Refreshing (RFC 6749 §6)
// ---------------------------------------------------------------------------------------------------------

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
}

export function exchangeCode(
  ctx: OAuthContext,
  params: { code: string; redirect_uri: string; code_verifier: string },
): Promise<TokenResponse> {
  // RFC 6749 §4.1.3: redirect_uri MUST be sent when it was in the authorization request;
  // RFC 7636 §4.5: code_verifier proves this client is the one that started the flow.
  return tokenRequest(ctx, { grant_type: 'authorization_code', ...params });
}

export function refreshTokens(ctx: OAuthContext, params: { refresh_token: string }): Promise<TokenResponse> {
  return tokenRequest(ctx, { grant_type: 'refresh_token', ...params });
}

async function tokenRequest(ctx: OAuthContext, params: Record<string, string>): Promise<TokenResponse> {
  const auth = clientAuthentication(ctx.client, ctx.metadata.token_endpoint_auth_methods_supported);
  const headers = { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const body = new URLSearchParams({ ...params, ...auth.body });
  ctx.observe?.request({ method: 'POST', url: ctx.metadata.token_endpoint, headers, body });
  const response = await upstreamFetch(ctx.fetch, ctx.metadata.token_endpoint, { method: 'POST', headers, body }, 'authorization server');
  const json = await readJson(response, JSON_ANSWER_LIMIT, 'authorization server');
  ctx.observe?.response({ status: response.status, body: json });
  // 503 means "not now", whatever error code comes with it: the code or refresh token may still be good, so
  // the caller keeps what it has instead of treating it as refused (RFC 6749 §5.2 lists no code for this).
  if (response.status === 503) {
    throw new TemporarilyUnavailableError('authorization server', retryAfterSeconds(response.headers.get('retry-after')));
  }
  if (!response.ok) throw oauthError(json);
  return parseTokenResponse(json);
}

/** RFC 6749 §5.1: check what this client relies on; tolerate members it does not use (id_token, …). */
function parseTokenResponse(json: unknown): TokenResponse {
  const invalid = (why: string) => new UpstreamError(502, `The token response is invalid: ${why} (RFC 6749 §5.1).`);
  if (!isObject(json)) throw invalid('it is not a JSON object');
  const { access_token, token_type, expires_in, refresh_token, scope } = json;
  if (typeof access_token !== 'string' || access_token === '') throw invalid('no access_token');
  // RFC 6749 §5.1: token_type is case-insensitive; this client can only use Bearer tokens (RFC 6750).
  if (typeof token_type !== 'string' || token_type.toLowerCase() !== 'bearer') throw invalid('token_type is not Bearer');
  // Members this client keeps must have the type §5.1 gives them: a refresh token or a scope of any other
  // shape is refused, not guessed at.
  if (refresh_token !== undefined && (typeof refresh_token !== 'string' || refresh_token === '')) {
    throw invalid('refresh_token is not a string');
  }
  if (scope !== undefined && typeof scope !== 'string') throw invalid('scope is not a string');
  return { access_token, token_type: 'Bearer', expires_in: lifetime(expires_in), refresh_token, scope };
}

/** Ten years: a longer lifetime is not meant, and a date that far out can still be shown. */
const MAX_EXPIRES_IN = 10 * 365 * 24 * 3600;

/**
 * expires_in is only RECOMMENDED (RFC 6749 §5.1), and some servers send it as a string. A value that is not
 * a plausible number of seconds (negative, huge, an object) is treated as absent: "the server did not say".
 */
function lifetime(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !(seconds >= 1 && seconds <= MAX_EXPIRES_IN)) return undefined;
  return Math.floor(seconds);
}

// ---------------------------------------------------------------------------------------------------------
// Client Authentication (RFC 6749 §2.3.1)
// ---------------------------------------------------------------------------------------------------------

export function clientAuthentication(
  client: ClientCredentials,
  methods_supported: string[] | undefined,
): { headers: Record<string, string>; body: Record<string, string> } {
  // RFC 8414 §2: when the server lists no methods, client_secret_basic is the default.
  const usePost = methods_supported?.includes('client_secret_post') && !methods_supported.includes('client_secret_basic');
  if (usePost) {
    // RFC 6749 §2.3.1: credentials in the body are allowed, though NOT RECOMMENDED.
    return { headers: {}, body: { client_id: client.client_id, client_secret: client.client_secret } };
  }
  // RFC 6749 §2.3.1: client_id and client_secret are each encoded with application/x-www-form-urlencoded
  // (Appendix B) *before* HTTP Basic, so a `:` or `+` in either survives the trip.
  const basic = Buffer.from(`${formUrlEncode(client.client_id)}:${formUrlEncode(client.client_secret)}`).toString('base64');
  return { headers: { authorization: `Basic ${basic}` }, body: {} };
}

/** application/x-www-form-urlencoded encoding of one value (space → `+`, `:` → `%3A`, `+` → `%2B` …). */
export function formUrlEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice('v='.length);
}

// ---------------------------------------------------------------------------------------------------------
// Token Revocation (RFC 7009 §2.1–2.2)
// ---------------------------------------------------------------------------------------------------------

export async function revokeToken(
  ctx: OAuthContext & { revocation_endpoint: string },
  params: { token: string; token_type_hint: 'access_token' | 'refresh_token' },
): Promise<void> {
  const auth = clientAuthentication(ctx.client, ctx.metadata.revocation_endpoint_auth_methods_supported);
  const headers = { ...auth.headers, 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams({ ...params, ...auth.body });
  ctx.observe?.request({ method: 'POST', url: ctx.revocation_endpoint, headers, body });
  const response = await upstreamFetch(ctx.fetch, ctx.revocation_endpoint, { method: 'POST', headers, body }, 'authorization server');
  // RFC 7009 §2.2: 200 means revoked, and also "this token was already invalid"; anything else is a failure.
  if (response.status === 200) {
    await discardBody(response); // the body has no meaning
    ctx.observe?.response({ status: 200, body: undefined });
    return;
  }
  const json = await readJson(response, JSON_ANSWER_LIMIT, 'authorization server');
  ctx.observe?.response({ status: response.status, body: json });
  throw oauthError(json);
}

/** RFC 6749 §5.2: an error response carries `error` (one ASCII code) and optionally `error_description`. */
function oauthError(json: unknown): Error {
  if (isObject(json) && typeof json.error === 'string' && /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,100}$/.test(json.error)) {
    const description = typeof json.error_description === 'string' ? json.error_description.slice(0, 1000) : undefined;
    return new OAuthResponseError(json.error, description);
  }
  return new UpstreamError(502, 'The authorization server answered with an unexpected response.');
}

// ---------------------------------------------------------------------------------------------------------
// Protected Resource Request (RFC 6750 §2.1, §3.1)
// ---------------------------------------------------------------------------------------------------------

export type ResourceResponse =
  | { ok: true; status: number; data: unknown }
  | { ok: false; status: number; invalid_token: boolean; retry_after?: number };

export async function fetchResource(fetch: Fetch, resourceUrl: string, access_token: string): Promise<ResourceResponse> {
  // RFC 6750 §2.1: the token goes in the Authorization header, never in the URL (§2.3 is NOT RECOMMENDED).
  const response = await upstreamFetch(
    fetch,
    resourceUrl,
    { headers: { authorization: `Bearer ${access_token}`, accept: 'application/json' } },
    'resource server',
  );
  if (response.ok) {
    if (!response.headers.get('content-type')?.includes('json')) {
      return { ok: true, status: response.status, data: await readText(response, RESOURCE_ANSWER_LIMIT, 'resource server') };
    }
    const data = await readJson(response, RESOURCE_ANSWER_LIMIT, 'resource server');
    if (data === undefined) throw new UpstreamError(502, 'The resource server answered with a body that is not valid JSON.');
    return { ok: true, status: response.status, data };
  }
  await discardBody(response);
  // RFC 6750 §3.1: `error="invalid_token"` means expired, revoked or malformed: a refresh may help.
  const challenge = response.headers.get('www-authenticate') ?? '';
  const invalid_token = response.status === 401 && /\berror="?invalid_token"?/i.test(challenge);
  // RFC 9110 §15.6.4: a 503 may say when to come back.
  const retry_after = response.status === 503 ? retryAfterSeconds(response.headers.get('retry-after')) : undefined;
  return { ok: false, status: response.status, invalid_token, retry_after };
}
