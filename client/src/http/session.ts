// The browser session: where this client keeps a signed-in user's tokens. The browser holds nothing but a signed
// session id cookie. A session is created only when a login completes (routes/callback.ts), never for an
// anonymous visitor: a login in progress lives in its own cookie (pending-login.ts). Sessions live in
// session-store.ts, which forgets each one when its cookie expires.
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import type { ClientConfig } from '../config.ts';

/** Tokens as this client keeps them: server-side only, never rendered, logged or put in a URL. */
export interface StoredTokens {
  access_token: string;
  refresh_token?: string;
  /** Milliseconds since the epoch, computed from expires_in; absent when the server did not say. */
  expires_at?: number;
  /** The granted scope (RFC 6749 §5.1), or the requested one when the response omits it (§3.3). */
  scope: string;
}

/**
 * The protected resource's last answer, as the home page shows it: the members of an object (such as
 * { sub, username }), or any other JSON formatted. Kept in this shape, small and flat, because the session is
 * serialised on every request; `cut` says the answer was longer than this.
 */
export interface StoredResource {
  entries?: { name: string; value: string }[];
  json?: string;
  cut?: boolean;
}

declare module 'express-session' {
  interface SessionData {
    tokens: StoredTokens;
    resource: StoredResource;
    csrf_token: string;
    /** A one-time message for the next page. */
    flash: string;
  }
}

/** A session ends this long after it last changed (sign-in, refresh, reload), in the browser and on the server. */
export const SESSION_LIFETIME_MS = 8 * 60 * 60_000;

export function sessionMiddleware(config: ClientConfig, store: session.Store): RequestHandler {
  return session({
    name: 'client.sid', // the provider uses provider.sid: cookies are shared by all ports of one host
    secret: config.sessionSecret,
    store,
    resave: false, // don't save the session if it was not modified
    saveUninitialized: false, // don't create a session (or a cookie) until something is stored in it
    cookie: {
      httpOnly: true, // scripts cannot read the session id
      sameSite: 'lax', // sent on the top-level redirect back from the authorization server, not on cross-site POSTs
      // Behind a TLS-terminating proxy also set TRUST_PROXY (Express's trust proxy), or the cookie is never sent.
      secure: new URL(config.redirect_uri).protocol === 'https:',
      maxAge: SESSION_LIFETIME_MS,
    },
  });
}

/** Issues a new session id and cookie, keeping nothing from the old session. */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => (err ? reject(err) : resolve())));
}
