/**
 * The provider's own pages outside the flow: a landing page that says who is signed in, and sign-out.
 */
import { Router } from 'express';
import type { Store } from '../store/index.ts';
import { csrfToken, isValidCsrfToken } from '../http/csrf.ts';
import { noStore, seeOther } from '../http/security.ts';

export function homeRoutes(store: Store): Router {
  const router = Router();

  router.get('/', noStore, async (req, res) => {
    const user = req.session.userId ? await store.findUser(req.session.userId) : null;
    res.render('home', { title: 'Authorization server', user, csrfToken: user ? csrfToken(req) : undefined });
  });

  // Ends the login session at the provider, so the next authorization asks for the password again.
  router.post('/logout', noStore, (req, res, next) => {
    if (!isValidCsrfToken(req)) {
      res.status(403).render('error', {
        title: 'This form has expired',
        error: 'invalid_request',
        error_description: 'Sign-out was not confirmed from this browser session.',
      });
      return;
    }
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('provider.sid');
      seeOther(res, '/');
    });
  });

  return router;
}
