/**
 * Grant types handed to the library through `extendedGrantTypes`, which replaces its built-in ones by name.
 *
 * - `authorization_code`: the library's own grant (code lookup, single use, PKCE verification), except that a
 *   `redirect_uri` different from the authorization request's is `invalid_grant` (RFC 6749 §5.2), not
 *   `invalid_request`.
 * - `refresh_token` (RFC 6749 §6): written here, because the library's version revokes the old refresh token
 *   before it checks the requested scope, does not know which grant the new tokens belong to, cannot detect
 *   the reuse of a rotated token (RFC 9700 §4.14.2), and cannot rotate atomically across processes.
 */
import OAuth2Server from '@node-oauth/oauth2-server';
import AuthorizationCodeGrantType from '@node-oauth/oauth2-server/lib/grant-types/authorization-code-grant-type.js';
import type { Client, Store } from '../store/index.ts';

const { AbstractGrantType, InvalidGrantError, InvalidRequestError, InvalidScopeError } = OAuth2Server;

export class StrictAuthorizationCodeGrant extends AuthorizationCodeGrantType {
  override validateRedirectUri(request: OAuth2Server.Request, code: OAuth2Server.AuthorizationCode): void {
    // RFC 6749 §4.1.3: redirect_uri is REQUIRED here when it was in the authorization request (ours always is).
    const redirectUri = request.body.redirect_uri;
    if (typeof redirectUri !== 'string') throw new InvalidRequestError('Missing parameter: `redirect_uri`');
    if (redirectUri !== code.redirectUri) {
      throw new InvalidGrantError('Invalid grant: `redirect_uri` does not match the authorization request');
    }
  }
}

export function createRefreshTokenGrant(store: Store): typeof OAuth2Server.AbstractGrantType {
  return class RefreshTokenGrant extends AbstractGrantType {
    async handle(request: OAuth2Server.Request, oauthClient: OAuth2Server.Client) {
      const client = oauthClient as Client;
      const presented: unknown = request.body.refresh_token;
      if (typeof presented !== 'string' || presented === '') {
        throw new InvalidRequestError('Missing parameter: `refresh_token`');
      }

      const token = await store.findRefreshToken(presented);
      // RFC 6749 §6: the refresh token must have been issued to the authenticated client.
      if (!token || token.clientId !== client.id) {
        throw new InvalidGrantError('Invalid grant: refresh token is invalid');
      }
      // RFC 9700 §4.14.2: a rotated refresh token presented again means two parties hold it. We cannot tell
      // which one is legitimate, so the whole grant is revoked, newest access and refresh tokens included.
      if (!token.current) {
        await store.revokeGrant(token.grantId);
        throw new InvalidGrantError('Invalid grant: refresh token was already used; the grant has been revoked');
      }

      // RFC 6749 §6: the new scope may narrow the original one, never widen it. Checked before rotating, so a
      // bad request leaves the refresh token usable. Only the access token is narrowed: the new refresh token
      // keeps the scope of the one it replaces ("MUST be identical").
      const scope = this.getScope(request) ?? token.scope;
      if (!scope.every((s) => token.scope.includes(s))) {
        throw new InvalidScopeError('Invalid scope: the requested scope exceeds the scope originally granted');
      }

      // Rotation (RFC 9700 §4.14.2): the presented token is spent, and the access token issued with it ends.
      // If a concurrent request (in any process) spent it first, the store has revoked the grant.
      const accessToken = await this.generateAccessToken(client, token.user, scope);
      const accessTokenExpiresAt = this.getAccessTokenExpiresAt();
      const refreshTokenExpiresAt = this.getRefreshTokenExpiresAt();
      const refreshSecret = await this.generateRefreshToken(client, token.user, scope);
      const rotated = await store.rotateRefreshToken(token, { accessToken, accessTokenExpiresAt, scope, refreshSecret, refreshTokenExpiresAt });
      if (!rotated) {
        throw new InvalidGrantError('Invalid grant: refresh token was already used; the grant has been revoked');
      }
      return { accessToken, accessTokenExpiresAt, refreshToken: rotated.refreshToken, refreshTokenExpiresAt, scope, client, user: token.user };
    }
  };
}
