/**
 * The `@node-oauth/express-oauth-server` instance, configured once.
 *
 * We use its `server` (the `@node-oauth/oauth2-server` instance) directly rather than its three middlewares,
 * because each of them needs a fix the middleware cannot take: `authorize()` answers redirects as 400 JSON,
 * `authenticate()` drops `WWW-Authenticate`, and `token()` reads HTTP Basic credentials without form-urldecoding
 * them. The route files show each fix where it happens.
 */
import ExpressOAuthServer from '@node-oauth/express-oauth-server';
import type { ProviderConfig } from '../config.ts';
import type { Store } from '../store/index.ts';
import { createRefreshTokenGrant, StrictAuthorizationCodeGrant } from './grants.ts';
import { createModel } from './model.ts';

export type OAuthServer = ExpressOAuthServer['server'];

export function createOAuthServer(config: ProviderConfig, store: Store): OAuthServer {
  return new ExpressOAuthServer({
    model: createModel(store),
    authorizationCodeLifetime: config.authorizationCodeLifetime,
    accessTokenLifetime: config.accessTokenLifetime,
    refreshTokenLifetime: config.refreshTokenLifetime,
    // PKCE, which the authorization endpoint requires, already binds the code to this browser's request
    // (RFC 9700 §2.1.1); `state` stays the client's choice, and ours always sends one.
    allowEmptyState: true,
    // RFC 6750 §2.3 / RFC 9700 §4.3.2: tokens in URLs end up in logs and Referer headers.
    allowBearerTokensInQueryString: false,
    // Whether a client must present a secret is decided per client by the model (public vs confidential),
    // so the library must not short-circuit on "PKCE present, secret optional".
    requireClientAuthentication: { authorization_code: false, refresh_token: false },
    alwaysIssueNewRefreshToken: true,
    extendedGrantTypes: {
      authorization_code: StrictAuthorizationCodeGrant,
      refresh_token: createRefreshTokenGrant(store),
    },
  }).server;
}
