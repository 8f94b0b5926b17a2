// Steps (C)–(E) of RFC 6749 §4.1: the authorization server sends the browser back here with a code (or an
// error); this client checks the response belongs to this browser, then exchanges the code for tokens over
// the back channel. The browser never sees a token.
import type { Express } from 'express';
import type { ClientContext } from '../app.ts';
import { explainOAuthError, HttpError, singleParam } from '../errors.ts';
import { exchangeCode } from '../oauth-client.ts';
import { loadResource, toStoredTokens } from '../tokens.ts';
import { regenerateSession, takePendingLogin } from '../session.ts';
import { record, traceExchange } from '../trace.ts';

const source = 'client/src/routes/callback.ts';

export default function callback(app: Express, ctx: ClientContext): void {
  const { config, discovery, fetch } = ctx;

  app.get('/callback', async (req, res) => {
    const [state, iss, error, code] = ['state', 'iss', 'error', 'code'].map((name) => singleParam(req.query, name));
    // RFC 6749 §10.12: the response must carry the state this browser's session issued, and each state is
    // good for one response only. Otherwise refuse, before any token request.
    const pending = state === undefined ? undefined : takePendingLogin(req, state);

    // Flow inspector: the response as it arrived, then each check's result. Until state proves that the
    // response answers our request, only its state is kept: anyone can craft a link to /callback.
    const query = [...new URL(req.originalUrl, config.redirect_uri).searchParams];
    const { checks } = record(req, {
      letter: 'C',
      title: 'Authorization response',
      from: 'browser', // RFC 6749 §4.1 (C): the authorization server redirects the browser back here
      to: 'client',
      message: `GET ${req.path}`,
      fields: pending ? query : query.filter(([name]) => name === 'state'),
      source,
      rfc: ['RFC 6749 §4.1.2', 'RFC 6749 §10.12', 'RFC 9207 §2.4'],
    });
    checks.push({ label: 'state matches a login started in this browser', ok: pending !== undefined });
    if (!pending) {
      throw new HttpError(400, 'This response does not belong to a login started in this browser (the state parameter does not match). Please log in again.');
    }

    // RFC 9207 §2.4: `iss` must name the server this request was sent to, which defeats mix-up attacks.
    // Required when the server says it sends it; a present-but-wrong value is refused either way.
    const metadata = await discovery.get();
    const issRequired = metadata.authorization_response_iss_parameter_supported || iss !== undefined;
    checks.push({ label: issRequired ? `iss is the expected issuer, ${metadata.issuer}` : 'iss not sent, and the server does not promise it', ok: !issRequired || iss === metadata.issuer });
    if (issRequired && iss !== metadata.issuer) {
      throw new HttpError(400, 'This response does not come from the expected authorization server (the iss parameter does not match). Please log in again.');
    }

    // RFC 6749 §4.1.2.1: the authorization server reports errors by redirecting back with `error`.
    if (error !== undefined) {
      // Shown only now that state proved the response answers our request: otherwise anyone could put
      // words on this page with a crafted link.
      const description = singleParam(req.query, 'error_description');
      throw new HttpError(error === 'access_denied' ? 403 : 400, explainOAuthError(error), error, description);
    }
    if (!code) throw new HttpError(400, 'The authorization response has no code parameter.');

    // RFC 6749 §4.1.3: exchange the code, proving with code_verifier (RFC 7636 §4.5) that we asked for it.
    const observe = traceExchange(req, {
      request: { letter: 'D', title: 'Access token request', rfc: ['RFC 6749 §4.1.3', 'RFC 6749 §2.3.1', 'RFC 7636 §4.5'] },
      response: { letter: 'E', title: 'Access token response', rfc: ['RFC 6749 §4.1.4', 'RFC 6749 §5.1'] },
      source,
    });
    const response = await exchangeCode(
      { fetch, metadata, client: config, observe },
      { code, redirect_uri: config.redirect_uri, code_verifier: pending.code_verifier },
    );
    req.session.tokens = toStoredTokens(response, { scope: config.scope });
    await loadResource(req, ctx);

    // Regenerate the session when signing in, to prevent session fixation; carry over what we just learned.
    const { tokens, resource, flash, trace, inspector } = req.session;
    await regenerateSession(req);
    Object.assign(req.session, { tokens, resource, flash, trace, inspector });
    // 303 to a clean URL, so the code leaves the address bar and the history.
    res.redirect(303, '/');
  });
}
