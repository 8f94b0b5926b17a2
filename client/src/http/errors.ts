// The errors a route can raise, and the plain-language meaning of each OAuth error code.
// The one error handler in app.ts turns all of them into views/error.ejs.
import { UpstreamError } from './upstream.ts';

/** A request this client refuses; `message` is safe to show to the user. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** An OAuth error code (RFC 6749 §4.1.2.1, §5.2) to show alongside the message. */
    readonly error?: string,
    readonly error_description?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The authorization server answered a token or revocation request with an error (RFC 6749 §5.2). */
export class OAuthResponseError extends Error {
  constructor(
    readonly error: string,
    readonly error_description?: string,
  ) {
    super(`The authorization server answered: ${error}`);
    this.name = 'OAuthResponseError';
  }
}

/**
 * The other server answered 503: it is there, but cannot serve now (its database is down, say). Nothing is wrong
 * with this user's tokens, so they are kept; the page says when to try again, from `Retry-After` when sent.
 */
export class TemporarilyUnavailableError extends UpstreamError {
  constructor(
    server: 'authorization server' | 'resource server',
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(503, `The ${server} is temporarily unavailable. ${whenToRetry(retryAfterSeconds)}`);
    this.name = 'TemporarilyUnavailableError';
  }
}

function whenToRetry(seconds: number | undefined): string {
  if (seconds === undefined || seconds <= 1) return 'Try again in a moment.';
  if (seconds < 120) return `Try again in ${seconds} seconds.`;
  return `Try again in ${Math.ceil(seconds / 60)} minutes.`;
}

/**
 * RFC 9110 §10.2.3: `Retry-After` is a number of seconds or an HTTP date. Anything else, or a wait beyond a day
 * (no one will keep a page open that long), counts as not said.
 */
export function retryAfterSeconds(header: string | null): number | undefined {
  const value = header?.trim() ?? '';
  // An HTTP date names its day and month (RFC 9110 §5.6.7); Date.parse alone would also take "-5" as a year.
  const date = /[A-Za-z]/.test(value) ? Date.parse(value) : NaN;
  const seconds = /^\d{1,9}$/.test(value) ? Number(value) : Math.ceil((date - Date.now()) / 1000);
  if (!Number.isFinite(seconds) || seconds > 24 * 3600) return undefined;
  return Math.max(0, seconds);
}

// RFC 6749 §4.1.2.1 (authorization errors) and §5.2 (token errors), in words a user can act on.
const explanations: Record<string, string> = {
  access_denied: 'Access was denied: you declined on the consent page, so no tokens were issued.',
  invalid_request: 'The authorization server rejected the request as malformed.',
  unauthorized_client: 'This client is not allowed to use this grant type.',
  unsupported_response_type: 'The authorization server does not support the authorization code flow.',
  invalid_scope: 'The requested scope is unknown or not allowed for this client.',
  server_error: 'The authorization server hit an unexpected error.',
  temporarily_unavailable: 'The authorization server is temporarily unavailable. Try again in a moment.',
  invalid_client: 'The authorization server did not accept this client’s credentials.',
  invalid_grant: 'The authorization code or refresh token is invalid, expired, or was already used.',
  unsupported_grant_type: 'The authorization server does not support this grant type.',
};

export function explainOAuthError(error: string): string {
  return Object.hasOwn(explanations, error)
    ? (explanations[error] ?? '')
    : 'The authorization server returned an error this client does not know.';
}

/**
 * Reads one parameter from a parsed query string or form body. A repeated parameter (`?state=a&state=b`)
 * arrives as an array: RFC 6749 §3.1 says parameters MUST NOT be included more than once, so it is a 400.
 */
export function singleParam(source: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!source || !Object.hasOwn(source, name)) return undefined;
  const value = source[name];
  if (typeof value !== 'string') throw new HttpError(400, `The parameter "${name}" must appear exactly once.`);
  return value;
}
