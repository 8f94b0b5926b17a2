// Logging out: revoke the tokens at the authorization server (RFC 7009), then end the local session.
// Revocation is best effort: the local session ends even when the authorization server cannot be reached.
import type { Express, Request } from 'express';
import type { ClientContext } from '../context.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { revokeToken } from '../oauth/oauth-client.ts';
import { regenerateSession, type StoredTokens } from '../http/session.ts';
import { startTrace, traceExchange } from '../inspector/trace.ts';

export default function logout(app: Express, ctx: ClientContext): void {
  app.post('/logout', verifyCsrf, async (req, res) => {
    const tokens = req.session.tokens;
    startTrace(req); // the flow inspector tells the logout as a story of its own
    const outcome = tokens ? await revokeAll(req, ctx, tokens) : 'done';

    // End the session: a new id, and nothing of the old one (tokens, the user's data) survives, except the
    // revocation cards, which hold no secret (token prefixes only), so the logged-out page can show them.
    const { trace, inspector } = req.session;
    await regenerateSession(req);
    if (trace?.length) Object.assign(req.session, { trace, inspector });
    else res.clearCookie('client.sid', { path: '/' });
    // The session that could have carried a message is gone, so the outcome travels as a query flag.
    res.redirect(303, `/?logout=${outcome}`);
  });
}

async function revokeAll(req: Request, { config, discovery, fetch }: ClientContext, tokens: StoredTokens): Promise<string> {
  let metadata;
  try {
    metadata = await discovery.get();
  } catch {
    return 'revocation_failed';
  }
  const { revocation_endpoint } = metadata;
  if (!revocation_endpoint) return 'revocation_unsupported';

  // RFC 7009 §2.1: the refresh token first (revoking it MAY also revoke the access tokens issued with it),
  // then the access token; token_type_hint helps the server find each one. Both are tried even if one fails.
  const requests = [
    { token: tokens.refresh_token, token_type_hint: 'refresh_token' as const },
    { token: tokens.access_token, token_type_hint: 'access_token' as const },
  ];
  const observe = traceExchange(req, {
    request: { title: 'Revocation request', rfc: ['RFC 7009 §2.1'] },
    response: { title: 'Revocation response', rfc: ['RFC 7009 §2.2'] },
    source: 'client/src/oauth/oauth-client.ts',
    sourceFunction: 'revokeToken',
  });
  let failed = false;
  for (const { token, token_type_hint } of requests) {
    if (token === undefined) continue;
    try {
      await revokeToken({ fetch, metadata, client: config, revocation_endpoint, observe }, { token, token_type_hint });
    } catch {
      failed = true;
    }
  }
  return failed ? 'revocation_failed' : 'done';
}
