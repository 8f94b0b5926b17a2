/**
 * Step (B) of RFC 6749 §4.1: the resource owner authenticates — at the authorization server, on its own page.
 * The client never sees the password (the upstream example had the client host this form).
 *
 * Until the password is right, the server keeps nothing for this browser: the form's CSRF token and the
 * authorization request to resume live in a signed cookie (`http/pending-sign-in.ts`). The login session is
 * created at sign-in, under a new id.
 */
import { Router, type Response } from 'express';
import type { ProviderConfig } from '../config.ts';
import type { Store } from '../store/index.ts';
import type { AttemptCounter } from '../interaction/store.ts';
import { tokensMatch } from '../http/csrf.ts';
import { LoginThrottle } from '../http/login-throttle.ts';
import { pendingSignInCookie, startSignIn, type PendingSignIn } from '../http/pending-sign-in.ts';
import { noStore, seeOther } from '../http/security.ts';
import {
  authorizationPath,
  parametersOf,
  validateAuthorizationRequest,
  type AuthorizationParameters,
} from '../oauth/authorization-request.ts';

const MESSAGES = {
  expired: 'This form expired. Please sign in again.',
  missing: 'Enter your username and password.',
  throttled: 'Too many failed sign-in attempts. Wait a few minutes, then try again.',
  // One message for every wrong answer, so the page does not reveal which usernames exist.
  wrong: 'Wrong username or password.',
};

export function loginRoutes(config: ProviderConfig, store: Store, attempts: AttemptCounter): Router {
  const router = Router();
  const pendingSignIn = pendingSignInCookie(config);
  const throttle = new LoginThrottle(config, attempts);

  function render(res: Response, status: number, pending: PendingSignIn | null, username = '', message?: string): void {
    // The form carries its own copy of the waiting request (`return_to`), so that it can start again if the
    // cookie is gone: a restart with a random SESSION_SECRET makes every signed cookie unreadable.
    const returnTo = pending?.request ? authorizationPath(pending.request) : undefined;
    res.status(status).render('login', { title: 'Sign in', csrfToken: pending?.csrf ?? '', username, message, returnTo, demoUser: config.demoUser });
  }

  /** The waiting request from the form's `return_to`, validated exactly as if it had just arrived at /oauth/authorize. */
  async function restart(returnTo: unknown): Promise<AuthorizationParameters | undefined> {
    const prefix = '/oauth/authorize?';
    if (typeof returnTo !== 'string' || !returnTo.startsWith(prefix)) return undefined;
    const result = await validateAuthorizationRequest(store, Object.fromEntries(new URLSearchParams(returnTo.slice(prefix.length))));
    return result.ok ? parametersOf(result.request) : undefined;
  }

  router.get('/login', noStore, (req, res) => {
    // A sign-in already under way keeps its token and its waiting request; otherwise a fresh token.
    const pending = pendingSignIn.read(req) ?? startSignIn(pendingSignIn, res);
    render(res, 200, pending);
  });

  router.post('/login', noStore, async (req, res, next) => {
    const { username, password, _csrf } = req.body ?? {};
    const shown = typeof username === 'string' ? username : '';
    const pending = pendingSignIn.read(req);
    // RFC 6749 §10.12: the token must be the one this browser's signed cookie holds (login CSRF).
    if (!pending || !tokensMatch(pending.csrf, _csrf)) {
      render(res, 403, pending ?? startSignIn(pendingSignIn, res, await restart(req.body?.return_to)), shown, MESSAGES.expired);
      return;
    }
    if (typeof username !== 'string' || typeof password !== 'string') {
      render(res, 400, pending, shown, MESSAGES.missing);
      return;
    }

    const result = await throttle.attempt(req, res, username, () => store.authenticateUser(username, password));
    if (result.outcome !== 'signed-in') {
      render(res, result.outcome === 'throttled' ? 429 : 401, pending, shown, MESSAGES[result.outcome]);
      return;
    }

    pendingSignIn.clear(res);
    // The way back is rebuilt from the validated request: always a path on this server.
    const returnTo = pending.request ? authorizationPath(pending.request) : '/';
    // Regenerate the session when signing in, to prevent session fixation.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = result.user.id;
      seeOther(res, returnTo);
    });
  });

  return router;
}
