/**
 * Step (B) of RFC 6749 §4.1: the resource owner authenticates — at the authorization server, on its own page.
 * The client never sees the password (the upstream example had the client host this form).
 */
import { Router, type Request, type Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { ProviderConfig } from '../config.ts';
import type { InMemoryStore } from '../store.ts';
import { csrfToken, isValidCsrfToken } from '../http/csrf.ts';
import { noStore, seeOther } from '../http/security.ts';

function renderLogin(req: Request, res: Response, status: number, message?: string): void {
  const username = typeof req.body?.username === 'string' ? req.body.username : '';
  res.status(status).render('login', { title: 'Sign in', csrfToken: csrfToken(req), username, message });
}

export function loginRoutes(config: ProviderConfig, store: InMemoryStore): Router {
  const router = Router();

  // RFC 6749 §10.10 / RFC 9700 §4.15: throttle password guessing, per address and per account. Only failed
  // attempts count (`skipSuccessfulRequests`), so a user who signs in often is never locked out.
  const limitOptions = {
    windowMs: config.loginWindowMs,
    limit: config.loginAttemptsPerWindow,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8' as const,
    legacyHeaders: false,
    handler: (req: Request, res: Response) =>
      renderLogin(req, res, 429, 'Too many failed sign-in attempts. Wait a few minutes, then try again.'),
  };
  const perAddress = rateLimit({ ...limitOptions, keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '')}` });
  const perAccount = rateLimit({
    ...limitOptions,
    keyGenerator: (req) => `user:${String(req.body?.username ?? '').toLowerCase()}`,
  });

  router.get('/login', noStore, (req, res) => {
    renderLogin(req, res, 200);
  });

  router.post('/login', noStore, perAddress, perAccount, async (req, res, next) => {
    if (!isValidCsrfToken(req)) {
      renderLogin(req, res, 403, 'This form expired. Please sign in again.');
      return;
    }
    const { username, password } = req.body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') {
      renderLogin(req, res, 400, 'Enter your username and password.');
      return;
    }
    const user = await store.authenticateUser(username, password);
    if (!user) {
      // One message for every failure, so the page does not reveal which usernames exist.
      renderLogin(req, res, 401, 'Wrong username or password.');
      return;
    }
    const returnTo = req.session.returnTo;
    // Regenerate the session when signing in, to prevent session fixation.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.userId = user.id;
      seeOther(res, returnTo ?? '/');
    });
  });

  return router;
}
