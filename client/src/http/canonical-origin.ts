// Before a login starts, make sure the browser is on the redirect URI's host name.
//
// Browsers keep cookies per host name: a login started on http://127.0.0.1:3000 stores its `state` in a cookie
// for 127.0.0.1, and the authorization server sends the browser back to http://localhost:3000/callback, which
// cannot see that cookie. The user would sign in and consent, then fail the state check (RFC 6749 §10.12). So the
// pages that start a login redirect to the same path on the redirect URI's origin first.
import type { RequestHandler } from 'express';

/**
 * Redirects to the same path on `redirect_uri`'s origin when the request arrived under another host name on the
 * same port. Never an open redirect: the target is always the configured origin, followed by the request's path.
 *
 * A request on another port is left alone: between the browser and this app there is then a proxy or a port
 * mapping, and the Host header does not say which name the browser used (set TRUST_PROXY so that Express reads
 * X-Forwarded-Host). Redirecting there could loop.
 */
export function canonicalOrigin(redirect_uri: string): RequestHandler {
  const canonical = new URL(redirect_uri);
  const canonicalPort = portOf(canonical);
  return (req, res, next) => {
    let requested: URL;
    try {
      // Express's req.host: the Host header, or X-Forwarded-Host from a trusted proxy (TRUST_PROXY).
      requested = new URL(`${req.protocol}://${req.host}`);
    } catch {
      return next(); // no usable Host header: nothing to compare with
    }
    if (requested.hostname === canonical.hostname || portOf(requested) !== canonicalPort) return next();
    // The configured origin, then the path alone: it starts with `/`, so it cannot change the host; the query is
    // dropped (nothing on these pages needs it).
    res.redirect(303, canonical.origin + (req.path.startsWith('/') ? req.path : '/'));
  };
}

function portOf(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}
