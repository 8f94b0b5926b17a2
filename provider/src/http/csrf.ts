/**
 * CSRF protection for the login and consent forms: a synchronizer token kept in the session and echoed by the
 * form (RFC 6749 §10.12, RFC 9700 §4.7). A post without it, or with another session's token, is refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export function csrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

export function isValidCsrfToken(req: Request): boolean {
  const expected = req.session.csrfToken;
  const presented: unknown = req.body?._csrf;
  if (!expected || typeof presented !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
