/**
 * The revocation endpoint (RFC 7009): a client tells the provider it no longer needs a token, for example
 * when its user logs out.
 */
import { Router, type RequestHandler } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { ProviderConfig } from '../config.ts';
import type { InMemoryStore } from '../store.ts';
import { authenticateClient } from '../oauth/client-credentials.ts';
import { findToken } from '../oauth/token-lookup.ts';
import { sendOAuthError } from '../http/errors.ts';
import { allowCrossOrigin, jsonHeaders, noStore } from '../http/security.ts';
import { singleValued } from '../http/params.ts';

export function revokeRoutes(config: ProviderConfig, store: InMemoryStore, formBody: RequestHandler): Router {
  const router = Router();

  // RFC 7009 §5: browser apps may revoke cross-origin (CORS); no cookies are involved.
  router.use('/oauth/revoke', allowCrossOrigin());
  router.post('/oauth/revoke', noStore, jsonHeaders, formBody, (req, res) => {
    try {
      // RFC 7009 §2.1: the client authenticates as at the token endpoint.
      const client = authenticateClient(req, store);
      const { token, token_type_hint } = singleValued(req.body, ['token', 'token_type_hint']);
      if (!token) throw new OAuth2Server.InvalidRequestError('Missing parameter: `token`');

      const found = findToken(store, token, token_type_hint);
      // RFC 7009 §2.1: a client may revoke only its own tokens. Another client's token is treated like an
      // unknown one, so the answer does not reveal that it exists.
      if (found && found.clientId === client.id) store.revokeToken(found);

      // RFC 7009 §2.2: 200 whether or not the token was valid; the client has nothing to act on.
      res.status(200).end();
    } catch (err) {
      if (!(err instanceof OAuth2Server.OAuthError)) throw err;
      sendOAuthError(res, err, config.issuer);
    }
  });

  return router;
}
