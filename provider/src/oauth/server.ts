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
    // This reads as "client authentication is off"; it is not. It stops the library from deciding by grant type
    // whether a secret is needed (with a code_verifier it would make the secret optional, and without one, on a
    // refresh, required even from a public client, which has none). Every token request still goes through
    // model.getClient with the secret it carried, and the store decides per client: a confidential client without
    // its secret is refused, PKCE or not (RFC 6749 §3.2.1); a public client is known by its id alone (§2.1).
    requireClientAuthentication: { authorization_code: false, refresh_token: false },
    alwaysIssueNewRefreshToken: true,
    extendedGrantTypes: {
      authorization_code: StrictAuthorizationCodeGrant,
      refresh_token: createRefreshTokenGrant(store),
    },
  }).server;
}
