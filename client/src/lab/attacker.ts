// What the lab's attacker sends: token requests of its own making, tokens presented to the resource server, pages
// fetched without following their redirects. The client's protocol functions (oauth-client.ts) only ever send
// correct requests, so the attacker builds its own; it still goes through the client's plumbing (upstream.ts:
// timeouts and size limits; trace.ts: every message recorded for the flow inspector, secrets masked).
import type { Request } from 'express';
import type { ClientContext } from '../context.ts';
import type { AuthorizationServerMetadata } from '../oauth/discovery.ts';
import { clientAuthentication, revokeToken } from '../oauth/oauth-client.ts';
import { mask, record, traceExchange } from '../inspector/trace.ts';
import { discardBody, isObject, JSON_ANSWER_LIMIT, readJson, upstreamFetch } from '../http/upstream.ts';

/** A token endpoint's answer: the tokens on success (RFC 6749 §5.1), the error code otherwise (§5.2). */
export interface TokenAnswer {
  status: number;
  access_token?: string;
  refresh_token?: string;
  error?: string;
  error_description?: string;
  /** The flow inspector's card for the answer. */
  seq: number;
}

/** Who the attacker claims to be at the token endpoint. */
export type Caller = { as: 'this client' } | { as: 'public client'; client_id: string };

export class Attacker {
  constructor(
    private readonly ctx: ClientContext,
    private readonly req: Request,
    private readonly metadata: AuthorizationServerMetadata,
    /** The experiment's file, named on each card as the code that sent the message. */
    private readonly source: string,
  ) {}

  /** The client's own, correct redemption of a code (RFC 6749 §4.1.3): where experiments that misuse tokens start. */
  redeem(code: string, code_verifier: string): Promise<TokenAnswer> {
    const { redirect_uri } = this.ctx.config;
    const params = { grant_type: 'authorization_code', code, redirect_uri, code_verifier };
    return this.tokenRequest('Token request: the client redeems the code', ['RFC 6749 §4.1.3'], params);
  }

  /** POSTs exactly `params` (undefined ones left out) to the token endpoint, authenticated as `caller`. */
  async tokenRequest(
    title: string,
    rfc: string[],
    params: Record<string, string | undefined>,
    caller: Caller = { as: 'this client' },
  ): Promise<TokenAnswer> {
    const { fetch, config } = this.ctx;
    const { token_endpoint, token_endpoint_auth_methods_supported } = this.metadata;
    // RFC 6749 §2.3.1: this client authenticates with its secret; a public client names itself only (§2.1).
    const auth =
      caller.as === 'this client'
        ? clientAuthentication(config, token_endpoint_auth_methods_supported)
        : { headers: {}, body: { client_id: caller.client_id } };
    const sent = Object.entries({ ...params, ...auth.body }).filter(
      (pair): pair is [string, string] => pair[1] !== undefined,
    );
    const headers = {
      ...auth.headers,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const body = new URLSearchParams(sent);
    const observe = traceExchange(this.req, {
      request: { title, rfc },
      response: { title: 'Token response', rfc: ['RFC 6749 §5.1', 'RFC 6749 §5.2'] },
      source: this.source,
    });
    observe.request({ method: 'POST', url: token_endpoint, headers, body });
    const response = await upstreamFetch(
      fetch,
      token_endpoint,
      { method: 'POST', headers, body },
      'authorization server',
    );
    const json = await readJson(response, JSON_ANSWER_LIMIT, 'authorization server');
    observe.response({ status: response.status, body: json });
    const member = (name: string) => (isObject(json) && typeof json[name] === 'string' ? json[name] : undefined);
    return {
      status: response.status,
      access_token: response.ok ? member('access_token') : undefined,
      refresh_token: response.ok ? member('refresh_token') : undefined,
      error: member('error'),
      error_description: member('error_description'),
      seq: this.lastSeq(),
    };
  }

  /** Calls the protected resource with `access_token` in the Authorization header (RFC 6750 §2.1) or the query (§2.3). */
  async resourceRequest(title: string, rfc: string[], access_token: string, where: 'header' | 'query') {
    const { fetch, config } = this.ctx;
    const url = new URL(config.resourceUrl);
    if (where === 'query') url.searchParams.set('access_token', access_token);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (where === 'header') headers.authorization = `Bearer ${access_token}`;
    const response = await upstreamFetch(fetch, url.href, { headers }, 'resource server');
    await discardBody(response);
    const challenge = response.headers.get('www-authenticate') ?? '';
    // The card shows the token masked, in the message as in the fields: the URL itself is never kept.
    const shown = where === 'query' ? `${config.resourceUrl}?access_token=${mask(access_token)}` : config.resourceUrl;
    const fields: [string, string][] = [
      where === 'header' ? ['Authorization', `Bearer ${access_token}`] : ['access_token', access_token],
    ];
    if (challenge) fields.push(['WWW-Authenticate', challenge]);
    const entry = record(this.req, {
      title,
      from: 'client',
      to: 'resource server',
      message: `GET ${shown} → HTTP ${response.status}`,
      status: response.status,
      fields,
      source: this.source,
      rfc,
    });
    return { status: response.status, challenge, seq: entry.seq };
  }

  /** GETs a page of the authorization server as a browser would, without following a redirect: status and headers. */
  async fetchPage(title: string, rfc: string[], url: URL, shownHeaders: string[]) {
    const response = await upstreamFetch(
      this.ctx.fetch,
      url.href,
      { headers: { accept: 'text/html' } },
      'authorization server',
    );
    await discardBody(response);
    const headers = shownHeaders.map((name): [string, string] => [name, response.headers.get(name) ?? '(none)']);
    const entry = record(this.req, {
      title,
      from: 'client',
      to: 'authorization server',
      message: `GET ${url.origin}${url.pathname} → HTTP ${response.status}`,
      status: response.status,
      fields: [...url.searchParams, ...headers],
      source: this.source,
      rfc,
    });
    return { status: response.status, headers: response.headers, seq: entry.seq };
  }

  /** Revokes what an experiment obtained (RFC 7009 §2.1), so that no live grant is left behind. */
  async revoke(tokens: { access_token?: string; refresh_token?: string }): Promise<void> {
    const { fetch, config } = this.ctx;
    const { revocation_endpoint } = this.metadata;
    if (!revocation_endpoint) return;
    const observe = traceExchange(this.req, {
      request: { title: 'Revocation request: the lab cleans up', rfc: ['RFC 7009 §2.1'] },
      response: { title: 'Revocation response', rfc: ['RFC 7009 §2.2'] },
      source: this.source,
    });
    const ctx = { fetch, metadata: this.metadata, client: config, revocation_endpoint, observe };
    // The refresh token first: revoking it ends the grant, and with it the access token (RFC 7009 §2.1).
    if (tokens.refresh_token) await revokeToken(ctx, { token: tokens.refresh_token, token_type_hint: 'refresh_token' });
    if (tokens.access_token) await revokeToken(ctx, { token: tokens.access_token, token_type_hint: 'access_token' });
  }

  private lastSeq(): number {
    return this.req.session.trace?.at(-1)?.seq ?? 0;
  }
}

/** `HTTP 400 invalid_grant ("Invalid grant: authorization code is invalid")`: an answer as evidence. */
export function describeAnswer(answer: Pick<TokenAnswer, 'status' | 'error' | 'error_description'>): string {
  const error = answer.error ? ` ${answer.error}` : '';
  const description = answer.error_description ? ` (“${answer.error_description}”)` : '';
  return `HTTP ${answer.status}${error}${description}`;
}
