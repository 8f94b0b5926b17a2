// Steps (C)–(E) of RFC 6749 §4.1: the authorization server sends the browser back here with a code (or an
// error); this client checks the response belongs to this browser, then exchanges the code for tokens over
// the back channel. The browser never sees a token.
//
// Nothing but the flow inspector's cards is written to the session until the exchange has succeeded. Then the
// session gets a new id and only then the tokens: a forged or failed callback leaves the user's sign-in as it
// was, and no failure can leave the user half signed in on the id they had before.
import type { Express, Request, Response } from 'express';
import type { CheckedResponse, ClientContext } from '../context.ts';
import { explainOAuthError, HttpError, singleParam } from '../http/errors.ts';
import { regenerateSession } from '../http/session.ts';
import { appendTrace, record, traceExchange, type TraceEntry } from '../inspector/trace.ts';
import { exchangeCode, type TokenResponse } from '../oauth/oauth-client.ts';
import { loadResource, toStoredTokens } from '../oauth/tokens.ts';
import { authorizationRequestCard, authorizationUrl } from './login.ts';

export default function callback(app: Express, ctx: ClientContext): void {
  app.get('/callback', async (req, res) => {
    // The flow inspector's cards for this login wait here until the session may be written.
    const story: { trace?: TraceEntry[] } = {};
    let response: TokenResponse;
    try {
      const checked = await receive(req, res, ctx, story);
      // An authorization the security lab started (client/src/lab/) is the lab's to finish: it misuses the
      // code as an attacker would, and signs no one in. Only this server can set a purpose (pending-login.ts).
      if (checked.pending.purpose !== undefined) {
        if (!ctx.lab) throw new HttpError(400, 'This response answers a request this client no longer handles. Please log in again.');
        return await ctx.lab.finish(req, res, checked, story);
      }
      response = await exchange(ctx, checked, story);
    } catch (err) {
      // The inspector shows what was refused: in this browser's session, or in a new one holding nothing else
      // (the store keeps few of those, and briefly: anyone can send a callback).
      if (story.trace?.length) appendTrace(req, story.trace);
      throw err;
    }

    // Signing in: a new session id first, against session fixation; nothing of the old session is kept but
    // the inspector preference.
    const { inspector } = req.session;
    await regenerateSession(req);
    Object.assign(req.session, { tokens: toStoredTokens(response, { scope: ctx.config.scope }), trace: story.trace, inspector });
    // The user is signed in now whatever the resource server answers: a failure becomes a message.
    await loadResource(req, ctx);
    // 303 to a clean URL, so the code leaves the address bar and the history.
    res.redirect(303, '/');
  });
}

/** Checks the authorization response (C): it must answer a login started in this browser, by the expected server. */
async function receive(req: Request, res: Response, ctx: ClientContext, story: { trace?: TraceEntry[] }): Promise<CheckedResponse> {
  const { config, discovery, logins, usedStates } = ctx;
  const [state, iss, error, code] = ['state', 'iss', 'error', 'code'].map((name) => singleParam(req.query, name));
  // RFC 6749 §10.12: the response must carry the state of a login started in this browser, and each state
  // answers one response only, even when the same response arrives several times at once. Otherwise refuse,
  // before any token request.
  const pending = state === undefined ? undefined : logins.take(req, res, state);
  if (pending && !usedStates.use(pending.state)) {
    // A copy of a response that another request is handling, or has handled. It records nothing: saving the
    // session from here could replace the cookie of the session that the first copy signs in.
    throw new HttpError(400, 'This login response was already used (each state is accepted once, RFC 6749 §10.12). Go back to the start: if the first one succeeded, you are logged in.');
  }

  // Flow inspector: the request this login sent (rebuilt from the pending login, which is all the server kept),
  // then the response as it arrived and each check's result. Until state proves that the response answers our
  // request, only its state is kept: anyone can craft a link to /callback.
  const metadata = pending ? await discovery.get() : undefined;
  // A login with a purpose sent a request of its own making: whoever made it records it.
  if (pending && metadata && pending.purpose === undefined) record(story, authorizationRequestCard(authorizationUrl(config, metadata, pending)));
  const query = [...new URL(req.originalUrl, config.redirect_uri).searchParams];
  const { checks } = record(story, {
    letter: 'C',
    title: 'Authorization response',
    from: 'browser', // RFC 6749 §4.1 (C): the authorization server redirects the browser back here
    to: 'client',
    message: `GET ${req.path}`,
    fields: pending ? query : query.filter(([name]) => name === 'state'),
    source: 'client/src/routes/callback.ts',
    sourceFunction: 'receive',
    rfc: ['RFC 6749 §4.1.2', 'RFC 6749 §10.12', 'RFC 9207 §2.4'],
  });
  checks.push({ label: 'state matches a login started in this browser', ok: pending !== undefined });
  if (!pending || !metadata) {
    throw new HttpError(400, 'This response does not belong to a login started in this browser (the state parameter does not match). Please log in again.');
  }

  // RFC 9207 §2.4: `iss` must name the server this request was sent to, which defeats mix-up attacks.
  // Required when the server says it sends it; a present-but-wrong value is refused either way.
  const issRequired = metadata.authorization_response_iss_parameter_supported || iss !== undefined;
  checks.push({ label: issRequired ? `iss is the expected issuer, ${metadata.issuer}` : 'iss not sent, and the server does not promise it', ok: !issRequired || iss === metadata.issuer });
  if (issRequired && iss !== metadata.issuer) {
    throw new HttpError(400, 'This response does not come from the expected authorization server (the iss parameter does not match). Please log in again.');
  }
  return { pending, metadata, code, error, error_description: singleParam(req.query, 'error_description') };
}

/** Exchanges the code of a checked response (D) for the token response (E), or reports the response's error. */
async function exchange({ config, fetch }: ClientContext, checked: CheckedResponse, story: { trace?: TraceEntry[] }): Promise<TokenResponse> {
  const { pending, metadata, code, error, error_description } = checked;
  // RFC 6749 §4.1.2.1: the authorization server reports errors by redirecting back with `error`.
  if (error !== undefined) {
    // Shown only now that state proved the response answers our request: otherwise anyone could put
    // words on this page with a crafted link.
    throw new HttpError(error === 'access_denied' ? 403 : 400, explainOAuthError(error), error, error_description);
  }
  if (!code) throw new HttpError(400, 'The authorization response has no code parameter.');

  // RFC 6749 §4.1.3: exchange the code, proving with code_verifier (RFC 7636 §4.5) that we asked for it.
  const observe = traceExchange(story, {
    request: { letter: 'D', title: 'Access token request', rfc: ['RFC 6749 §4.1.3', 'RFC 6749 §2.3.1', 'RFC 7636 §4.5'] },
    response: { letter: 'E', title: 'Access token response', rfc: ['RFC 6749 §4.1.4', 'RFC 6749 §5.1'] },
    source: 'client/src/oauth/oauth-client.ts',
    sourceFunction: 'exchangeCode',
  });
  return exchangeCode({ fetch, metadata, client: config, observe }, { code, redirect_uri: config.redirect_uri, code_verifier: pending.code_verifier });
}
