/**
 * The protected resource (RFC 6750): what the access token is for. `GET /api/me` answers who the token's user is.
 *
 * The library checks the token and its scope; we add the `WWW-Authenticate` challenge that RFC 6750 §3
 * requires and that express-oauth-server's `authenticate()` middleware drops.
 */
import { Router } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { ProviderConfig } from '../config.ts';
import type { OAuthServer } from '../oauth/server.ts';
import type { User } from '../store/index.ts';
import { allowCrossOrigin, jsonHeaders } from '../http/security.ts';

const REQUIRED_SCOPE = ['profile'];
const MISSING_TOKEN =
  'This API needs an access token. Send it in the Authorization header: "Authorization: Bearer <access token>" (RFC 6750 §2.1).';

export function resourceRoutes(config: ProviderConfig, oauth: OAuthServer): Router {
  const router = Router();
  const realm = `Bearer realm="${config.issuer}"`;

  // Browser apps on other origins may call the API with a bearer token (no cookies are involved).
  router.use('/api', allowCrossOrigin());

  router.get('/api/me', jsonHeaders, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    // RFC 6750 §2.1: the token travels in the Authorization header only (never the query string, §2.3).
    // The scheme name is case-insensitive (RFC 7235 §2.1); any other scheme counts as no token at all.
    const header = req.get('authorization') ?? '';
    const scheme = /^bearer(?: +(.*))?$/i.exec(header);
    if (!scheme) {
      // RFC 6750 §3.1: a request without any token gets the bare challenge and no error code. The body is for a
      // person who opened the URL in a browser, which would otherwise show an empty page or one of its own.
      res.set('WWW-Authenticate', realm).status(401).json({ message: MISSING_TOKEN });
      return;
    }
    const request = new OAuth2Server.Request({
      method: req.method,
      query: {},
      headers: { authorization: `Bearer ${scheme[1] ?? ''}` },
    });
    let token: OAuth2Server.Token;
    try {
      token = await oauth.authenticate(request, new OAuth2Server.Response(), {
        scope: REQUIRED_SCOPE,
        // The X-OAuth-Scopes headers are GitHub's convention, not a standard; we do not send them.
        addAcceptedScopesHeader: false,
        addAuthorizedScopesHeader: false,
      });
    } catch (err) {
      // A failure on our side (the database unreachable, say) is the error handler's: a 503, no challenge.
      if (!(err instanceof OAuth2Server.OAuthError) || err instanceof OAuth2Server.ServerError) throw err;
      const challenge = `${realm}, error="${err.name}", error_description="${err.message.replace(/["\\]/g, '')}"`;
      const scopeHint = err.name === 'insufficient_scope' ? `, scope="${REQUIRED_SCOPE.join(' ')}"` : '';
      res.set('WWW-Authenticate', challenge + scopeHint);
      res.status(err.code).json({ error: err.name, error_description: err.message });
      return;
    }

    const user = token.user as User;
    res.json({
      sub: user.id,
      username: user.username,
      ...(token.scope?.includes('email') ? { email: user.email } : {}),
    });
  });

  return router;
}
