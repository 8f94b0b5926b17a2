/**
 * The revocation endpoint (RFC 7009): a client tells the provider it no longer needs a token, for example
 * when its user logs out.
 */
import { Router, type RequestHandler } from 'express';
import type { Store } from '../store/index.ts';
import { authenticateClient } from '../oauth/client-credentials.ts';
import { findRequestedToken } from '../oauth/token-lookup.ts';
import { allowCrossOrigin, jsonHeaders, noStore } from '../http/security.ts';

export function revokeRoutes(store: Store, formBody: RequestHandler): Router {
  const router = Router();

  // RFC 7009 §5: browser apps may revoke cross-origin (CORS); no cookies are involved.
  router.use('/oauth/revoke', allowCrossOrigin());
  router.post('/oauth/revoke', noStore, jsonHeaders, formBody, async (req, res) => {
    // RFC 7009 §2.1: the client authenticates as at the token endpoint.
    const client = await authenticateClient(req, store);
    const found = await findRequestedToken(store, req.body);
    // RFC 7009 §2.1: a client may revoke only its own tokens. Another client's token is treated like an
    // unknown one, so the answer does not reveal that it exists.
    if (found && found.clientId === client.id) await store.revokeToken(found);

    // RFC 7009 §2.2: 200 whether or not the token was valid; the client has nothing to act on.
    res.status(200).end();
  });

  return router;
}
