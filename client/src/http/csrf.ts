// Cross-site request forgery defence for this client's own POST forms (Refresh, Reload, Log out): a
// synchronizer token kept in the session and echoed back by each form. sameSite=lax already stops most
// cross-site POSTs; the token also covers older browsers and same-site attackers (other ports, subdomains).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { HttpError, singleParam } from './errors.ts';

/** The token to put in a form's hidden `_csrf` field; created on first use. */
export function csrfToken(req: Request): string {
  req.session.csrf_token ??= randomBytes(32).toString('base64url');
  return req.session.csrf_token;
}

/** Rejects a POST whose `_csrf` field does not match the session's token. */
export const verifyCsrf: RequestHandler = (req, _res, next) => {
  const expected = req.session.csrf_token;
  const received = singleParam(req.body, '_csrf');
  if (!expected || !received || !constantTimeEqual(expected, received)) {
    throw new HttpError(403, 'This form has expired or did not come from this site. Go back, reload the page and try again.');
  }
  next();
};

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // timingSafeEqual needs equal lengths; the length of a random token is no secret.
  return left.length === right.length && timingSafeEqual(left, right);
}
