/**
 * The provider's login session: who is signed in at the authorization server, in this browser.
 *
 * Only the browser-facing routes (login, consent, sign-out) run this middleware; the token endpoint and the
 * API never load a session. A session is stored only once someone has signed in: an anonymous visitor's
 * sign-in in progress lives in a signed cookie (`pending-sign-in.ts`), so no number of anonymous requests can
 * fill this store.
 */
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { ProviderConfig } from '../config.ts';

declare module 'express-session' {
  interface SessionData {
    /** Set at sign-in, on a freshly regenerated session: a session exists only for a signed-in user. */
    userId: string;
    /** Synchronizer token for the sign-out form. */
    csrfToken: string;
  }
}

const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

/**
 * A memory session store that forgets expired sessions. (express-session's own MemoryStore only drops an
 * expired session when that same session is read again, so abandoned sessions pile up for ever.)
 * Replace it with a shared store (Redis, a database table) when running more than one process.
 */
export class ExpiringMemoryStore extends session.Store {
  private readonly sessions = new Map<string, { data: string; expiresAt: number }>();

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const entry = this.sessions.get(sid);
    if (!entry || entry.expiresAt <= Date.now()) {
      this.sessions.delete(sid);
      return callback(null, null);
    }
    callback(null, JSON.parse(entry.data) as session.SessionData);
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    this.sessions.set(sid, { data: JSON.stringify(data), expiresAt: expiryOf(data) });
    callback?.();
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.sessions.delete(sid);
    callback?.();
  }

  purgeExpired(now = Date.now()): number {
    let dropped = 0;
    for (const [sid, entry] of this.sessions) {
      if (entry.expiresAt <= now) {
        this.sessions.delete(sid);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.sessions.size;
  }
}

function expiryOf(data: session.SessionData): number {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires).getTime() : Date.now() + SESSION_LIFETIME_MS;
}

export function sessionMiddleware(config: ProviderConfig, store: session.Store): RequestHandler {
  return session({
    // Browsers share cookies across the ports of one host: the client on :3000 uses another name.
    name: 'provider.sid',
    secret: config.sessionSecret,
    store,
    resave: false, // don't save a session that did not change
    saveUninitialized: false, // don't create a session until something is stored
    cookie: {
      httpOnly: true,
      // Lax: sent on the top-level navigation from the client to /oauth/authorize, not on cross-site POSTs.
      sameSite: 'lax',
      secure: new URL(config.issuer).protocol === 'https:',
      maxAge: SESSION_LIFETIME_MS,
    },
  });
}
