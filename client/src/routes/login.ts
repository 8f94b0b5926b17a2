// Step (A) of RFC 6749 §4.1: send the browser to the authorization server with an authorization request.
// Starting a login is a POST from the Log in button: it changes something (a login in progress), which a GET
// must not do (RFC 9110 §9.2.1), and no other site may do it for the user, or it could push the user's own
// login in progress out of this browser's cookie.
import type { Express } from 'express';
import type { ClientContext } from '../context.ts';
import type { ClientConfig } from '../config.ts';
import type { AuthorizationServerMetadata } from '../oauth/discovery.ts';
import { buildAuthorizationUrl, codeChallengeS256, randomToken } from '../oauth/oauth-client.ts';
import type { NewEntry } from '../inspector/trace.ts';
import { sameOriginOnly } from '../http/same-origin.ts';

const LOGIN_REFUSED = 'A login can only be started with the Log in button of this site. Go back to the start and press it.';

export default function login(app: Express, { config, discovery, logins }: ClientContext): void {
  // A link or a bookmark to /login lands on the home page, whose button starts a login.
  app.get('/login', (_req, res) => res.redirect(303, '/'));

  app.post('/login', sameOriginOnly(new URL(config.redirect_uri).origin, LOGIN_REFUSED), async (req, res) => {
    const metadata = await discovery.get();

    // RFC 6749 §10.12: `state` binds the response to this browser (CSRF on the redirection URI).
    const state = randomToken();
    // RFC 7636 §4.1: a fresh high-entropy code_verifier per request; only its hash leaves this server.
    const code_verifier = randomToken();
    // Kept, per state, in this browser's pending-login cookie: nothing is stored on the server until the
    // login completes, and logins started in several tabs can each complete.
    logins.add(req, res, { state, code_verifier });

    // 303: the browser follows with a GET.
    res.redirect(303, authorizationUrl(config, metadata, { state, code_verifier }).href);
  });
}

/** The authorization request of RFC 6749 §4.1.1 with PKCE (RFC 7636 §4.3, code_challenge_method=S256). */
export function authorizationUrl(
  config: Readonly<ClientConfig>,
  metadata: AuthorizationServerMetadata,
  { state, code_verifier }: { state: string; code_verifier: string },
): URL {
  const { client_id, redirect_uri, scope } = config;
  return buildAuthorizationUrl(metadata, { client_id, redirect_uri, scope, state, code_challenge: codeChallengeS256(code_verifier) });
}

/** The flow inspector's card for step (A); state is masked there (it guards the callback). */
export function authorizationRequestCard(url: URL): NewEntry {
  return {
    letter: 'A',
    title: 'Authorization request',
    from: 'browser', // RFC 6749 §4.1 (A): the client directs the browser, which sends the request
    to: 'authorization server',
    message: `GET ${url.origin}${url.pathname}`,
    fields: url.searchParams,
    source: 'client/src/routes/login.ts',
    sourceFunction: 'authorizationUrl',
    rfc: ['RFC 6749 §4.1.1', 'RFC 7636 §4.3'],
  };
}
