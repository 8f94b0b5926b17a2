/**
 * A sign-in in progress, kept by the browser in a signed cookie rather than in a server session: the sign-in
 * form's CSRF token and the authorization request to resume afterwards. Anonymous visitors of
 * `GET /oauth/authorize` and `GET /login` therefore cost the server no memory at all; the login session is
 * created only when the password is right.
 *
 * The token is a double submit bound to the signature: the form must echo the token of a cookie this server
 * signed, which a cross-site page can neither read nor forge (login CSRF, RFC 6749 §10.12).
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { ProviderConfig } from '../config.ts';
import type { AuthorizationParameters } from '../oauth/authorization-request.ts';
import { SignedCookie } from './signed-cookie.ts';

export interface PendingSignIn {
  /** The sign-in form's CSRF token. */
  csrf: string;
  /** The authorization request waiting for the sign-in: validated parameters, never a URL. */
  request?: AuthorizationParameters;
}

/** Time to fill in the sign-in form. */
const LIFETIME_MS = 30 * 60 * 1000;

export type PendingSignInCookie = SignedCookie<PendingSignIn>;

export function pendingSignInCookie(config: ProviderConfig): PendingSignInCookie {
  return new SignedCookie<PendingSignIn>('provider.login', config.sessionSecret, LIFETIME_MS, {
    httpOnly: true,
    // Lax: set on the top-level navigation from the client, sent back by the same-origin form post.
    sameSite: 'lax',
    secure: new URL(config.issuer).protocol === 'https:',
    // Only the sign-in page reads it.
    path: '/login',
  });
}

/**
 * Starts a sign-in with a fresh token, for `request` if one is waiting. False when the request is too large
 * for a cookie (the caller answers with an error instead).
 */
export function startSignIn(cookie: PendingSignInCookie, res: Response, request?: AuthorizationParameters): PendingSignIn | null {
  const pending: PendingSignIn = { csrf: randomBytes(32).toString('base64url'), request };
  return cookie.write(res, pending) ? pending : null;
}
