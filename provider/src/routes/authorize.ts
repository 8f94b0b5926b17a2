/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1.1–4.1.2): steps (A), (B) and (C) of the §4.1 diagram.
 *
 * GET  /oauth/authorize  validates the request, sends the user to log in if needed, then shows the consent page.
 * POST /oauth/authorize  takes the user's decision and redirects back to the client with a code or an error.
 */
import { Router, type Response } from 'express';
import type { ProviderConfig } from '../config.ts';
import type { Store } from '../store/index.ts';
import type { OAuthServer } from '../oauth/server.ts';
import {
  authorizationResponseUrl,
  issueAuthorizationCode,
  validateAuthorizationRequest,
  type Validation,
} from '../oauth/authorization-request.ts';
import { csrfToken, isValidCsrfToken } from '../http/csrf.ts';
import { noStore, seeOther } from '../http/security.ts';
import { SCOPES } from '../scopes.ts';

export function authorizeRoutes(config: ProviderConfig, store: Store, oauth: OAuthServer): Router {
  const router = Router();

  /** Invalid requests: an error page when the client cannot be trusted, else a redirect (RFC 6749 §4.1.2.1). */
  function reject(res: Response, result: Exclude<Validation, { ok: true }>): void {
    if (!result.redirect) {
      res.status(400).render('error', { title: 'This sign-in link is not valid', ...result });
      return;
    }
    const { error, error_description, state } = result;
    seeOther(res, authorizationResponseUrl(result.redirect_uri, config.issuer, { error, error_description, state }));
  }

  // (A) The client sends the user here. Everything is validated before anything is shown.
  router.get('/oauth/authorize', noStore, async (req, res) => {
    const result = await validateAuthorizationRequest(store, req.query);
    if (!result.ok) return reject(res, result);

    // (B) Not signed in yet: log in first, then come back to this exact request.
    if (!req.session.userId || !(await store.findUser(req.session.userId))) {
      req.session.returnTo = req.originalUrl;
      return seeOther(res, '/login');
    }

    const { client, redirect_uri, scope } = result.request;
    res.render('consent', {
      title: `Allow ${client.name}?`,
      csrfToken: csrfToken(req),
      client,
      scopes: scope.map((name) => ({ name, description: SCOPES[name] ?? 'An unknown permission.' })),
      redirectOrigin: new URL(redirect_uri).origin,
      request: result.request,
    });
  });

  // (B) → (C) The user's decision. The form carries the validated request back, so it is validated again.
  router.post('/oauth/authorize', noStore, async (req, res) => {
    const result = await validateAuthorizationRequest(store, req.body);
    if (!result.ok) return reject(res, result);
    const user = req.session.userId ? await store.findUser(req.session.userId) : null;
    // RFC 9700 §4.7 / RFC 6749 §10.12: a decision not posted from our own consent page issues nothing.
    if (!user || !isValidCsrfToken(req)) {
      res.status(403).render('error', {
        title: 'This consent form has expired',
        error: 'invalid_request',
        error_description: 'The form was not sent from this browser session. Go back to the application and start again.',
      });
      return;
    }

    const { redirect_uri, state } = result.request;
    if (req.body.decision !== 'allow') {
      // RFC 6749 §4.1.2.1: the resource owner denied the request.
      const denied = { error: 'access_denied', error_description: 'The user denied the request', state };
      return seeOther(res, authorizationResponseUrl(redirect_uri, config.issuer, denied));
    }

    // (C) The code goes back to the client; 303 makes the browser follow with a GET.
    const code = await issueAuthorizationCode(oauth, result.request, user);
    seeOther(res, authorizationResponseUrl(redirect_uri, config.issuer, { code, state }));
  });

  return router;
}
