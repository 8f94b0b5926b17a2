/**
 * The provider's one error path. Machine-facing endpoints answer OAuth errors as JSON
 * (`{ error, error_description }`, RFC 6749 §5.2); pages answer with the error page. Nothing a client sends
 * can produce a stack trace or a 5xx: body-parser's and Express's client errors keep their 4xx status.
 *
 * A database that cannot be reached (PostgreSQL stopped, restarting, the network cut) is not a bug: every route,
 * the library's model and the login session store just let its error through, and it becomes a 503 with
 * `Retry-After` here. Nothing is cached about the failure, so the first request after the database is back works.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import { isDatabaseUnavailable } from '../store/index.ts';
import { pathOf, type Logger } from '@oauth-reference/common/log';

/**
 * How long a client should wait before trying again (RFC 9110 §10.2.3). A restarting PostgreSQL is usually back
 * within seconds, and the pool reconnects by itself at the next request.
 */
export const RETRY_AFTER_SECONDS = 5;
/** At most one log line per this many milliseconds about the database being away, however many requests fail. */
const UNAVAILABLE_LOG_INTERVAL_MS = 10_000;

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
export const errorHandler = (issuer: string, logger: Logger): ErrorRequestHandler => {
  let lastUnavailableLog = 0;
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const machine = MACHINE_PATHS.test(req.path);
    if (databaseUnavailable(err)) {
      if (Date.now() - lastUnavailableLog > UNAVAILABLE_LOG_INTERVAL_MS) {
        lastUnavailableLog = Date.now();
        // pg's messages name a host and port at most, never the URL with its password.
        logger.warn(`The database is unavailable (${messageOf(err)}): answering 503 until it is back.`);
      }
      return sendUnavailable(res, machine);
    }
    // The library wraps anything else the model throws in a server_error (503) whose message is the original
    // one, a bug's details: that is a 500 with nothing more said, and the original goes to the log.
    if (err instanceof OAuth2Server.ServerError) return handle(innerOf(err) ?? new Error(err.message), req, res, machine, logger);
    if (machine && err instanceof OAuth2Server.OAuthError) return sendOAuthError(res, err, issuer);
    handle(err, req, res, machine, logger);
  };
};

/**
 * 503 with Retry-After (RFC 9110 §15.6.4). Pages: the error page, never a redirect. At the authorization endpoint
 * that is required, not just simpler: without the database the client and its redirect URI cannot be verified,
 * and redirecting to an unverified URI makes an open redirector (RFC 6749 §4.1.2.1).
 * JSON endpoints: `temporarily_unavailable`, the code RFC 6749 §4.1.2.1 defines for exactly this condition
 * ("temporary overloading or maintenance"), rather than `server_error` (a bug, not worth retrying): §5.2 lists
 * no code for it at the token endpoint, and clients commonly read this one as "retry later"; RFC 7009 §2.2.1
 * says the same of a 503 from the revocation endpoint. The API answers the same object and no
 * WWW-Authenticate challenge: nothing is wrong with the token (RFC 6750 §3).
 */
function sendUnavailable(res: Response, machine: boolean): void {
  const error_description = `The service cannot reach its database right now. Try again in ${RETRY_AFTER_SECONDS} seconds.`;
  res.status(503).set({ 'Retry-After': String(RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store' });
  if (machine) {
    res.json({ error: 'temporarily_unavailable', error_description });
    return;
  }
  res.render('error', { title: 'Temporarily unavailable', error: 'temporarily_unavailable', error_description });
}

/** The error the library wrapped in an OAuthError (its `inner`, which its types do not declare). */
function innerOf(err: Error): unknown {
  return (err as { inner?: unknown }).inner;
}

/** The database error itself, or the one the library wrapped or another error names as its `cause`. */
function databaseUnavailable(err: unknown): boolean {
  for (let current = err, depth = 0; current instanceof Error && depth < 4; depth++) {
    if (isDatabaseUnavailable(current)) return true;
    current = innerOf(current) ?? current.cause;
  }
  return false;
}

/** Node's connection errors may be an AggregateError with an empty message (one error per address tried). */
function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = innerOf(err);
  if (inner) return messageOf(inner);
  return err.message || (err as { code?: string }).code || err.name;
}

function handle(err: unknown, req: Request, res: Response, machine: boolean, logger: Logger): void {
  let status = 500;
  let error = 'server_error';
  let description = 'The server hit an unexpected problem.';
  if (err instanceof OAuth2Server.OAuthError) {
    status = err.code;
    error = err.name;
    description = err.message;
  } else if (isClientError(err)) {
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
}

function isClientError(err: unknown): err is { status: number; expose?: boolean; message?: unknown } {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
