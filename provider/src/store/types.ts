/**
 * The storage interface: everything the provider remembers, and the only way the library's model, the grant
 * types and the routes reach it. Two implementations keep it: `memory.ts` (the default, one process) and
 * `postgres.ts` (state shared by any number of processes). One contract suite (test/store/contract.test.ts)
 * runs the same cases against both.
 *
 * The unit of storage is the grant: one user's consent for one client, created with its authorization code.
 * The grant holds its code, at most one live access token and the digest of its current refresh token, so its
 * size does not depend on how many times the refresh token has been rotated. Revoking the grant revokes all
 * of it. Codes and tokens are stored as SHA-256 digests only.
 */
import type OAuth2Server from '@node-oauth/oauth2-server';
import type { ClientRegistration } from '../config.ts';

export interface User {
  id: string;
  username: string;
  email: string;
}

/** A registered client as the library sees it, plus what this project adds. */
export interface Client extends OAuth2Server.Client {
  id: string;
  name: string;
  redirectUris: string[];
  grants: string[];
  scope: string[];
  isPublic: boolean;
}

/** What a store is built from: the configured clients and the demo user (secrets in plain text, hashed on the way in). */
export interface StoreOptions {
  clients: ClientRegistration[];
  user: { id: string; username: string; password: string };
}

/** A code the user just allowed (RFC 6749 §4.1.2); saving it creates the grant. */
export interface NewAuthorizationCode {
  code: string;
  expiresAt: Date;
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string[];
  codeChallenge: string;
  codeChallengeMethod: string;
}

export interface AuthorizationCodeRecord {
  grantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string[];
  codeChallenge: string;
  codeChallengeMethod: string;
  expiresAt: number;
  /** Redeemed already: presenting it again is a replay (RFC 6749 §4.1.2). */
  used: boolean;
}

/** Tokens to store. The refresh token's value is made by the store, because it names its grant. */
export interface NewTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** The access token's scope; on refresh it may be narrower than the grant's (RFC 6749 §6). */
  scope: string[];
  /** The random part of the refresh token (from the model's generateRefreshToken). */
  refreshSecret: string;
  refreshTokenExpiresAt: Date;
}

/** What introspection (RFC 7662), revocation (RFC 7009) and the API need to know about a live token. */
export interface TokenInfo {
  type: 'access_token' | 'refresh_token';
  /** The SHA-256 digest the store knows the token by. */
  digest: string;
  grantId: string;
  clientId: string;
  user: User;
  scope: string[];
  issuedAt: number;
  expiresAt: number;
}

export interface RefreshTokenInfo extends TokenInfo {
  type: 'refresh_token';
  /**
   * False for a refresh token of this grant's chain that has been rotated away: presenting it again is reuse
   * (RFC 9700 §4.14.2). Every spent token of the chain is recognised, because the token names its grant.
   */
  current: boolean;
}

/** Counts for tests and the benchmark (never on a request path: on PostgreSQL they scan). */
export interface StoreSize {
  grants: number;
  /** Grants whose code has not been redeemed yet. */
  codes: number;
  accessTokens: number;
  refreshTokens: number;
}

export interface Store {
  readonly kind: 'memory' | 'postgres';

  // Users and clients
  /** Checks a username and password (scrypt, constant-time); null for any mismatch. */
  authenticateUser(username: string, password: string): Promise<User | null>;
  findUser(id: string): Promise<User | null>;
  findClient(clientId: string): Promise<Client | null>;
  /**
   * Client authentication (RFC 6749 §2.3). `secret === undefined` means "no secret was presented", which only a
   * public client may do; a public client presenting a secret is refused, and so is a confidential client
   * leaving it out (RFC 6749 §3.2.1).
   */
  authenticateClient(clientId: string, secret: string | undefined): Promise<Client | null>;

  // Authorization codes (RFC 6749 §4.1.2)
  saveAuthorizationCode(code: NewAuthorizationCode): Promise<void>;
  /** A known, unexpired code, used or not (the caller decides what a used code means), or null. */
  findAuthorizationCode(code: string): Promise<AuthorizationCodeRecord | null>;
  /**
   * Single use, decided atomically: true for exactly one caller. Every other caller gets false and, the code
   * having been presented twice, its grant is revoked (RFC 6749 §4.1.2).
   */
  redeemAuthorizationCode(code: string): Promise<boolean>;

  // Tokens
  /**
   * The first tokens of the grant whose code was just redeemed. Returns the refresh token's value, or null when
   * the grant is gone (a concurrent replay revoked it): a revoked grant is never brought back.
   */
  issueTokens(code: string, tokens: NewTokens): Promise<{ refreshToken: string } | null>;
  findAccessToken(token: string): Promise<TokenInfo | null>;
  /** A refresh token naming a live grant, current or spent, or null (unknown, expired, revoked). */
  findRefreshToken(token: string): Promise<RefreshTokenInfo | null>;
  /**
   * Rotation (RFC 9700 §4.14.2): replaces the current refresh token, and the access token issued with it, by new
   * ones, only if `presented` is still current. Otherwise a concurrent request spent it first: that is reuse,
   * the grant is revoked and the result is null.
   */
  rotateRefreshToken(presented: RefreshTokenInfo, tokens: NewTokens): Promise<{ refreshToken: string } | null>;
  /** RFC 7009 §2.1: an access token alone; a refresh token with its whole grant. */
  revokeToken(token: TokenInfo): Promise<void>;
  /** Revokes every code and token of a grant (RFC 6749 §4.1.2, RFC 9700 §4.14.2, RFC 7009 §2.1). */
  revokeGrant(grantId: string): Promise<void>;

  // Bounded storage
  /** Deletes grants with nothing usable left, in bounded slices. Returns how many were deleted. */
  purgeExpired(now?: number): Promise<number>;
  /** Purges on a timer that does not keep the process alive. Returns a function that stops it. */
  startPurging(intervalMs?: number): () => void;
  size(): Promise<StoreSize>;
  close(): Promise<void>;
}
