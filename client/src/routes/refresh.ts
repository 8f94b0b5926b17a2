// Refreshing an Access Token (RFC 6749 §6): trade the refresh token for a new access token, without
// sending the user back to the authorization server.
import type { Express } from 'express';
import type { ClientContext } from '../context.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { landingAfter, traceMark } from '../inspector/landing.ts';
import { refreshSessionTokens } from '../oauth/tokens.ts';

export default function refresh(app: Express, ctx: ClientContext): void {
  app.post('/refresh', verifyCsrf, async (req, res) => {
    const mark = traceMark(req);
    if (!req.session.tokens) {
      req.session.flash = 'You are not logged in.';
    } else if (!req.session.tokens.refresh_token) {
      req.session.flash = 'The authorization server issued no refresh token. Log in again when the access token expires.';
    } else if (await refreshSessionTokens(req, ctx)) {
      // Both tokens are replaced; the old refresh token is kept only if no new one was issued.
      req.session.flash = 'The tokens were refreshed.';
    } // else: the refresh was refused, the tokens are gone and the flash asks the user to log in again.
    res.redirect(303, landingAfter(req, mark)); // on the inspector's first new card, if any
  });
}
