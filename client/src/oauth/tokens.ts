// The tokens in the session: storing a token response, refreshing it (RFC 6749 §6), and using the access
// token on the protected resource (RFC 6750). When the resource refuses the token: refresh once, retry once;
// if that fails too, forget the tokens and ask the user to log in again.
import type { Request } from 'express';
import type { ClientContext } from '../context.ts';
import { OAuthResponseError, TemporarilyUnavailableError } from '../http/errors.ts';
import { fetchResource, refreshTokens, type ResourceResponse, type TokenResponse } from './oauth-client.ts';
import type { StoredResource, StoredTokens } from '../http/session.ts';
import { record, traceExchange } from '../inspector/trace.ts';
import { isObject, RESOURCE_ANSWER_LIMIT, UpstreamError } from '../http/upstream.ts';

export const LOGIN_AGAIN = 'Your session at the authorization server has ended. Please log in again.';

/** Keeps a token response in the session (RFC 6749 §5.1), never anywhere else. */
export function toStoredTokens(response: TokenResponse, previous: { scope: string; refresh_token?: string }): StoredTokens {
  return {
    access_token: response.access_token,
    // RFC 6749 §6: the server MAY issue a new refresh token; if it does not, the old one stays valid.
    refresh_token: response.refresh_token ?? previous.refresh_token,
    expires_at: response.expires_in === undefined ? undefined : Date.now() + response.expires_in * 1000,
    // RFC 6749 §5.1: scope is OPTIONAL when identical to the scope requested.
    scope: response.scope ?? previous.scope,
  };
}

/** The members listed: past this many, a list is no longer something to read. */
const MAX_MEMBERS = 500;

/**
 * Keeps the resource's answer as the home page shows it. However deep its indentation or long its list of
 * members, what is kept (and rendered) is no more than the client reads: RESOURCE_ANSWER_LIMIT characters.
 */
export function toStoredResource(data: unknown): StoredResource {
  let budget = RESOURCE_ANSWER_LIMIT;
  const take = (text: string): string => {
    const part = text.slice(0, budget);
    budget -= part.length;
    return part.length < text.length ? `${part}…` : part;
  };
  const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  if (!isObject(data)) return { json: take(asText(data)) };
  const entries: { name: string; value: string }[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (budget <= 0 || entries.length === MAX_MEMBERS) return { entries, cut: true };
    entries.push({ name: take(name), value: take(asText(value)) });
  }
  return { entries };
}

/** Uses the refresh token (RFC 6749 §6). On an OAuth error the tokens are dropped and false is returned. */
export async function refreshSessionTokens(req: Request, { config, discovery, fetch, refreshes }: ClientContext): Promise<boolean> {
  const tokens = req.session.tokens;
  const refresh_token = tokens?.refresh_token;
  if (!tokens || !refresh_token) return false;
  const metadata = await discovery.get();
  try {
    // Two tabs refreshing at once share one refresh: a second use of this refresh token would look like theft
    // to the authorization server (RFC 9700 §4.14.2) and end the grant. The one that sends it records the cards.
    const response = await refreshes.run(req.sessionID, refresh_token, () => {
      const observe = traceExchange(req, {
        request: { title: 'Refresh request', rfc: ['RFC 6749 §6', 'RFC 6749 §2.3.1'] },
        response: { title: 'Refresh response', rfc: ['RFC 6749 §6', 'RFC 6749 §5.1'] },
        source: 'client/src/oauth/oauth-client.ts',
        sourceFunction: 'refreshTokens',
      });
      return refreshTokens({ fetch, metadata, client: config, observe }, { refresh_token });
    });
    req.session.tokens = toStoredTokens(response, tokens);
    return true;
  } catch (err) {
    // Unreachable, or answering 503 (TemporarilyUnavailableError): keep the tokens, try later.
    if (!(err instanceof OAuthResponseError)) throw err;
    forgetTokens(req, LOGIN_AGAIN);
    return false;
  }
}

/**
 * Fetches the resource into the session; on a refused token, refreshes once and retries once.
 * Never throws for an unreachable server: the tokens are still good, so the problem becomes a message.
 */
export async function loadResource(req: Request, ctx: ClientContext): Promise<void> {
  try {
    await fetchWithOneRefresh(req, ctx);
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    req.session.flash = err.message;
  }
}

async function fetchWithOneRefresh(req: Request, ctx: ClientContext): Promise<void> {
  const access_token = req.session.tokens?.access_token;
  if (!access_token) return;
  let result = await tracedFetchResource(req, ctx, access_token);

  if (!result.ok && result.invalid_token) {
    if (!(await refreshSessionTokens(req, ctx))) return forgetTokens(req, LOGIN_AGAIN);
    result = await tracedFetchResource(req, ctx, req.session.tokens?.access_token ?? '');
  }

  if (result.ok) {
    req.session.resource = toStoredResource(result.data);
  } else if (result.invalid_token) {
    forgetTokens(req, 'The resource server still refuses the access token. Please log in again.');
  } else if (result.status === 503) {
    // Not the token's fault: keep it, and say when to try again.
    req.session.flash = new TemporarilyUnavailableError('resource server', result.retry_after).message;
  } else {
    req.session.flash = `The resource server answered HTTP ${result.status}.`;
  }
}

const invalidToken: [string, string] = ['WWW-Authenticate', 'Bearer error="invalid_token"'];

/** The protected resource request and its response, as one card of the flow inspector. */
async function tracedFetchResource(req: Request, { config, fetch }: ClientContext, access_token: string): Promise<ResourceResponse> {
  const result = await fetchResource(fetch, config.resourceUrl, access_token);
  record(req, {
    title: 'Protected resource request',
    from: 'client',
    to: 'resource server',
    message: `GET ${config.resourceUrl} → HTTP ${result.status}`,
    status: result.status,
    // RFC 6750 §3.1: a refused token comes back with a WWW-Authenticate challenge naming the error.
    fields: [['Authorization', `Bearer ${access_token}`], ...(!result.ok && result.invalid_token ? [invalidToken] : [])],
    json: result.ok ? JSON.stringify(result.data, null, 2) : undefined,
    source: 'client/src/oauth/oauth-client.ts',
    sourceFunction: 'fetchResource',
    rfc: ['RFC 6750 §2.1', 'RFC 6750 §3.1'],
  });
  return result;
}

/** Forgets the tokens locally (the session itself stays, to carry the message). */
function forgetTokens(req: Request, message: string): void {
  delete req.session.tokens;
  delete req.session.resource;
  req.session.flash = message;
}
