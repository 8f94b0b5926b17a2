/**
 * The token endpoint (RFC 6749 §3.2): steps (D) and (E) of the §4.1 diagram, and refresh (RFC 6749 §6).
 *
 * The library does the grant work (code lookup and single use, PKCE verification, token issuance). Around it
 * we authenticate the client the way RFC 6749 §2.3.1 reads, and shape errors as RFC 6749 §5.2 says.
 */
import { Router, type RequestHandler } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { OAuthServer } from '../oauth/server.ts';
import { readClientCredentials } from '../oauth/client-credentials.ts';
import { allowCrossOrigin, jsonHeaders, noStore } from '../http/security.ts';
import { singleValued } from '../http/params.ts';

/** The grants this server offers (RFC 8414 `grant_types_supported`); the library knows more than we enable. */
const GRANT_TYPES = new Set(['authorization_code', 'refresh_token']);
const PARAMETERS = ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope'] as const;

export function tokenRoutes(oauth: OAuthServer, formBody: RequestHandler): Router {
  const router = Router();

  // Browser apps (public clients) call this endpoint cross-origin; no cookies are involved.
  router.use('/oauth/token', allowCrossOrigin());
  router.post('/oauth/token', noStore, jsonHeaders, formBody, async (req, res) => {
    const credentials = readClientCredentials(req);
    const params = singleValued(req.body, PARAMETERS);
    if (params.grant_type && !GRANT_TYPES.has(params.grant_type)) {
      throw new OAuth2Server.UnsupportedGrantTypeError('Unsupported grant type: `grant_type` is not supported');
    }

    // (D) The library sees decoded credentials as body parameters, never the raw Basic header.
    const { authorization: _basic, ...headers } = req.headers;
    params.client_id = credentials.client_id;
    params.client_secret = credentials.client_secret;
    const request = new OAuth2Server.Request({ method: 'POST', query: {}, headers: headers as Record<string, string>, body: params });
    const response = new OAuth2Server.Response();
    await oauth.token(request, response);

    // (E) RFC 6749 §5.1: access_token, token_type, expires_in, refresh_token, scope; Cache-Control: no-store.
    res.set(response.headers).status(response.status ?? 200).json(response.body);
  });

  return router;
}
