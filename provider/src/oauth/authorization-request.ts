/**
 * Validation of an authorization request (RFC 6749 §4.1.1), done in full before the user sees anything.
 *
 * Two kinds of failure, as RFC 6749 §4.1.2.1 requires:
 * - the client or its redirect URI cannot be trusted → the provider shows an error page and MUST NOT redirect,
 *   or it would become an open redirector;
 * - anything else → the error goes back to the client's redirect URI, with `state` and `iss`.
 */
import OAuth2Server from '@node-oauth/oauth2-server';
import type { Client, Store, User } from '../store/index.ts';
import { grantableScope } from '../scopes.ts';
import type { OAuthServer } from './server.ts';
import { singleValued } from '../http/params.ts';
import { redirectUriMatches } from './redirect-uri.ts';

const PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;

/** RFC 7636 §4.2: a S256 challenge is the base64url SHA-256 of the verifier, 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 6749 Appendix A.5: state is visible ASCII. */
const VSCHAR = /^[\x20-\x7e]+$/;
/**
 * RFC 6749 sets no limit on `state`; we do, so that a request waiting for its user to sign in fits in a cookie
 * (browsers keep 4096 bytes per cookie, RFC 6265 §6.1) instead of in server memory. Clients send far less.
 */
export const MAX_STATE_LENGTH = 1024;

export interface AuthorizationRequest {
  client: Client;
  redirect_uri: string;
  scope: string[];
  state: string | undefined;
  code_challenge: string;
  code_challenge_method: 'S256';
}

/** What an authorization request asks for, as wire parameters: enough to rebuild the request, nothing more. */
export interface AuthorizationParameters {
  client_id: string;
  redirect_uri: string;
  scope: string;
  state?: string;
  code_challenge: string;
}

export type Validation =
  | { ok: true; request: AuthorizationRequest }
  /** Shown at the provider; never redirected. */
  | { ok: false; redirect: false; error: string; error_description: string; received_redirect_uri?: string }
  /** Sent back to the client's redirect URI. */
  | { ok: false; redirect: true; redirect_uri: string; state: string | undefined; error: string; error_description: string };

export async function validateAuthorizationRequest(store: Store, input: unknown): Promise<Validation> {
  let client_id: string | undefined;
  let redirect_uri: string | undefined;
  try {
    ({ client_id, redirect_uri } = singleValued(input, ['client_id', 'redirect_uri']));
  } catch {
    // A repeated client_id or redirect_uri: there is no single place we could trust to redirect to.
    return fatal('invalid_request', 'The client_id or redirect_uri parameter was given more than once.');
  }

  const client = client_id ? await store.findClient(client_id) : null;
  if (!client) return fatal('invalid_client', 'The application that sent you here is not registered.');
  if (!redirect_uri || !redirectUriMatches(client, redirect_uri)) {
    const error_description = 'The redirect_uri is missing or is not registered for this application.';
    // The error page shows what arrived (as text, never as a link), to compare with the provider's REDIRECT_URI.
    return { ok: false, redirect: false, error: 'invalid_request', error_description, received_redirect_uri: redirect_uri ?? '' };
  }

  let params: Record<string, string | undefined>;
  try {
    params = singleValued(input, PARAMETERS);
  } catch (err) {
    // RFC 6749 §3.1: parameters MUST NOT be included more than once. The redirect URI is trusted now, so
    // the error goes back to the client (without a state: we cannot know which one is the client's).
    const { message } = err as Error;
    return { ok: false, redirect: true, redirect_uri, state: undefined, error: 'invalid_request', error_description: message };
  }
  const { response_type, code_challenge, code_challenge_method, scope, state } = params;

  const redirect = (error: string, error_description: string): Validation => ({
    ok: false,
    redirect: true,
    redirect_uri,
    state: state !== undefined && validState(state) ? state : undefined,
    error,
    error_description,
  });
  if (state !== undefined && !validState(state)) {
    return redirect('invalid_request', `Invalid parameter: \`state\` must be visible ASCII, at most ${MAX_STATE_LENGTH} characters`);
  }
  if (!response_type) return redirect('invalid_request', 'Missing parameter: `response_type`');
  if (response_type !== 'code') {
    return redirect('unsupported_response_type', 'Only the authorization code flow (response_type=code) is supported');
  }
  // RFC 9700 §2.1.1: PKCE is required, and only with S256 (RFC 7636 §4.2; `plain` protects nothing).
  if (!code_challenge) return redirect('invalid_request', 'Missing parameter: `code_challenge` (PKCE is required)');
  if (code_challenge_method !== 'S256') {
    return redirect('invalid_request', 'Invalid parameter: `code_challenge_method` must be S256');
  }
  if (!S256_CHALLENGE.test(code_challenge)) return redirect('invalid_request', 'Invalid parameter: `code_challenge`');

  // RFC 6749 §3.3: scope is a space-delimited list; each must be known and allowed for this client.
  const requested = scope === undefined ? undefined : scope.split(' ').filter(Boolean);
  const granted = grantableScope(client, requested);
  if (!granted) return redirect('invalid_scope', 'The requested scope is unknown or not allowed for this application');

  return {
    ok: true,
    request: { client, redirect_uri, scope: granted, state, code_challenge, code_challenge_method: 'S256' },
  };
}

function validState(state: string): boolean {
  return state.length <= MAX_STATE_LENGTH && VSCHAR.test(state);
}

function fatal(error: string, error_description: string): Validation {
  return { ok: false, redirect: false, error, error_description };
}

export function parametersOf(request: AuthorizationRequest): AuthorizationParameters {
  const { client, redirect_uri, scope, state, code_challenge } = request;
  return { client_id: client.id, redirect_uri, scope: scope.join(' '), state, code_challenge };
}

/**
 * The authorization request as a local path, rebuilt from its validated parameters: where the browser goes back
 * to after signing in. Never the URL the browser sent: an absolute-form request target
 * (`GET http://evil.example/oauth/authorize?…`) would otherwise become a redirect to another host (RFC 9700 §4.11).
 */
export function authorizationPath(params: AuthorizationParameters): string {
  const query = new URLSearchParams({ response_type: 'code', client_id: params.client_id, redirect_uri: params.redirect_uri, scope: params.scope });
  if (params.state !== undefined) query.set('state', params.state);
  query.set('code_challenge', params.code_challenge);
  query.set('code_challenge_method', 'S256');
  return `/oauth/authorize?${query}`;
}

/**
 * Builds the authorization response (RFC 6749 §4.1.2): parameters are added to the registered redirect URI,
 * keeping its own query. RFC 9207 §2: every response, success or error, names the issuer in `iss`, so that a
 * client talking to several servers can tell which one answered (mix-up attacks, RFC 9700 §4.4).
 */
export function authorizationResponseUrl(
  redirect_uri: string,
  issuer: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirect_uri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  url.searchParams.set('iss', issuer);
  return url.href;
}

/**
 * Issues a code for a validated request the user allowed: the library generates and stores it through the
 * model. We call the library directly, not express-oauth-server's `authorize()` middleware, which answers with
 * 400 JSON and a Location header that browsers ignore; the route redirects by itself.
 */
export async function issueAuthorizationCode(oauth: OAuthServer, request: AuthorizationRequest, user: User): Promise<string> {
  const { client, redirect_uri, scope, state, code_challenge, code_challenge_method } = request;
  const libraryRequest = new OAuth2Server.Request({
    method: 'POST',
    headers: {},
    query: {},
    body: { response_type: 'code', client_id: client.id, redirect_uri, scope: scope.join(' '), state, code_challenge, code_challenge_method },
  });
  const code = await oauth.authorize(libraryRequest, new OAuth2Server.Response(), { authenticateHandler: { handle: () => user } });
  return code.authorizationCode;
}
