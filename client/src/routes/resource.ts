// Step (F), beyond the grant itself: call the protected resource again with the access token (RFC 6750).
import type { Express } from 'express';
import type { ClientContext } from '../context.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { landingAfter, traceMark } from '../inspector/landing.ts';
import { loadResource } from '../oauth/tokens.ts';

export default function resource(app: Express, ctx: ClientContext): void {
  app.post('/resource', verifyCsrf, async (req, res) => {
    const mark = traceMark(req);
    if (!req.session.tokens) req.session.flash = 'You are not logged in.';
    // Refreshes once and retries once if the access token is refused (RFC 6750 §3.1).
    else await loadResource(req, ctx);
    res.redirect(303, landingAfter(req, mark)); // on the inspector's first new card, if any
  });
}
