// The home page: a "Log in" link when logged out; the protected resource, token expiry and granted scopes
// when logged in; the flow inspector. It never shows a token: those stay in the server-side session.
import type { Express } from 'express';
import type { ClientContext } from '../context.ts';
import { csrfToken } from '../http/csrf.ts';
import { singleParam } from '../http/errors.ts';
import { momentOf } from '../inspector/time.ts';
import { inspectorView } from '../inspector/view.ts';

// Set by POST /logout on its redirect: the session that could carry a message is gone by then.
// Logging out of this client does not sign the user out of the authorization server: say so.
const stillSignedIn = ' You are still signed in at the authorization server, so the next login may not ask for your password.';
const logoutNotices: Record<string, string> = {
  done: `You are logged out.${stillSignedIn}`,
  revocation_failed: `You are logged out here, but the authorization server could not revoke the tokens. They stay valid until they expire.${stillSignedIn}`,
  revocation_unsupported: `You are logged out here. The authorization server does not offer token revocation (RFC 7009), so the tokens stay valid until they expire.${stillSignedIn}`,
};

export default function home(app: Express, ctx: ClientContext): void {
  const { config } = ctx;
  app.get('/', (req, res) => {
    const logout = singleParam(req.query, 'logout');
    const flash = req.session.flash;
    if (flash !== undefined) delete req.session.flash; // shown once
    const notice = flash ?? (logout && Object.hasOwn(logoutNotices, logout) ? logoutNotices[logout] : undefined);

    const tokens = req.session.tokens;
    const inspector = inspectorView(req, config.authServer);
    // The security lab, when it is on (client/src/lab/).
    const lab = ctx.lab !== undefined;
    if (!tokens) return res.render('home', { title: 'Home', notice, tokens: undefined, inspector, lab });

    res.render('home', {
      title: 'Home',
      notice,
      inspector,
      lab,
      tokens: {
        expires_at: tokens.expires_at === undefined ? undefined : momentOf(tokens.expires_at),
        scopes: tokens.scope.split(' ').filter(Boolean),
        has_refresh_token: tokens.refresh_token !== undefined,
      },
      resource: req.session.resource,
      csrf_token: csrfToken(req),
    });
  });
}
