/**
 * The provider's one error path. Machine-facing endpoints answer OAuth errors as JSON
 * (`{ error, error_description }`, RFC 6749 §5.2); pages answer with the error page. Nothing a client sends
 * can produce a stack trace or a 5xx: body-parser's and Express's client errors keep their 4xx status.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import { pathOf, type Logger } from './log.ts';

/** Paths whose callers are programs, not people: they get JSON errors. */
const MACHINE_PATHS = /^\/(oauth\/(token|revoke|introspect)|api\/|\.well-known\/)/;

/**
 * An OAuth error response (RFC 6749 §5.2). A failed client authentication is always 401 with a Basic
 * challenge: RFC 6749 §5.2 requires it when the client used HTTP Basic, and it tells every client what works.
 */
function sendOAuthError(res: Response, error: { name: string; message: string; code: number }, issuer: string): void {
  if (error.name === 'invalid_client') {
    res.set('WWW-Authenticate', `Basic realm="${issuer}", charset="UTF-8"`);
    res.status(401);
  } else {
    res.status(error.code);
  }
  res.json({ error: error.name, error_description: error.message });
}

export const notFound: RequestHandler = (req, res) => {
  if (MACHINE_PATHS.test(req.path)) {
    res.status(404).json({ error: 'not_found', error_description: `No endpoint at ${req.method} ${req.path}` });
    return;
  }
  res.status(404).render('error', {
    title: 'Page not found',
    error: 'not_found',
    error_description: 'There is no page at this address.',
  });
};

/**
 * Maps anything thrown to a status a client can act on. Unknown errors are 500: the response says nothing more,
 * the log gets the error's message and stack (never the request, whose body may hold a password or a secret).
 */
export const errorHandler = (issuer: string, logger: Logger): ErrorRequestHandler => (err, req, res, next) => {
  if (res.headersSent) return next(err);
  const machine = MACHINE_PATHS.test(req.path);
  if (machine && err instanceof OAuth2Server.OAuthError) return sendOAuthError(res, err, issuer);
  let status = 500;
  let error = 'server_error';
  let description = 'The server hit an unexpected problem.';
  if (err instanceof OAuth2Server.OAuthError) {
    status = err.code;
    error = err.name;
    description = err.message;
  } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    // body-parser (malformed, oversized or wrongly typed bodies) and URI-decoding errors.
    status = err.status;
    error = 'invalid_request';
    description = err.expose && typeof err.message === 'string' ? err.message : 'The request could not be read.';
  } else {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    logger.error(`${req.method} ${pathOf(req.originalUrl)} failed: ${detail}`);
  }
  if (machine) {
    res.status(status).json({ error, error_description: description });
    return;
  }
  res.status(status).render('error', { title: 'Something went wrong', error, error_description: description });
};
