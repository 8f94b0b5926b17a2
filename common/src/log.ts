/**
 * Logs, the same in both apps: one line per request (method, path, status, time) and the events of start-up and
 * shutdown, through pino. (The client adds one line per failed back-channel call: client/src/http/back-channel-log.ts.)
 *
 * What never reaches a log line: query strings (they carry `code`, `state`, `redirect_uri` and, from careless
 * clients, tokens), headers (`Authorization`, `Cookie`), bodies (passwords, client secrets, refresh tokens). pino-http
 * logs the whole request and response, headers included, by default; here it logs only the fields listed in
 * `requestFields`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import { pinoHttp, startTime } from 'pino-http';
import pretty from 'pino-pretty';
import type { RequestHandler } from 'express';
import type { LogSettings } from './config-values.ts';

export type { Logger };

/** `pretty`: `[12:00:01] INFO: GET /login 200 4 ms`, for a terminal. `json`: one object per line, for collectors. */
export function createLogger(app: 'provider' | 'client', settings: LogSettings, destination?: DestinationStream): Logger {
  const options = { level: settings.level, base: { app, pid: process.pid } };
  if (settings.format === 'json') return pino(options, destination ?? pino.destination({ sync: true }));
  // Synchronous, so that the last lines before `process.exit` are not lost.
  const stream = pretty({ destination: destination ?? 1, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app', hideObject: true });
  return pino(options, stream);
}

/** For apps built without a logger (tests, benchmarks): every call does nothing. */
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
  // A response that never finished: the browser or client went away, or the server closed the connection.
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
