/**
 * CSRF protection of the provider's forms (RFC 6749 §10.12, RFC 9700 §4.7). A post without the token its page
 * carried, or with another browser's token, is refused. Three forms, three kinds of token:
 * - sign-in: a double submit of the token in the signed pending-sign-in cookie (`pending-sign-in.ts`), since
 *   nothing is stored on the server before the password is right;
 * - consent: a one-time interaction id bound to the login session (`interaction/consent.ts`);
 * - sign-out: the synchronizer token below, kept in the login session.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** Compares the token a form posted with the expected one, in constant time. */
export function tokensMatch(expected: string | undefined, presented: unknown): boolean {
  if (!expected || typeof presented !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The session's synchronizer token, for pages shown to a signed-in user. */
export function csrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

export function isValidCsrfToken(req: Request): boolean {
  return tokensMatch(req.session.csrfToken, req.body?._csrf);
}
