// What the callback needs to finish a login that step (A) started: its `state` and `code_verifier`. They are
// kept in the browser that started the login, in a cookie encrypted and authenticated with a key only this
// server holds, rather than on the server: so a visitor who has not signed in makes the server store nothing,
// however many logins they start, and no one else's logins can push theirs out.
//
// The cookie holds this browser's newest few logins (one per tab) for ten minutes. Only a form on this site can
// add to it (routes/login.ts refuses cross-site requests), so another site cannot evict a login in progress.
// Encryption keeps the code_verifier unreadable in the browser (RFC 7636 §4.1: it must stay unguessable to
// anyone who sees the code), and authentication means the server only ever reads back what it wrote.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ClientConfig } from '../config.ts';

export interface PendingLogin {
  state: string;
  code_verifier: string;
  /**
   * Absent for a sign-in. Set when something else started this authorization (the security lab, client/src/lab/,
   * names its experiment): the callback checks the response as always, then hands it over instead of signing in.
   */
  purpose?: string;
  /** Milliseconds since the epoch. */
  created_at: number;
}

/** Time for the user to sign in and consent at the authorization server. */
export const PENDING_LOGIN_TTL_MS = 10 * 60_000;
/** Logins started in several tabs can each complete; older ones beyond this are dropped. */
const MAX_PENDING_LOGINS = 5;
const COOKIE = 'client.login'; // the session cookie is client.sid; the provider's cookies are provider.*
/** Five logins take about 900 characters; a longer value was not written by this server. */
const MAX_COOKIE_LENGTH = 2048;

export interface PendingLogins {
  /** Remembers a login in this browser's cookie. */
  add(req: Request, res: Response, login: Omit<PendingLogin, 'created_at'>): void;
  /** Removes the login for `state` from the cookie and returns it, if it is there and not expired. */
  take(req: Request, res: Response, state: string): PendingLogin | undefined;
}

export function pendingLogins(config: Readonly<ClientConfig>, now: () => number = Date.now): PendingLogins {
  // A key of its own, derived from SESSION_SECRET, so this cookie and the session cookie never share one.
  const key = Buffer.from(hkdfSync('sha256', config.sessionSecret, '', 'client pending-login cookie', 32));
  const options = {
    httpOnly: true, // scripts cannot read it
    // Lax: sent on the top-level redirect back from the authorization server (RFC 6749 §4.1.2).
    sameSite: 'lax' as const,
    secure: new URL(config.redirect_uri).protocol === 'https:',
    path: '/',
  };

  const read = (req: Request): PendingLogin[] => {
    const logins = open(key, readCookie(req, COOKIE));
    return logins.filter((login) => now() - login.created_at < PENDING_LOGIN_TTL_MS);
  };
  const write = (res: Response, logins: PendingLogin[]): void => {
    if (logins.length === 0) res.clearCookie(COOKIE, options);
    else res.cookie(COOKIE, seal(key, logins), { ...options, maxAge: PENDING_LOGIN_TTL_MS });
  };

  return {
    add(req, res, login) {
      write(res, [...read(req), { ...login, created_at: now() }].slice(-MAX_PENDING_LOGINS));
    },
    take(req, res, state) {
      const logins = read(req);
      const found = logins.find((login) => login.state === state);
      if (found) write(res, logins.filter((login) => login !== found));
      return found;
    },
  };
}

/** AES-256-GCM: 12-byte nonce, 16-byte tag, then the ciphertext of the JSON, all base64url. */
function seal(key: Buffer, logins: PendingLogin[]): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(COOKIE));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(logins), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

/** The logins in a cookie this server wrote; none for a missing, altered or foreign cookie. */
function open(key: Buffer, value: string | undefined): PendingLogin[] {
  if (!value || value.length > MAX_COOKIE_LENGTH) return [];
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length <= 28) return [];
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(COOKIE));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const json = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    const logins: unknown = JSON.parse(json);
    return Array.isArray(logins) ? logins.filter(isPendingLogin) : [];
  } catch {
    return []; // a wrong tag: altered, or written under another SESSION_SECRET
  }
}

function isPendingLogin(value: unknown): value is PendingLogin {
  if (typeof value !== 'object' || value === null) return false;
  const login = value as Record<string, unknown>;
  return (
    typeof login.state === 'string' &&
    typeof login.code_verifier === 'string' &&
    typeof login.created_at === 'number' &&
    (login.purpose === undefined || typeof login.purpose === 'string')
  );
}

/** Express parses no cookies by itself (express-session reads only its own); this reads one. */
function readCookie(req: Request, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
