// The client web app: a confidential OAuth 2.0 client (RFC 6749 §2.1) using the authorization code flow
// (RFC 6749 §4.1) with PKCE (RFC 7636). This file wires things together; each protocol step is one route file.
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { ClientConfig } from './config.ts';
import type { ClientContext } from './context.ts';
import { canonicalOrigin } from './http/canonical-origin.ts';
import { explainOAuthError, HttpError, OAuthResponseError, TemporarilyUnavailableError } from './http/errors.ts';
import { pathOf, requestLogger, silentLogger, type Logger } from '@oauth-reference/common/log';
import { loggingFetch } from './http/back-channel-log.ts';
import { sessionMiddleware } from './http/session.ts';
import { ExpiringMemoryStore } from './http/session-store.ts';
import { UpstreamError, type Fetch } from './http/upstream.ts';
import { createDiscovery, type Discovery } from './oauth/discovery.ts';
import { pendingLogins, PENDING_LOGIN_TTL_MS } from './oauth/pending-login.ts';
import { RefreshFlights } from './oauth/refresh-flights.ts';
import { UsedStates } from './oauth/used-states.ts';
import { installLab } from './lab/index.ts'; // security lab: delete with client/src/lab/ (see its index.ts)
import callback from './routes/callback.ts';
import home from './routes/home.ts';
import inspector from './routes/inspector.ts';
import login from './routes/login.ts';
import logout from './routes/logout.ts';
import refresh from './routes/refresh.ts';
import resource from './routes/resource.ts';

/** Replaceable in tests and benchmarks: a stubbed `fetch`, a ready-made discovery, the stores. */
export interface AppDeps {
  fetch?: Fetch;
  discovery?: Discovery;
  /** Request lines and failed back-channel calls go here; without one the app logs nothing (tests). */
  logger?: Logger;
  sessionStore?: ExpiringMemoryStore;
  usedStates?: UsedStates;
}

const viewsDir = fileURLToPath(new URL('../views/', import.meta.url));
const layoutFile = `${viewsDir}_layout.ejs`;

export function createApp(config: Readonly<ClientConfig>, deps: AppDeps = {}): Express {
  const logger = deps.logger ?? silentLogger;
  // Every call to the authorization server and the resource server goes through `fetch`: a failed one is logged.
  const fetch = loggingFetch(deps.fetch ?? globalThis.fetch, logger);
  const discovery = deps.discovery ?? createDiscovery({ issuer: config.authServer, fetch });
  const ctx: ClientContext = {
    config,
    fetch,
    discovery,
    logins: pendingLogins(config),
    usedStates: deps.usedStates ?? new UsedStates({ ttlMs: PENDING_LOGIN_TTL_MS }),
    refreshes: new RefreshFlights(),
  };
  const app = express();
  // Off unless TRUST_PROXY says which proxies may set X-Forwarded-Proto/-Host: `Secure` cookies and the
  // canonical-origin redirect need to know how the browser reached this app.
  app.set('trust proxy', config.trustProxy);
  // One log line per request: method, path (never the query: /callback carries code and state), status, time.
  app.use(requestLogger(logger));

  // Every view is rendered into the one layout: render the view, then the layout with the result as `body`.
  app.engine('ejs', (file, locals, cb) =>
    ejs.renderFile(file, locals, (err, body) => (err ? cb(err) : ejs.renderFile(layoutFile, { ...locals, body }, cb))),
  );
  app.set('view engine', 'ejs');
  app.set('views', viewsDir);

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Chromium applies form-action to the redirects that follow a form submission, so the
          // authorization server's origin must be allowed too (helmet's default is 'self' only).
          'form-action': ["'self'", new URL(config.authServer).origin],
          // Only over https: browsers would otherwise "upgrade" http://localhost requests and break them.
          'upgrade-insecure-requests': config.redirect_uri.startsWith('https:') ? [] : null,
        },
      },
      // Never leak this app's URLs (e.g. /callback?code=…) to other sites via the Referer header.
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use(express.static(fileURLToPath(new URL('../public/', import.meta.url))));
  app.use(noStore);
  // Browsers ask for /favicon.ico wherever the page does not name its icon.
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/favicon.svg'));
  // A login must start on the redirect URI's host name, or its state cookie cannot come back (canonical-origin.ts).
  app.get(['/', '/login'], canonicalOrigin(config.redirect_uri));
  app.use(express.urlencoded({ extended: false, limit: '10kb' }));
  app.use(sessionMiddleware(config, deps.sessionStore ?? new ExpiringMemoryStore()));

  installLab(app, ctx); // security lab: /lab, when config.lab allows it (client/src/lab/index.ts)
  home(app, ctx);
  login(app, ctx);
  callback(app, ctx);
  resource(app, ctx);
  refresh(app, ctx);
  logout(app, ctx);
  inspector(app, ctx);

  app.use((_req, _res, next) => next(new HttpError(404, 'There is no page at this address.')));
  app.use(errorHandler(config.development, logger));
  return app;
}

/** Pages show per-user state: no browser or proxy may keep a copy. */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** The one error path: every failure becomes views/error.ejs with a status that says whose fault it was. */
function errorHandler(development: boolean, logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const page = errorPage(err);
    const request = `${req.method} ${pathOf(req.originalUrl)}`;
    // A call that failed on the network or with an error status already has its line (log.ts): log what else
    // went wrong, an unusable answer (502) or a bug (with its stack; never the request, which may hold a code).
    if (err instanceof UpstreamError && err.status === 502) logger.warn(`${request}: ${err.message}`);
    else if (page.status >= 500 && !(err instanceof UpstreamError)) {
      logger.error(`${request} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    // The provider's "come back in n seconds" holds for this page too (RFC 9110 §10.2.3).
    if (err instanceof TemporarilyUnavailableError && err.retryAfterSeconds !== undefined) {
      res.set('Retry-After', String(err.retryAfterSeconds));
    }
    res.status(page.status).render('error', {
      title: page.heading,
      ...page,
      error: page.error,
      error_description: page.error_description,
      // Stack traces help while developing and help attackers everywhere else.
      stack: development && err instanceof Error ? err.stack : undefined,
    });
  };
}

function errorPage(err: unknown): { status: number; heading: string; message: string; error?: string; error_description?: string } {
  if (err instanceof HttpError) {
    const heading = err.status === 404 ? 'Not found' : 'Request refused';
    return { status: err.status, heading, message: err.message, error: err.error, error_description: err.error_description };
  }
  if (err instanceof OAuthResponseError) {
    // RFC 6749 §5.2: the token endpoint refused; show its error code, in words too.
    const { error, error_description } = err;
    return { status: 400, heading: 'The authorization server refused', message: explainOAuthError(error), error, error_description };
  }
  if (err instanceof UpstreamError) {
    return { status: err.status, heading: 'Authorization server unavailable', message: err.message };
  }
  // Errors from express itself (a malformed body, a too-large request) carry a 4xx status.
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 500;
  if (status >= 400 && status < 500) return { status, heading: 'Bad request', message: 'The request could not be understood.' };
  return { status: 500, heading: 'Something went wrong', message: 'An unexpected error occurred. Please try again.' };
}
