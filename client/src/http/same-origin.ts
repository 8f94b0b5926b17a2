// Cross-site requests refused by where they come from, for the POSTs that take no CSRF token because they come
// from pages shown to anonymous visitors, who have no session to hold one (the Log in button, the lab's buttons).
import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

/**
 * Only this site's own forms may start a login or a lab experiment: either changes what this browser holds.
 * Browsers say where a request comes from: `Sec-Fetch-Site` (Fetch Metadata) and, on every POST, `Origin`. A
 * request with neither did not come from a browser, so no one's cookies ride on it. A page of another site (or of
 * another port of this host) gets a 403 with `refusal` as the message, and this browser's logins in progress are
 * left as they were.
 */
export function sameOriginOnly(origin: string, refusal: string): RequestHandler {
  return (req, _res, next) => {
    const site = req.get('sec-fetch-site');
    const sender = req.get('origin');
    const sameOrigin = site !== undefined ? site === 'same-origin' : sender === undefined || sender === origin;
    if (!sameOrigin) {
      throw new HttpError(403, refusal);
    }
    next();
  };
}
