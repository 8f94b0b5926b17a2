/**
 * The "upstream-equivalent" provider: a reconstruction, for measurement only, of the provider in node-oauth's
 * `authorization-code` example (node-oauth/node-oauth2-server-examples). It is NOT the upstream code and is
 * not meant to be used: it is written from a description of that example so that the benchmark can compare
 * full flows against what a newcomer would start from.
 *
 * What it keeps from that description:
 * - express + body-parser + `@node-oauth/express-oauth-server`, and its three middlewares as they are:
 *   `oauth.authorize()` at POST /oauth/authorize, `oauth.token()` at POST /oauth/token, `oauth.authenticate()`
 *   on a secured route;
 * - the authorize POST carries the username and password in its body; an `authenticateHandler` hands the user
 *   found to the library. No login session, no CSRF token, no PKCE, no security headers;
 * - a plain in-memory model: arrays for clients and users, objects keyed by value for codes and tokens, nothing
 *   is ever purged, and codes and tokens are stored as issued (not hashed).
 */
import { randomBytes } from 'node:crypto';
import bodyParser from 'body-parser';
import express, { type ErrorRequestHandler } from 'express';
import ExpressOAuthServer from '@node-oauth/express-oauth-server';
import type OAuth2Server from '@node-oauth/oauth2-server';

interface User extends OAuth2Server.User {
  id: string;
  username: string;
  password: string;
}

const clients: (OAuth2Server.Client & { secret: string })[] = [
  {
    id: 'testclient',
    secret: 'testsecret',
    grants: ['authorization_code', 'refresh_token'],
    redirectUris: ['http://localhost:3000/callback'],
  },
];
const users: User[] = [{ id: 'user1', username: 'demo', password: 'demo' }];
const enabledScopes = ['profile', 'email'];

const db = {
  codes: {} as Record<string, OAuth2Server.AuthorizationCode>,
  accessTokens: {} as Record<string, OAuth2Server.Token>,
  refreshTokens: {} as Record<string, OAuth2Server.Token>,
};

const findUser = (username: unknown, password: unknown) =>
  users.find((user) => user.username === username && user.password === password);

const model: OAuth2Server.AuthorizationCodeModel = {
  async getClient(clientId, clientSecret) {
    return clients.find((c) => c.id === clientId && (!clientSecret || c.secret === clientSecret)) ?? null;
  },
  async validateScope(_user, _client, scope) {
    return scope && scope.every((s) => enabledScopes.includes(s)) ? scope : false;
  },
  async generateAuthorizationCode() {
    return randomBytes(16).toString('hex');
  },
  async saveAuthorizationCode(code, client, user) {
    const saved = { ...code, client, user } as OAuth2Server.AuthorizationCode;
    db.codes[code.authorizationCode] = saved;
    return saved;
  },
  async getAuthorizationCode(authorizationCode) {
    return db.codes[authorizationCode] ?? null;
  },
  async revokeAuthorizationCode(code) {
    return delete db.codes[code.authorizationCode];
  },
  async saveToken(token, client, user) {
    const saved = { ...token, client, user };
    db.accessTokens[token.accessToken] = saved;
    if (token.refreshToken) db.refreshTokens[token.refreshToken] = saved;
    return saved;
  },
  async getAccessToken(accessToken) {
    return db.accessTokens[accessToken] ?? null;
  },
  async verifyScope(token, scope) {
    return scope.every((s) => token.scope?.includes(s));
  },
};

export function createUpstreamApp(): express.Express {
  const oauth = new ExpressOAuthServer({ model });
  const app = express();

  app.use(bodyParser.json());
  app.use(bodyParser.urlencoded({ extended: false }));
  app.use((_req, res, next) => {
    res.header('Access-Control-Allow-Origin', 'http://localhost:3000');
    res.header('Access-Control-Allow-Headers', 'Origin, X-Requested-With, Content-Type, Accept, Authorization');
    next();
  });

  app.post(
    '/oauth/authorize',
    (req, res, next) => {
      if (req.body.allow !== 'true') return res.status(403).json({ error: 'Access denied' });
      const user = findUser(req.body.username, req.body.password);
      if (!user) return res.status(401).json({ error: 'Invalid credentials' });
      req.body.user = user;
      next();
    },
    oauth.authorize({ authenticateHandler: { handle: (req: express.Request) => req.body.user as User } }),
  );

  app.post('/oauth/token', oauth.token());

  app.get('/secure', oauth.authenticate(), (_req, res) => {
    const user = res.locals.oauth.token.user as User;
    res.json({ sub: user.id, username: user.username });
  });

  const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
    res.status(err.status ?? 500).json({ error: err.message });
  };
  app.use(errorHandler);
  return app;
}
