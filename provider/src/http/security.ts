/**
 * Response headers: the page policies (helmet), the JSON endpoints' smaller set, caching, CORS and redirects.
 */
import cors from 'cors';
import helmet from 'helmet';
import type { RequestHandler, Response } from 'express';
import type { ProviderConfig } from '../config.ts';
import { isLoopbackRedirect } from '../oauth/redirect-uri.ts';

export function securityHeaders(config: ProviderConfig): RequestHandler {
  // The consent form posts to us and we answer with a 303 to the client's redirect URI. Chromium applies
  // `form-action` to that redirect too, so the registered redirect origins must be allowed, and nothing else.
  const https = new URL(config.issuer).protocol === 'https:';
  // A loopback redirect may use any port (RFC 8252 §7.3), hence the port wildcard.
  const origin = (uri: string) => (isLoopbackRedirect(uri) ? `http://${new URL(uri).hostname}:*` : new URL(uri).origin);
  const redirectOrigins = [...new Set(config.clients.flatMap((c) => c.redirect_uris.map(origin)))];
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'form-action': ["'self'", ...redirectOrigins],
        // RFC 9700 §4.16: the login and consent pages must not be framed (clickjacking).
        'frame-ancestors': ["'none'"],
        // Upgrading to https only makes sense when we are served over https (not on http://localhost).
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    // Browsers ignore HSTS received over plain http; send it only when the issuer is https.
    strictTransportSecurity: https,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** Interaction pages and token responses must not be cached (RFC 6749 §5.1, RFC 9700 §4.16). */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  res.set('Pragma', 'no-cache');
  next();
};

/**
 * Headers for the JSON endpoints, which no browser renders as a page: helmet's page policies would only add
 * bytes to every API response. `nosniff` keeps JSON from being read as script or HTML; the CSP forbids
 * everything, framing included, should a response ever be opened as a document.
 */
export const jsonHeaders: RequestHandler = (_req, res, next) => {
  res.set({ 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'" });
  next();
};

/**
 * 303 See Other with an empty body: the browser follows with a GET whatever method brought it here
 * (RFC 9110 §15.4.4). Express's `res.redirect` would also render a small HTML body nobody reads.
 */
export function seeOther(res: Response, location: string): void {
  res.status(303).location(location).end();
}

/**
 * CORS for the endpoints that browser apps on other origins call (token, revocation, API, metadata). They carry
 * no cookies, so any origin may read the answer (`Access-Control-Allow-Origin: *`, no Vary). Only a request
 * with an Origin header is cross-origin at all; the others skip the CORS work.
 */
export function allowCrossOrigin(): RequestHandler {
  const handler = cors();
  return (req, res, next) => (req.headers.origin === undefined ? next() : handler(req, res, next));
}
