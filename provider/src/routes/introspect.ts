/**
 * The introspection endpoint (RFC 7662): an authenticated client asks whether a token is live and what it
 * carries.
 */
import { Router, type RequestHandler } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { ProviderConfig } from '../config.ts';
import type { Store } from '../store/index.ts';
import { authenticateClient } from '../oauth/client-credentials.ts';
import { findRequestedToken } from '../oauth/token-lookup.ts';
import { jsonHeaders, noStore } from '../http/security.ts';

const seconds = (ms: number) => Math.floor(ms / 1000);

export function introspectRoutes(config: ProviderConfig, store: Store, formBody: RequestHandler): Router {
  const router = Router();

  router.post('/oauth/introspect', noStore, jsonHeaders, formBody, async (req, res) => {
    // RFC 7662 §2.1: the endpoint MUST require authorization; a public client cannot authenticate.
    const client = await authenticateClient(req, store);
    if (client.isPublic) throw new OAuth2Server.InvalidClientError('Invalid client: client authentication is required');
    const found = await findRequestedToken(store, req.body);
    // RFC 7662 §2.2: anything not live — unknown, expired, revoked, rotated, or issued to another client
    // (RFC 7662 §4: do not help a client probe tokens it was never given) — is exactly { active: false }.
    if (!found || found.clientId !== client.id) {
      res.json({ active: false });
      return;
    }
    res.json({
      active: true,
      scope: found.scope.join(' '),
      client_id: found.clientId,
      username: found.user.username,
      sub: found.user.id,
      token_type: found.type === 'access_token' ? 'Bearer' : 'refresh_token',
      exp: seconds(found.expiresAt),
      iat: seconds(found.issuedAt),
      iss: config.issuer,
    });
  });

  return router;
}
