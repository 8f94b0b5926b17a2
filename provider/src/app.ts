/**
 * The provider: an OAuth 2.0 authorization server and the resource server it protects, as one Express app.
 *
 * `createApp` builds the app from its configuration and collaborators; only `server.ts` listens. Machine-facing
 * routes (metadata, token, API) are mounted before the session middleware, so they never load a session,
 * render a view or check a CSRF token.
 */
import { fileURLToPath } from 'node:url';
import express from 'express';
import ejs from 'ejs';
import type session from 'express-session';
import type { ProviderConfig } from './config.ts';
import { InMemoryStore, type Store } from './store/index.ts';
import { createOAuthServer } from './oauth/server.ts';
import { errorHandler, notFound } from './http/errors.ts';
import { requestLogger, silentLogger, type Logger } from '@oauth-reference/common/log';
import { securityHeaders } from './http/security.ts';
import { ExpiringMemoryStore, sessionMiddleware } from './http/session.ts';
import type { AttemptCounter, InteractionStore } from './interaction/store.ts';
import { MemoryAttemptCounter, MemoryInteractionStore } from './interaction/memory.ts';
import { metadataRoutes } from './routes/metadata.ts';
import { tokenRoutes } from './routes/token.ts';
import { resourceRoutes } from './routes/resource.ts';
import { revokeRoutes } from './routes/revoke.ts';
import { introspectRoutes } from './routes/introspect.ts';
import { loginRoutes } from './routes/login.ts';
import { authorizeRoutes } from './routes/authorize.ts';
import { homeRoutes } from './routes/home.ts';

export interface ProviderDeps {
  /** Grants, clients and users: in memory unless given (see store/index.ts, `openStore`). */
  store?: Store;
  sessionStore?: session.Store;
  /** Request and error lines go here; without one the app logs nothing (tests, benchmarks). */
  logger?: Logger;
  /** Failed sign-in attempts (the login throttle) and one-time consent interactions. */
  attempts?: AttemptCounter;
  interactions?: InteractionStore;
}

const viewsDir = fileURLToPath(new URL('../views', import.meta.url));
const layoutFile = `${viewsDir}/_layout.ejs`;

export function createApp(config: ProviderConfig, deps: ProviderDeps = {}): express.Express {
  const store = deps.store ?? new InMemoryStore(config);
  const oauth = createOAuthServer(config, store);
  const app = express();
  const logger = deps.logger ?? silentLogger;

  app.disable('x-powered-by');
  // Off unless TRUST_PROXY says which proxies may set X-Forwarded-For/-Proto: the sign-in throttle counts per
  // client address (req.ip) and `Secure` cookies need to know the request came over https (req.secure).
  app.set('trust proxy', config.trustProxy);
  // Every response that could carry personal data is `no-store`, so an entity tag would never be used.
  app.set('etag', false);
  app.set('views', viewsDir);
  app.set('view engine', 'ejs');
  // Every page is its view rendered inside the one layout.
  app.engine('ejs', (file, locals, cb) =>
    ejs.renderFile(file, locals, (err, body) => (err ? cb(err) : ejs.renderFile(layoutFile, { ...locals, body }, cb))),
  );

  // Small, flat form bodies only: a repeated parameter stays visible as an array and is refused.
  const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 32 });

  // One log line per request: method, path (never the query), status, time.
  app.use(requestLogger(logger));

  // Machine-facing routes first, the busiest (the API) at the top: no session, no views, no page headers.
  app.use(resourceRoutes(config, oauth));
  app.use(tokenRoutes(oauth, formBody));
  app.use(revokeRoutes(store, formBody));
  app.use(introspectRoutes(config, store, formBody));
  app.use(metadataRoutes(config));

  // Browser-facing: page security headers, static files, the login session, then the pages.
  app.use(securityHeaders(config));
  app.use('/static', express.static(fileURLToPath(new URL('../public', import.meta.url)), { index: false }));
  // Browsers ask for /favicon.ico wherever the page does not name its icon (a JSON document, for one).
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));
  app.use(sessionMiddleware(config, deps.sessionStore ?? new ExpiringMemoryStore()), formBody);
  app.use(loginRoutes(config, store, deps.attempts ?? new MemoryAttemptCounter(config.loginWindowMs)));
  app.use(authorizeRoutes(config, store, oauth, deps.interactions ?? new MemoryInteractionStore()));
  app.use(homeRoutes(store));

  app.use(notFound);
  app.use(errorHandler(config.issuer, logger));
  return app;
}
