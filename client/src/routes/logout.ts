// Logging out: revoke the tokens at the authorization server (RFC 7009), then end the local session.
// Revocation is best effort: the local session ends even when the authorization server cannot be reached.
import type { Express } from 'express';
import type { ClientContext } from '../app.ts';
import { verifyCsrf } from '../csrf.ts';
import { revokeToken } from '../oauth-client.ts';
import { destroySession, type StoredTokens } from '../session.ts';

export default function logout(app: Express, ctx: ClientContext): void {
  app.post('/logout', verifyCsrf, async (req, res) => {
    const tokens = req.session.tokens;
    const outcome = tokens ? await revokeAll(ctx, tokens) : 'done';

    await destroySession(req);
    res.clearCookie('client.sid', { path: '/' });
    // The session that could have carried a message is gone, so the outcome travels as a query flag.
    res.redirect(303, `/?logout=${outcome}`);
  });
}

async function revokeAll({ config, discovery, fetch }: ClientContext, tokens: StoredTokens): Promise<string> {
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
  let failed = false;
  for (const { token, token_type_hint } of requests) {
    if (token === undefined) continue;
    try {
      await revokeToken({ fetch, metadata, client: config, revocation_endpoint }, { token, token_type_hint });
    } catch {
      failed = true;
    }
  }
  return failed ? 'revocation_failed' : 'done';
}
