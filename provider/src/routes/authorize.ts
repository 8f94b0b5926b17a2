/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1.1–4.1.2): steps (A), (B) and (C) of the §4.1 diagram.
 *
 * GET  /oauth/authorize  validates the request, sends the user to log in if needed, then shows the consent page.
 * POST /oauth/authorize  takes the user's decision and redirects back to the client with a code or an error.
 */
import { Router, type Response } from 'express';
import type { ProviderConfig } from '../config.ts';
import type { Store, User } from '../store/index.ts';
import type { OAuthServer } from '../oauth/server.ts';
import {
  authorizationResponseUrl,
  issueAuthorizationCode,
  parametersOf,
  validateAuthorizationRequest,
  type Validation,
} from '../oauth/authorization-request.ts';
import type { InteractionStore } from '../interaction/store.ts';
import { ConsentDecisions } from '../interaction/consent.ts';
import { pendingSignInCookie, startSignIn } from '../http/pending-sign-in.ts';
import { noStore, seeOther } from '../http/security.ts';
import { SCOPES } from '../scopes.ts';

export function authorizeRoutes(config: ProviderConfig, store: Store, oauth: OAuthServer, interactions: InteractionStore): Router {
  const router = Router();
  const pendingSignIn = pendingSignInCookie(config);
  const decisions = new ConsentDecisions(interactions);

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

    // (B) Not signed in yet: sign in first, then come back to this request. It waits in a signed cookie, not
    // in a session: an anonymous visitor costs the server nothing.
    const user = req.session.userId ? await store.findUser(req.session.userId) : null;
    if (!user) {
      if (startSignIn(pendingSignIn, res, parametersOf(result.request))) return seeOther(res, '/login');
      const { redirect_uri, state } = result.request;
      const tooLarge = { error: 'invalid_request', error_description: 'The authorization request is too large', state };
      return seeOther(res, authorizationResponseUrl(redirect_uri, config.issuer, tooLarge));
    }

    const { client, redirect_uri, scope } = result.request;
    res.render('consent', {
      title: `Allow ${client.name}?`,
      // RFC 6749 §10.12: a one-time token: this page view allows exactly one decision.
      csrfToken: await decisions.begin(req.sessionID, user.id, parametersOf(result.request)),
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
    const { redirect_uri, state } = result.request;

    const answer = async (signedIn: User): Promise<string> => {
      if (req.body.decision !== 'allow') {
        // RFC 6749 §4.1.2.1: the resource owner denied the request.
        const denied = { error: 'access_denied', error_description: 'The user denied the request', state };
        return authorizationResponseUrl(redirect_uri, config.issuer, denied);
      }
      // (C) The code goes back to the client.
      const code = await issueAuthorizationCode(oauth, result.request, signedIn);
      return authorizationResponseUrl(redirect_uri, config.issuer, { code, state });
    };

    // RFC 9700 §4.7 / RFC 6749 §10.12: only a consent page shown in this session can decide, and only once. A
    // repeated post of it (a double click) gets the first answer again, never a second code.
    const interaction = typeof req.body._csrf === 'string' ? req.body._csrf : '';
    const location = user
      ? await decisions.decide(req.sessionID, interaction, user.id, parametersOf(result.request), () => answer(user))
      : null;
    if (location === null) {
      res.status(403).render('error', {
        title: 'This consent form has expired',
        error: 'invalid_request',
        error_description: 'The form was not sent from this browser session, or was already answered. Go back to the application and start again.',
      });
      return;
    }
    // 303 makes the browser follow with a GET.
    seeOther(res, location);
  });

  return router;
}
