// The browser session: the only place this client keeps OAuth secrets (code_verifier, tokens). The browser
// holds nothing but a signed session id cookie. Sessions live in express-session's MemoryStore, which is
// fine for a single-process demo; for a real deployment swap in a shared store (Redis, a database) via
// the `store` option below.
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import type { ClientConfig } from './config.ts';

/** One authorization request that has not come back yet. */
export interface PendingLogin {
  state: string;
  code_verifier: string;
  created_at: number;
}

/** Tokens as this client keeps them: server-side only, never rendered, logged or put in a URL. */
export interface StoredTokens {
  access_token: string;
  refresh_token?: string;
  /** Milliseconds since the epoch, computed from expires_in; absent when the server did not say. */
  expires_at?: number;
  /** The granted scope (RFC 6749 §5.1), or the requested one when the response omits it (§3.3). */
  scope: string;
}

declare module 'express-session' {
  interface SessionData {
    pending_logins: PendingLogin[];
    tokens: StoredTokens;
    /** The last response of the protected resource, shown on the home page. */
    resource: unknown;
    csrf_token: string;
    /** A one-time message for the next page. */
    flash: string;
  }
}

/** Several tabs may each start a login; keep only the newest few, and only for a while. */
const MAX_PENDING_LOGINS = 5;
const PENDING_LOGIN_TTL_MS = 10 * 60_000;

export function sessionMiddleware(config: ClientConfig): RequestHandler {
  return session({
    name: 'client.sid', // the provider uses provider.sid: cookies are shared by all ports of one host
    secret: config.sessionSecret,
    resave: false, // don't save the session if it was not modified
    saveUninitialized: false, // don't create a session (or a cookie) until something is stored in it
    cookie: {
      httpOnly: true, // scripts cannot read the session id
      sameSite: 'lax', // sent on the top-level redirect back from the authorization server, not on cross-site POSTs
      // Behind a TLS-terminating proxy also set app.set('trust proxy', 1), or the cookie is never sent.
      secure: new URL(config.redirect_uri).protocol === 'https:',
    },
  });
}

export function addPendingLogin(req: Request, login: Omit<PendingLogin, 'created_at'>): void {
  const now = Date.now();
  const pending = (req.session.pending_logins ?? []).filter((p) => now - p.created_at < PENDING_LOGIN_TTL_MS);
  pending.push({ ...login, created_at: now });
  req.session.pending_logins = pending.slice(-MAX_PENDING_LOGINS);
}

/** Removes and returns the pending login for `state`: each one can be used once only. */
export function takePendingLogin(req: Request, state: string): PendingLogin | undefined {
  const pending = req.session.pending_logins;
  if (!pending) return undefined;
  const login = pending.find((p) => p.state === state && Date.now() - p.created_at < PENDING_LOGIN_TTL_MS);
  req.session.pending_logins = pending.filter((p) => p.state !== state);
  return login;
}

/** Issues a new session id and cookie, keeping nothing from the old session. */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => (err ? reject(err) : resolve())));
}
