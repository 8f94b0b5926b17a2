// Logs: one line per request (method, path, status, time), one line per failed call to the authorization server
// or the resource server (method, URL without its query, status or what went wrong), and the events of start-up
// and shutdown, through pino.
//
// What never reaches a log line: query strings (on this client, /callback carries `code` and `state`), headers
// (`Cookie`; on back-channel calls `Authorization` with the client secret or a token), bodies (codes, verifiers,
// tokens). pino-http logs the whole request and response, headers included, by default; here it logs only the
// fields listed in `requestFields`. The provider has the same file (provider/src/http/log.ts) without `loggingFetch`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import { pinoHttp, startTime } from 'pino-http';
import pretty from 'pino-pretty';
import type { RequestHandler } from 'express';
import type { LogSettings } from '../config.ts';
import type { Fetch } from './upstream.ts';

export type { Logger };

/** `pretty`: `[12:00:01] INFO: GET /login 303 4 ms`, for a terminal. `json`: one object per line, for collectors. */
export function createLogger(settings: LogSettings, destination?: DestinationStream): Logger {
  const options = { level: settings.level, base: { app: 'client', pid: process.pid } };
  if (settings.format === 'json') return pino(options, destination ?? pino.destination({ sync: true }));
  // Synchronous, so that the last lines before `process.exit` are not lost.
  const stream = pretty({ destination: destination ?? 1, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app', hideObject: true });
  return pino(options, stream);
}

/** For apps built without a logger (tests): every call does nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** The path alone, without the query; very long paths are cut, so that one request cannot flood the log. */
export function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

function requestFields(req: IncomingMessage, res: ServerResponse) {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
  return { method: req.method, path: pathOf(url), status: res.statusCode, ms: Date.now() - res[startTime] };
}

function requestLine(req: IncomingMessage, res: ServerResponse): string {
  const { method, path, status, ms } = requestFields(req, res);
  // A response that never finished: the browser went away, or the server closed the connection.
  const aborted = res.writableEnded ? '' : ' (aborted)';
  return `${method} ${path} ${status} ${ms} ms${aborted}`;
}

/** One line per request, when it ends. Mount first, so that every route is covered. */
export function requestLogger(logger: Logger): RequestHandler {
  if (!logger.isLevelEnabled('info')) return (_req, _res, next) => next();
  return pinoHttp({
    logger,
    // No `req` and `res` objects in the log: their default serializers include every header.
    quietReqLogger: true,
    quietResLogger: true,
    customSuccessObject: (req, res) => requestFields(req, res),
    // The error itself is logged by the error handler, which knows which details are safe to write.
    customErrorObject: (req, res) => requestFields(req, res),
    customSuccessMessage: requestLine,
    customErrorMessage: requestLine,
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
  });
}

/**
 * Wraps `fetch` so that each failed back-channel call leaves one warning: `POST http://localhost:8080/oauth/token
 * 400`, or `… failed: connect ECONNREFUSED`. The URL loses its query; nothing of the request or response is logged.
 * Successful calls leave no line: the request line of the page that made them is enough.
 */
export function loggingFetch(fetch: Fetch, logger: Logger): Fetch {
  return async (input, init) => {
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const url = input instanceof Request ? input.url : String(input);
    const target = `${method} ${withoutQuery(url)}`;
    try {
      const response = await fetch(input, init);
      if (!response.ok) logger.warn(`Back-channel ${target} answered ${response.status}`);
      return response;
    } catch (err) {
      logger.warn(`Back-channel ${target} failed: ${reason(err)}`);
      throw err;
    }
  };
}

function withoutQuery(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return `${origin}${pathname}`;
  } catch {
    return pathOf(url);
  }
}

/** Why a call failed, in the system's words (`connect ECONNREFUSED 127.0.0.1:8080`, a timeout), never a body. */
function reason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (!(cause instanceof Error)) return String(cause);
  // Connecting to both addresses of a name fails as an AggregateError with an empty message and a code.
  return cause.message || (cause as NodeJS.ErrnoException).code || cause.name;
}
