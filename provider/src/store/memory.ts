/**
 * The in-memory store: the default, with nothing to set up. Everything lives in this process and is gone when
 * it stops, so it cannot be shared by several processes (see postgres.ts for that).
 *
 * One record per grant, found by key through three maps: grant id, code digest, access token digest. The
 * refresh token is found through the grant it names. Every lookup is by key, never a scan; the purge walks
 * the grants in slices so that it never holds the event loop for long.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type {
  AuthorizationCodeRecord,
  Client,
  NewAuthorizationCode,
  NewTokens,
  RefreshTokenInfo,
  Store,
  StoreOptions,
  StoreSize,
  TokenInfo,
  User,
} from './types.ts';
import {
  digest,
  hashPassword,
  newGrantId,
  parseRefreshToken,
  passwordMatches,
  refreshTokenValue,
  safeEqual,
  secretDigest,
  type PasswordHash,
} from './secrets.ts';
import { clientFromRegistration, startPurging } from './shared.ts';

/**
 * Everything one user's consent for one client produced, flat (one object per grant is lighter than one per
 * code and token). Its size does not grow with rotations: only the current tokens' digests are kept.
 */
interface Grant {
  id: string;
  clientId: string;
  userId: string;
  /** The scope the user granted; every refresh token of the grant carries exactly this (RFC 6749 §6). */
  scope: string[];
  codeDigest: string;
  redirectUri: string;
  codeChallenge: string;
  codeChallengeMethod: string;
  codeExpiresAt: number;
  /** Kept after use while the grant lives, so that a replay can be recognised (RFC 6749 §4.1.2). */
  codeUsed: boolean;
  accessDigest: string | null;
  accessScope: string[];
  accessIssuedAt: number;
  accessExpiresAt: number;
  refreshDigest: string | null;
  refreshIssuedAt: number;
  refreshExpiresAt: number;
  /** After this instant nothing in the grant is usable: the purge deletes it. */
  expiresAt: number;
}

/** How many grants the purge looks at before it lets other work run. */
const PURGE_SLICE = 2_000;

export class InMemoryStore implements Store {
  readonly kind = 'memory';
  private readonly clients = new Map<string, Client>();
  private readonly clientSecretDigests = new Map<string, Buffer>();
  private readonly user: User;
  private readonly password: PasswordHash;
  private readonly grants = new Map<string, Grant>();
  private readonly byCode = new Map<string, Grant>();
  private readonly byAccessToken = new Map<string, Grant>();

  constructor(options: StoreOptions) {
    for (const registration of options.clients) {
      const client = clientFromRegistration(registration);
      this.clients.set(client.id, client);
      if (!client.isPublic && registration.client_secret !== undefined) {
        this.clientSecretDigests.set(client.id, secretDigest(registration.client_secret));
      }
    }
    const { id, username, password } = options.user;
    this.user = { id, username, email: `${username}@example.com` };
    // Hashed once at start-up; the plain password is not kept.
    this.password = hashPassword(password);
  }

  // ── Users and clients ────────────────────────────────────────────────────────────────────────────────────

  /** The password is always hashed, so that timing does not reveal whether the username exists. */
  async authenticateUser(username: string, password: string): Promise<User | null> {
    const passwordOk = await passwordMatches(password, this.password);
    const usernameOk = safeEqual(Buffer.from(username), Buffer.from(this.user.username));
    return passwordOk && usernameOk ? this.user : null;
  }

  async findUser(id: string): Promise<User | null> {
    return id === this.user.id ? this.user : null;
  }

  async findClient(clientId: string): Promise<Client | null> {
    return this.clients.get(clientId) ?? null;
  }

  async authenticateClient(clientId: string, secret: string | undefined): Promise<Client | null> {
    const client = this.clients.get(clientId);
    if (!client) return null;
    if (client.isPublic) return secret === undefined ? client : null;
    const expected = this.clientSecretDigests.get(clientId);
    if (secret === undefined || !expected) return null;
    return safeEqual(secretDigest(secret), expected) ? client : null;
  }

  // ── Authorization codes ──────────────────────────────────────────────────────────────────────────────────

  async saveAuthorizationCode(code: NewAuthorizationCode): Promise<void> {
    const expiresAt = code.expiresAt.getTime();
    const grant: Grant = {
      id: newGrantId(),
      clientId: code.clientId,
      userId: code.userId,
      scope: code.scope,
      codeDigest: digest(code.code),
      redirectUri: code.redirectUri,
      codeChallenge: code.codeChallenge,
      codeChallengeMethod: code.codeChallengeMethod,
      codeExpiresAt: expiresAt,
      codeUsed: false,
      accessDigest: null,
      accessScope: code.scope,
      accessIssuedAt: 0,
      accessExpiresAt: 0,
      refreshDigest: null,
      refreshIssuedAt: 0,
      refreshExpiresAt: 0,
      expiresAt,
    };
    this.grants.set(grant.id, grant);
    this.byCode.set(grant.codeDigest, grant);
  }

  async findAuthorizationCode(code: string): Promise<AuthorizationCodeRecord | null> {
    const grant = this.byCode.get(digest(code));
    if (!grant || grant.codeExpiresAt <= Date.now()) return null;
    const { id: grantId, clientId, userId, redirectUri, scope, codeChallenge, codeChallengeMethod } = grant;
    return { grantId, clientId, userId, redirectUri, scope, codeChallenge, codeChallengeMethod, expiresAt: grant.codeExpiresAt, used: grant.codeUsed };
  }

  async redeemAuthorizationCode(code: string): Promise<boolean> {
    const grant = this.byCode.get(digest(code));
    if (!grant) return false;
    if (!grant.codeUsed && grant.codeExpiresAt > Date.now()) {
      grant.codeUsed = true;
      return true;
    }
    // RFC 6749 §4.1.2: presented twice; the tokens already issued from it are revoked.
    this.dropGrant(grant);
    return false;
  }

  // ── Tokens ───────────────────────────────────────────────────────────────────────────────────────────────

  async issueTokens(code: string, tokens: NewTokens): Promise<{ refreshToken: string } | null> {
    const grant = this.byCode.get(digest(code));
    // Gone (revoked by a replay), or tokens already issued from this code: nothing is (re)created.
    if (!grant || !grant.codeUsed || grant.refreshDigest !== null || grant.accessDigest !== null) return null;
    return { refreshToken: this.setTokens(grant, tokens) };
  }

  async findAccessToken(token: string): Promise<TokenInfo | null> {
    const key = digest(token);
    const grant = this.byAccessToken.get(key);
    if (!grant || grant.accessExpiresAt <= Date.now()) return null;
    const user = await this.findUser(grant.userId);
    if (!user) return null;
    const { id: grantId, clientId, accessScope: scope, accessIssuedAt: issuedAt, accessExpiresAt: expiresAt } = grant;
    return { type: 'access_token', digest: key, grantId, clientId, user, scope, issuedAt, expiresAt };
  }

  async findRefreshToken(token: string): Promise<RefreshTokenInfo | null> {
    const parsed = parseRefreshToken(token);
    const grant = parsed ? this.grants.get(parsed.grantId) : undefined;
    if (!parsed || !grant || grant.refreshDigest === null || grant.refreshExpiresAt <= Date.now()) return null;
    const user = await this.findUser(grant.userId);
    if (!user) return null;
    const key = parsed.digest;
    const { id, clientId, scope, refreshIssuedAt: issuedAt, refreshExpiresAt: expiresAt } = grant;
    return { type: 'refresh_token', digest: key, grantId: id, clientId, user, scope, issuedAt, expiresAt, current: key === grant.refreshDigest };
  }

  async rotateRefreshToken(presented: RefreshTokenInfo, tokens: NewTokens): Promise<{ refreshToken: string } | null> {
    const grant = this.grants.get(presented.grantId);
    if (!grant) return null;
    if (grant.refreshDigest !== presented.digest) {
      // RFC 9700 §4.14.2: spent by someone else first; two parties hold the token, so the grant goes.
      this.dropGrant(grant);
      return null;
    }
    return { refreshToken: this.setTokens(grant, tokens) };
  }

  async revokeToken(token: TokenInfo): Promise<void> {
    if (token.type === 'refresh_token') return this.revokeGrant(token.grantId);
    const grant = this.byAccessToken.get(token.digest);
    if (!grant) return;
    this.byAccessToken.delete(token.digest);
    grant.accessDigest = null;
  }

  async revokeGrant(grantId: string): Promise<void> {
    const grant = this.grants.get(grantId);
    if (grant) this.dropGrant(grant);
  }

  /**
   * Stores a new access and refresh token in the grant. The previous access token ends here: the client has
   * just replaced it, and a grant never holds more than one.
   */
  private setTokens(grant: Grant, tokens: NewTokens): string {
    const now = Date.now();
    if (grant.accessDigest !== null) this.byAccessToken.delete(grant.accessDigest);
    grant.accessDigest = digest(tokens.accessToken);
    grant.accessScope = tokens.scope;
    grant.accessIssuedAt = now;
    grant.accessExpiresAt = tokens.accessTokenExpiresAt.getTime();
    this.byAccessToken.set(grant.accessDigest, grant);
    grant.refreshDigest = digest(tokens.refreshSecret);
    grant.refreshIssuedAt = now;
    grant.refreshExpiresAt = tokens.refreshTokenExpiresAt.getTime();
    grant.expiresAt = Math.max(grant.accessExpiresAt, grant.refreshExpiresAt);
    return refreshTokenValue(grant.id, tokens.refreshSecret);
  }

  private dropGrant(grant: Grant): void {
    this.grants.delete(grant.id);
    this.byCode.delete(grant.codeDigest);
    if (grant.accessDigest !== null) this.byAccessToken.delete(grant.accessDigest);
  }

  // ── Bounded memory ───────────────────────────────────────────────────────────────────────────────────────

  /**
   * Walks every grant once, PURGE_SLICE at a time, yielding to other work between slices, so that a purge of
   * any size never blocks the event loop for long. Grants added or deleted meanwhile are handled as a `Map`
   * iterator handles them: added ones are visited too, deleted ones skipped; two walks at once are harmless.
   */
  async purgeExpired(now = Date.now()): Promise<number> {
    let dropped = 0;
    let seen = 0;
    for (const grant of this.grants.values()) {
      if (grant.expiresAt <= now) {
        this.dropGrant(grant);
        dropped++;
      }
      if (++seen % PURGE_SLICE === 0) await nextTurn();
    }
    return dropped;
  }

  startPurging(intervalMs = 60_000): () => void {
    return startPurging('grants', () => this.purgeExpired(), intervalMs);
  }

  async size(): Promise<StoreSize> {
    let codes = 0;
    let refreshTokens = 0;
    for (const grant of this.grants.values()) {
      if (!grant.codeUsed) codes++;
      if (grant.refreshDigest !== null) refreshTokens++;
    }
    return { grants: this.grants.size, codes, accessTokens: this.byAccessToken.size, refreshTokens };
  }

  async close(): Promise<void> {}
}
