/**
 * The in-memory model behind `@node-oauth/oauth2-server`: clients, the user, authorization codes, tokens and
 * the grants that tie them together.
 *
 * For a real database, replace this file and keep its interface:
 * - each `Map` becomes a table (or key-value namespace) with an index on its key; every lookup here is by key,
 *   never a scan, so keep it that way;
 * - `purgeExpired()` becomes a scheduled `DELETE … WHERE expires_at < now()` (or a TTL index);
 * - `revokeGrant()` becomes one transaction that deletes every row carrying the grant id.
 * Tokens and codes are stored as SHA-256 digests, so a leaked table does not leak usable credentials; the
 * user's password is an scrypt hash and the client secret a SHA-256 digest (client secrets are high-entropy
 * machine secrets; a slow hash would only throttle the token endpoint).
 */
import { hash, randomBytes, randomUUID, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type OAuth2Server from '@node-oauth/oauth2-server';
import type { ClientRegistration } from './config.ts';
import { DEFAULT_SCOPE, isKnownScope } from './scopes.ts';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

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

/**
 * Everything one user's consent for one client produced: revoking the grant revokes all of it. The keys are
 * kept in arrays, not Sets: a grant holds a handful of them, and an empty Set alone weighs more than that.
 */
interface Grant {
  id: string;
  codes: string[];
  accessTokens: string[];
  refreshTokens: string[];
}

interface CodeRecord {
  grantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string[];
  codeChallenge: string;
  codeChallengeMethod: string;
  expiresAt: number;
  /** Kept after use until it expires, so that a replay can be recognised (RFC 6749 §4.1.2). */
  used: boolean;
}

interface TokenRecord {
  grantId: string;
  clientId: string;
  userId: string;
  scope: string[];
  issuedAt: number;
  expiresAt: number;
}

interface RefreshTokenRecord extends TokenRecord {
  /** Kept after rotation until it expires, so that reuse can be recognised (RFC 9700 §4.14.2). */
  rotated: boolean;
}

/** What introspection (RFC 7662) and revocation (RFC 7009) need to know about a live token. */
export interface TokenInfo extends TokenRecord {
  type: 'access_token' | 'refresh_token';
  digest: string;
  user: User;
}

export const digest = (value: string): string => hash('sha256', value, 'base64url');

/** Built field by field: on Node 20, `{ ...record, more }` takes a slow path that costs microseconds per call. */
function tokenInfo(type: TokenInfo['type'], key: string, record: TokenRecord, user: User): TokenInfo {
  const { grantId, clientId, userId, scope, issuedAt, expiresAt } = record;
  return { type, digest: key, user, grantId, clientId, userId, scope, issuedAt, expiresAt };
}

const SCRYPT_KEYLEN = 32;

/** Constant-time equality for two values of possibly different length. */
function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export class InMemoryStore {
  private readonly clients = new Map<string, Client>();
  private readonly clientSecretDigests = new Map<string, Buffer>();
  private readonly user: User;
  private readonly passwordSalt = randomBytes(16);
  private readonly passwordHash: Buffer;
  private readonly codes = new Map<string, CodeRecord>();
  private readonly accessTokens = new Map<string, TokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly grants = new Map<string, Grant>();

  constructor(options: { clients: ClientRegistration[]; user: { id: string; username: string; password: string } }) {
    for (const registration of options.clients) {
      const isPublic = registration.token_endpoint_auth_method === 'none';
      this.clients.set(registration.client_id, {
        id: registration.client_id,
        name: registration.client_name,
        redirectUris: [...registration.redirect_uris],
        grants: ['authorization_code', 'refresh_token'],
        scope: registration.scope.split(' '),
        isPublic,
      });
      if (!isPublic && registration.client_secret !== undefined) {
        this.clientSecretDigests.set(registration.client_id, hash('sha256', registration.client_secret, 'buffer'));
      }
    }
    const { id, username, password } = options.user;
    this.user = { id, username, email: `${username}@example.com` };
    // Hashed once at start-up; the plain password is not kept.
    this.passwordHash = scryptSync(password, this.passwordSalt, SCRYPT_KEYLEN);
  }

  // ── Users ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Checks a username and password; the password is always hashed so that timing does not reveal the username. */
  async authenticateUser(username: string, password: string): Promise<User | null> {
    const candidate = await scryptAsync(password, this.passwordSalt, SCRYPT_KEYLEN);
    const passwordMatches = safeEqual(candidate, this.passwordHash);
    const usernameMatches = safeEqual(Buffer.from(username), Buffer.from(this.user.username));
    return passwordMatches && usernameMatches ? this.user : null;
  }

  findUser(id: string): User | null {
    return id === this.user.id ? this.user : null;
  }

  // ── Clients ──────────────────────────────────────────────────────────────────────────────────────────────

  findClient(clientId: string): Client | null {
    return this.clients.get(clientId) ?? null;
  }

  /**
   * Client authentication (RFC 6749 §2.3). `secret === undefined` means "no secret was presented", which only a
   * public client may do; a public client presenting a secret is refused, and so is a confidential client
   * leaving it out (RFC 6749 §3.2.1) even when it sends a `code_verifier`.
   */
  authenticateClient(clientId: string, secret: string | undefined): Client | null {
    const client = this.clients.get(clientId);
    if (!client) return null;
    if (client.isPublic) return secret === undefined ? client : null;
    const expected = this.clientSecretDigests.get(clientId);
    if (secret === undefined || !expected) return null;
    return safeEqual(hash('sha256', secret, 'buffer'), expected) ? client : null;
  }

  // ── Grants ───────────────────────────────────────────────────────────────────────────────────────────────

  /** Revokes every code and token issued under a grant (RFC 6749 §4.1.2, RFC 9700 §4.14.2, RFC 7009 §2.1). */
  revokeGrant(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (!grant) return;
    for (const key of grant.codes) this.codes.delete(key);
    for (const key of grant.accessTokens) this.accessTokens.delete(key);
    for (const key of grant.refreshTokens) this.refreshTokens.delete(key);
    this.grants.delete(grantId);
  }

  /**
   * Deletes one record and its entry in its grant. A grant with no token left is deleted with its code: a used
   * code is kept only so that its replay can revoke the tokens issued from it, and there are none any more.
   */
  private drop(kind: 'codes' | 'accessTokens' | 'refreshTokens', key: string, grantId: string): void {
    this[kind].delete(key);
    const grant = this.grants.get(grantId);
    if (!grant) return;
    const keys = grant[kind];
    const index = keys.indexOf(key);
    if (index !== -1) keys.splice(index, 1);
    if (grant.accessTokens.length + grant.refreshTokens.length === 0) this.revokeGrant(grantId);
  }

  private grantOf(grantId: string): Grant {
    let grant = this.grants.get(grantId);
    if (!grant) {
      grant = { id: grantId, codes: [], accessTokens: [], refreshTokens: [] };
      this.grants.set(grantId, grant);
    }
    return grant;
  }

  // ── Authorization codes ──────────────────────────────────────────────────────────────────────────────────

  saveAuthorizationCode(code: {
    authorizationCode: string;
    expiresAt: Date;
    redirectUri: string;
    scope: string[];
    codeChallenge: string;
    codeChallengeMethod: string;
    client: Client;
    user: User;
  }): void {
    const key = digest(code.authorizationCode);
    const grantId = randomUUID();
    this.grantOf(grantId).codes.push(key);
    this.codes.set(key, {
      grantId,
      clientId: code.client.id,
      userId: code.user.id,
      redirectUri: code.redirectUri,
      scope: code.scope,
      codeChallenge: code.codeChallenge,
      codeChallengeMethod: code.codeChallengeMethod,
      expiresAt: code.expiresAt.getTime(),
      used: false,
    });
  }

  /** A known, unexpired code (used or not: the caller decides what a used code means), or null. */
  findAuthorizationCode(code: string): (CodeRecord & { client: Client; user: User }) | null {
    const key = digest(code);
    const record = this.codes.get(key);
    if (!record) return null;
    if (record.expiresAt <= Date.now()) {
      this.drop('codes', key, record.grantId);
      return null;
    }
    const client = this.clients.get(record.clientId);
    const user = this.findUser(record.userId);
    return client && user ? Object.assign({ client, user }, record) : null;
  }

  /** Marks a code used; it stays known (but worthless) until it expires, for replay detection. */
  markAuthorizationCodeUsed(code: string): boolean {
    const record = this.codes.get(digest(code));
    if (!record || record.used) return false;
    record.used = true;
    return true;
  }

  grantIdOfCode(code: string): string | undefined {
    return this.codes.get(digest(code))?.grantId;
  }

  // ── Tokens ───────────────────────────────────────────────────────────────────────────────────────────────

  saveTokens(
    grantId: string,
    token: { accessToken: string; accessTokenExpiresAt: Date; refreshToken?: string; refreshTokenExpiresAt?: Date },
    client: Client,
    user: User,
    scope: string[],
  ): void {
    const grant = this.grantOf(grantId);
    const issuedAt = Date.now();
    const record = (expiresAt: Date) => ({ grantId, clientId: client.id, userId: user.id, scope, issuedAt, expiresAt: expiresAt.getTime() });
    const accessKey = digest(token.accessToken);
    this.accessTokens.set(accessKey, record(token.accessTokenExpiresAt));
    grant.accessTokens.push(accessKey);
    if (token.refreshToken && token.refreshTokenExpiresAt) {
      const refreshKey = digest(token.refreshToken);
      this.refreshTokens.set(refreshKey, Object.assign(record(token.refreshTokenExpiresAt), { rotated: false }));
      grant.refreshTokens.push(refreshKey);
    }
  }

  /** A live access token, or null (expired ones are dropped on read). */
  findAccessToken(token: string): TokenInfo | null {
    const key = digest(token);
    const record = this.accessTokens.get(key);
    if (!record) return null;
    if (record.expiresAt <= Date.now()) {
      this.drop('accessTokens', key, record.grantId);
      return null;
    }
    const user = this.findUser(record.userId);
    return user ? tokenInfo('access_token', key, record, user) : null;
  }

  /** A known, unexpired refresh token (rotated or not: the caller decides what a rotated one means), or null. */
  findRefreshToken(token: string): (TokenInfo & { rotated: boolean }) | null {
    const key = digest(token);
    const record = this.refreshTokens.get(key);
    if (!record) return null;
    if (record.expiresAt <= Date.now()) {
      this.drop('refreshTokens', key, record.grantId);
      return null;
    }
    const user = this.findUser(record.userId);
    return user ? Object.assign(tokenInfo('refresh_token', key, record, user), { rotated: record.rotated }) : null;
  }

  /** Rotation (RFC 9700 §4.14.2): the old refresh token stays known, as used, until it expires. */
  markRefreshTokenRotated(digestKey: string): boolean {
    const record = this.refreshTokens.get(digestKey);
    if (!record || record.rotated) return false;
    record.rotated = true;
    return true;
  }

  /** RFC 7009 §2.1: revoking a refresh token also revokes the access tokens of the same grant. */
  revokeToken(info: TokenInfo): void {
    if (info.type === 'refresh_token') this.revokeGrant(info.grantId);
    else this.drop('accessTokens', info.digest, info.grantId);
  }

  // ── Scope ────────────────────────────────────────────────────────────────────────────────────────────────

  /** RFC 6749 §3.3: no scope means the default one; every requested scope must be known and allowed. */
  validateScope(client: Client, requested: string[] | undefined): string[] | null {
    if (!requested || requested.length === 0) return DEFAULT_SCOPE.filter((scope) => client.scope.includes(scope));
    const unique = [...new Set(requested)];
    return unique.every((scope) => isKnownScope(scope) && client.scope.includes(scope)) ? unique : null;
  }

  // ── Bounded memory ───────────────────────────────────────────────────────────────────────────────────────

  /** Drops every expired code and token, and grants left with nothing. Returns how many records were dropped. */
  purgeExpired(now = Date.now()): number {
    let dropped = 0;
    for (const kind of ['codes', 'accessTokens', 'refreshTokens'] as const) {
      for (const [key, record] of this[kind]) {
        if (record.expiresAt > now) continue;
        this.drop(kind, key, record.grantId);
        dropped++;
      }
    }
    return dropped;
  }

  /** Purges on a timer that does not keep the process alive. Returns a function that stops it. */
  startPurging(intervalMs = 60_000): () => void {
    const timer = setInterval(() => this.purgeExpired(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Counts for tests and the benchmark. */
  size(): { codes: number; accessTokens: number; refreshTokens: number; grants: number } {
    return {
      codes: this.codes.size,
      accessTokens: this.accessTokens.size,
      refreshTokens: this.refreshTokens.size,
      grants: this.grants.size,
    };
  }
}
