/**
 * The model `@node-oauth/oauth2-server` calls (its "storage adapter"): a thin, typed translation between the
 * library's objects and the storage interface. All state lives in the store (`../store/`), in memory or in
 * PostgreSQL; this file does not know which.
 *
 * At the token endpoint, steps (D)→(E) of RFC 6749 §4.1, the library calls, in this order: `getClient` (client
 * authentication), `getAuthorizationCode` (a replayed code revokes its grant), `revokeAuthorizationCode` (single
 * use, decided atomically by the store), then `saveToken`. The refresh grant is ours (grants.ts).
 */
import OAuth2Server from '@node-oauth/oauth2-server';
import type { Client, Store, User } from '../store/index.ts';
import { grantableScope } from '../scopes.ts';
import { randomToken } from './random-token.ts';
import { redirectUriMatches } from './redirect-uri.ts';

export function createModel(store: Store): OAuth2Server.AuthorizationCodeModel {
  return {
    /**
     * The library calls `getClient(id, null)` at the authorization endpoint (no authentication there) and
     * `getClient(id, secret)` at the token endpoint, where `secret` is undefined when the client sent none.
     * RFC 6749 §3.2.1: the store refuses a confidential client without its secret, even with a code_verifier,
     * and a public client with one. This is where client authentication happens (see server.ts).
     */
    async getClient(clientId: string, clientSecret: string | null | undefined) {
      if (clientSecret === null) return store.findClient(clientId);
      return store.authenticateClient(clientId, clientSecret || undefined);
    },

    async validateRedirectUri(redirectUri: string, client: OAuth2Server.Client) {
      return redirectUriMatches(client as Client, redirectUri);
    },

    async validateScope(_user: OAuth2Server.User, client: OAuth2Server.Client, scope?: string[]) {
      return grantableScope(client as Client, scope);
    },

    async saveAuthorizationCode(code, client, user) {
      const saved = {
        authorizationCode: code.authorizationCode,
        expiresAt: code.expiresAt,
        redirectUri: code.redirectUri,
        scope: code.scope ?? [],
        // The authorization endpoint refuses requests without an S256 challenge before the library runs.
        codeChallenge: code.codeChallenge ?? '',
        codeChallengeMethod: code.codeChallengeMethod ?? 'S256',
      };
      await store.saveAuthorizationCode({ ...saved, code: code.authorizationCode, clientId: client.id, userId: (user as User).id });
      return Object.assign({ client, user }, saved);
    },

    async getAuthorizationCode(authorizationCode: string) {
      const record = await store.findAuthorizationCode(authorizationCode);
      if (!record) return null;
      // RFC 6749 §4.1.2: a code used twice is refused, and the tokens already issued from it SHOULD be revoked:
      // one of the two requests is an attacker's.
      if (record.used) {
        await store.revokeGrant(record.grantId);
        return null;
      }
      return {
        authorizationCode,
        expiresAt: new Date(record.expiresAt),
        redirectUri: record.redirectUri,
        scope: record.scope,
        codeChallenge: record.codeChallenge,
        codeChallengeMethod: record.codeChallengeMethod,
        // The library compares the client's id with the authenticated client's and passes the user on to
        // saveToken; the store knows both by id.
        client: { id: record.clientId, grants: [] },
        user: { id: record.userId },
      };
    },

    /**
     * Single use, decided by the store in one atomic step: true for exactly one of any number of concurrent
     * exchanges of this code (in any process). The library answers the others `invalid_grant`, and the store
     * has revoked the grant, since the code was presented twice (RFC 6749 §4.1.2).
     */
    async revokeAuthorizationCode(code: OAuth2Server.AuthorizationCode) {
      return store.redeemAuthorizationCode(code.authorizationCode);
    },

    /**
     * Called by the authorization code grant; the refresh grant (./grants.ts) goes through the store itself.
     * The refresh token we answer with is the store's: it names its grant (see store/secrets.ts).
     */
    async saveToken(token: OAuth2Server.Token, client: OAuth2Server.Client, user: OAuth2Server.User) {
      const { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt } = token;
      if (!accessTokenExpiresAt || !refreshToken || !refreshTokenExpiresAt) {
        throw new OAuth2Server.ServerError('Server error: the token is missing its refresh token or lifetimes');
      }
      const tokens = { accessToken, accessTokenExpiresAt, scope: token.scope ?? [], refreshSecret: refreshToken, refreshTokenExpiresAt };
      const issued = await store.issueTokens(token.authorizationCode as string, tokens);
      // A replay of the code, in a request that overtook this one, has revoked the grant: nothing is issued.
      if (!issued) throw new OAuth2Server.InvalidGrantError('Invalid grant: authorization code is invalid');
      return Object.assign({ client, user }, token, { refreshToken: issued.refreshToken });
    },

    async getAccessToken(accessToken: string) {
      const info = await store.findAccessToken(accessToken);
      if (!info) return null;
      return {
        accessToken,
        accessTokenExpiresAt: new Date(info.expiresAt),
        scope: info.scope,
        client: { id: info.clientId, grants: [] },
        user: info.user,
      };
    },

    async verifyScope(token: OAuth2Server.Token, required: string[]) {
      return required.every((scope) => token.scope?.includes(scope));
    },

    // Codes and tokens: 256 random bits each (RFC 6749 §10.10), made more cheaply than by the library's default.
    generateAuthorizationCode: randomToken,
    generateAccessToken: randomToken,
    generateRefreshToken: randomToken,
  };
}
