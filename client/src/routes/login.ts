// Step (A) of RFC 6749 §4.1: send the browser to the authorization server with an authorization request.
import type { Express } from 'express';
import type { ClientContext } from '../app.ts';
import { buildAuthorizationUrl, codeChallengeS256, randomToken } from '../oauth-client.ts';
import { addPendingLogin } from '../session.ts';
import { record, startTrace } from '../trace.ts';

export default function login(app: Express, { config, discovery }: ClientContext): void {
  app.get('/login', async (req, res) => {
    const metadata = await discovery.get();

    // RFC 6749 §10.12: `state` binds the response to this browser's session (CSRF on the redirection URI).
    const state = randomToken();
    // RFC 7636 §4.1: a fresh high-entropy code_verifier per request; only its hash leaves this server.
    const code_verifier = randomToken();
    // Kept per state, so logins started in several tabs can each complete.
    addPendingLogin(req, { state, code_verifier });

    const url = buildAuthorizationUrl(metadata, {
      client_id: config.client_id,
      redirect_uri: config.redirect_uri,
      scope: config.scope,
      state,
      code_challenge: codeChallengeS256(code_verifier), // RFC 7636 §4.3, with code_challenge_method=S256
    });
    // Flow inspector: a new login starts a new story; state is masked there (it guards the callback).
    startTrace(req);
    record(req, {
      letter: 'A',
      title: 'Authorization request',
      from: 'browser', // RFC 6749 §4.1 (A): the client directs the browser, which sends the request
      to: 'authorization server',
      message: `GET ${url.origin}${url.pathname}`,
      fields: url.searchParams,
      source: 'client/src/routes/login.ts',
      rfc: ['RFC 6749 §4.1.1', 'RFC 7636 §4.3'],
    });
    // 303: the browser follows with a GET whatever method brought it here.
    res.redirect(303, url.href);
  });
}
