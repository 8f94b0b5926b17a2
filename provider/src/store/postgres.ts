/**
 * The PostgreSQL store: grants that survive a restart, shared by any number of provider processes.
 *
 * ## Tables (migrations/001_initial_schema.sql)
 * - `clients`  – registered clients, upserted from the configuration at start; the secret as a SHA-256 digest.
 * - `users`    – the demo user, upserted at start; the password as an scrypt hash with its salt.
 * - `grants`   – ONE ROW PER GRANT (one user's consent for one client), as Spring Authorization Server keeps
 *                one row per authorization: the code's digest and its PKCE challenge, when the code was used,
 *                the current access token's digest, the current refresh token's digest, and `expires_at`,
 *                after which nothing in the row is usable. Unique indexes on `code_digest` and
 *                `access_digest`; refresh tokens name their grant (`<grant id>.<random>`, see secrets.ts) and
 *                are found by primary key. A grant's row has the same size after one rotation or a million.
 * - `login_sessions`, `rate_limits` – see postgres-sessions.ts and postgres-rate-limit.ts.
 * - `schema_migrations` – see migrate.ts.
 * Every query on a request path goes by one of those keys; none scans. Codes and tokens exist here only as
 * SHA-256 digests: a copy of the database holds no usable credential.
 *
 * ## Why each operation is safe when requests for the same code or token reach different processes at once
 * Each operation is one statement, and PostgreSQL's row locks order the competing ones: an UPDATE or DELETE
 * waits for the row lock held by a concurrent one and then re-checks its WHERE clause against the row as that
 * one committed it (READ COMMITTED). No decision depends on comparing two processes' clocks: `now()` inside a
 * transaction is the transaction's start and orders nothing, and the app's clock is used only for expiry, the
 * way the library computes expiry instants in the first place.
 * - Code redemption (RFC 6749 §4.1.2, single use): `UPDATE … SET code_used_at = clock_timestamp() WHERE
 *   code_digest = $1 AND code_used_at IS NULL AND code_expires_at > $2 RETURNING id`. Exactly one of any number
 *   of concurrent redemptions matches; the model's `revokeAuthorizationCode` returns whether this call did, and
 *   the library answers every other one `invalid_grant`. A loser has presented a code that was used: that is a
 *   replay, and the grant is deleted (RFC 6749 §4.1.2 "SHOULD revoke … all tokens previously issued").
 * - Saving the first tokens: `UPDATE grants … WHERE code_digest = $1 AND code_used_at IS NOT NULL AND no token
 *   yet`. If a replay has deleted the grant in the meantime, no row matches and nothing is written: a revoked
 *   grant is never brought back, and the winner's exchange fails too (a race with a replay leaves no token).
 * - Refresh rotation with reuse detection (RFC 9700 §4.14.2): the grant keeps only its current refresh digest.
 *   The rotation is a compare-and-swap on the grant's row: `UPDATE … SET refresh_digest = new, access_digest
 *   = new … WHERE id = $1 AND refresh_digest = presented`. The UPDATE takes the row lock itself, so this is
 *   the "lock the grant row, then swap or revoke" sequence in one statement (a SELECT … FOR UPDATE
 *   transaction would decide the same in four round trips instead of one). Of concurrent rotations with one
 *   token, one swaps; every other finds the digest changed, which is reuse, and deletes the grant. A token
 *   whose grant exists but whose digest is not current is reuse however old it is: the grant is deleted.
 *   Our choice in the race the RFC leaves open (Ory Hydra discusses it in its issue #1831): we do not grant a
 *   grace period to a concurrent second use, because the server cannot tell a client's double-send from an
 *   attacker racing the client; the cost is that a client sending one refresh token twice at once loses its
 *   grant, so clients must serialise their refreshes (ours does).
 * - Revocation: the whole grant is one `DELETE FROM grants WHERE id = $1` (code and tokens live in that row);
 *   an access token alone is `access_digest = NULL`. Deleting a client or user cascades to its grants.
 * - The purge deletes expired grants in slices through the `expires_at` index, skipping rows another process
 *   has locked (`FOR UPDATE SKIP LOCKED`), so several processes purging at once neither wait nor collide.
 *
 * Statements per request: `GET /api/me` 1; code exchange 4 (client, code lookup, redemption, tokens); refresh 3
 * (client, token lookup, rotation). None opens an explicit transaction.
 */
import type { Pool, QueryResultRow } from 'pg';
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
import { deleteExpired } from './postgres-pool.ts';
import { clientFromRegistration, startPurging } from './shared.ts';


/** PostgreSQL text cannot hold NUL; a request carrying one cannot name anything stored. */
const storable = (value: string): boolean => !value.includes('\0');

const USER_COLUMNS = 'u.id AS user_id, u.username, u.email';
/** The columns a grant's current tokens occupy, set from $2…$7 (see `tokenColumns`). */
const SET_TOKENS = `access_digest = $2, access_scope = $3, access_issued_at = $4, access_expires_at = $5::timestamptz,
  refresh_digest = $6, refresh_issued_at = $4, refresh_expires_at = $7::timestamptz,
  expires_at = greatest($5::timestamptz, $7::timestamptz)`;
type UserRow = { user_id: string; username: string; email: string };
/** Compared against when the username is unknown, so that the answer takes as long either way. */
let decoy: PasswordHash | undefined;
const userOf = (row: UserRow): User => ({ id: row.user_id, username: row.username, email: row.email });

export class PostgresStore implements Store {
  readonly kind = 'postgres';

  /** `ownsPool`: close() ends the pool (false when the caller shares it with other stores). */
  constructor(
    readonly pool: Pool,
    private readonly ownsPool = false,
  ) {}

  /** Named statements are parsed and planned once per connection, then only executed. */
  private async run<Row extends QueryResultRow>(name: string, text: string, values: unknown[]) {
    return this.pool.query<Row>({ name, text, values });
  }

  /** Writes the configured clients and user (secrets hashed). Safe when several processes start together. */
  async upsertConfigured(options: StoreOptions): Promise<void> {
    for (const registration of options.clients) {
      const client = clientFromRegistration(registration);
      const secret = !client.isPublic && registration.client_secret !== undefined ? secretDigest(registration.client_secret) : null;
      await this.pool.query(
        `INSERT INTO clients (id, name, redirect_uris, scope, is_public, secret_digest) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, redirect_uris = excluded.redirect_uris,
           scope = excluded.scope, is_public = excluded.is_public, secret_digest = excluded.secret_digest`,
        [client.id, client.name, client.redirectUris, client.scope, client.isPublic, secret],
      );
    }
    const { id, username, password } = options.user;
    const { salt, hash } = hashPassword(password);
    await this.pool.query(
      `INSERT INTO users (id, username, email, password_salt, password_hash) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET username = excluded.username, email = excluded.email,
         password_salt = excluded.password_salt, password_hash = excluded.password_hash`,
      [id, username, `${username}@example.com`, salt, hash],
    );
  }

  // ── Users and clients ────────────────────────────────────────────────────────────────────────────────────

  async authenticateUser(username: string, password: string): Promise<User | null> {
    const { rows } = storable(username)
      ? await this.run<UserRow & { password_salt: Buffer; password_hash: Buffer }>(
          'user-by-name',
          `SELECT ${USER_COLUMNS}, u.password_salt, u.password_hash FROM users u WHERE u.username = $1`,
          [username],
        )
      : { rows: [] };
    const row = rows[0];
    // The password is hashed even for an unknown username, so that timing does not reveal which ones exist.
    const stored = row ? { salt: row.password_salt, hash: row.password_hash } : (decoy ??= hashPassword('decoy'));
    const matches = await passwordMatches(password, stored);
    return row && matches ? userOf(row) : null;
  }

  async findUser(id: string): Promise<User | null> {
    if (!storable(id)) return null;
    const { rows } = await this.run<UserRow>('user-by-id', `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
    return rows[0] ? userOf(rows[0]) : null;
  }

  private async clientRow(clientId: string) {
    if (!storable(clientId)) return null;
    const { rows } = await this.run<{
      id: string;
      name: string;
      redirect_uris: string[];
      scope: string[];
      is_public: boolean;
      secret_digest: Buffer | null;
    }>('client', 'SELECT id, name, redirect_uris, scope, is_public, secret_digest FROM clients WHERE id = $1', [clientId]);
    const row = rows[0];
    if (!row) return null;
    const client: Client = {
      id: row.id,
      name: row.name,
      redirectUris: row.redirect_uris,
      grants: ['authorization_code', 'refresh_token'],
      scope: row.scope,
      isPublic: row.is_public,
    };
    return { client, secretDigest: row.secret_digest };
  }

  async findClient(clientId: string): Promise<Client | null> {
    return (await this.clientRow(clientId))?.client ?? null;
  }

  async authenticateClient(clientId: string, secret: string | undefined): Promise<Client | null> {
    const found = await this.clientRow(clientId);
    if (!found) return null;
    if (found.client.isPublic) return secret === undefined ? found.client : null;
    if (secret === undefined || !found.secretDigest) return null;
    return safeEqual(secretDigest(secret), found.secretDigest) ? found.client : null;
  }

  // ── Authorization codes ──────────────────────────────────────────────────────────────────────────────────

  async saveAuthorizationCode(code: NewAuthorizationCode): Promise<void> {
    await this.run(
      'save-code',
      `INSERT INTO grants (id, client_id, user_id, scope, access_scope, code_digest, redirect_uri, code_challenge,
         code_challenge_method, code_expires_at, expires_at)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $9)`,
      [newGrantId(), code.clientId, code.userId, code.scope, digest(code.code), code.redirectUri, code.codeChallenge, code.codeChallengeMethod, code.expiresAt],
    );
  }

  async findAuthorizationCode(code: string): Promise<AuthorizationCodeRecord | null> {
    const { rows } = await this.run<{
      id: string;
      client_id: string;
      user_id: string;
      redirect_uri: string;
      scope: string[];
      code_challenge: string;
      code_challenge_method: string;
      code_expires_at: Date;
      used: boolean;
    }>(
      'find-code',
      `SELECT id, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, code_expires_at,
         code_used_at IS NOT NULL AS used
       FROM grants WHERE code_digest = $1 AND code_expires_at > $2`,
      [digest(code), new Date()],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      grantId: row.id,
      clientId: row.client_id,
      userId: row.user_id,
      redirectUri: row.redirect_uri,
      scope: row.scope,
      codeChallenge: row.code_challenge,
      codeChallengeMethod: row.code_challenge_method,
      expiresAt: row.code_expires_at.getTime(),
      used: row.used,
    };
  }

  async redeemAuthorizationCode(code: string): Promise<boolean> {
    const key = digest(code);
    const won = await this.run(
      'redeem-code',
      `UPDATE grants SET code_used_at = clock_timestamp()
       WHERE code_digest = $1 AND code_used_at IS NULL AND code_expires_at > $2 RETURNING id`,
      [key, new Date()],
    );
    if (won.rowCount === 1) return true;
    // RFC 6749 §4.1.2: the code was presented twice; the tokens already issued from it are revoked.
    await this.run('revoke-by-code', 'DELETE FROM grants WHERE code_digest = $1', [key]);
    return false;
  }

  // ── Tokens ───────────────────────────────────────────────────────────────────────────────────────────────

  async issueTokens(code: string, tokens: NewTokens): Promise<{ refreshToken: string } | null> {
    const { rows } = await this.run<{ id: string }>(
      'issue-tokens',
      `UPDATE grants SET ${SET_TOKENS}
       WHERE code_digest = $1 AND code_used_at IS NOT NULL AND access_digest IS NULL AND refresh_digest IS NULL
       RETURNING id`,
      [digest(code), ...this.tokenColumns(tokens)],
    );
    return rows[0] ? { refreshToken: refreshTokenValue(rows[0].id, tokens.refreshSecret) } : null;
  }

  /** $2…$7 of the statements that store tokens. */
  private tokenColumns(tokens: NewTokens): unknown[] {
    const { accessToken, scope, accessTokenExpiresAt, refreshSecret, refreshTokenExpiresAt } = tokens;
    return [digest(accessToken), scope, new Date(), accessTokenExpiresAt, digest(refreshSecret), refreshTokenExpiresAt];
  }

  async findAccessToken(token: string): Promise<TokenInfo | null> {
    const key = digest(token);
    const { rows } = await this.run<UserRow & { id: string; client_id: string; access_scope: string[]; access_issued_at: Date; access_expires_at: Date }>(
      'find-access-token',
      `SELECT g.id, g.client_id, g.access_scope, g.access_issued_at, g.access_expires_at, ${USER_COLUMNS}
       FROM grants g JOIN users u ON u.id = g.user_id
       WHERE g.access_digest = $1 AND g.access_expires_at > $2`,
      [key, new Date()],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      type: 'access_token',
      digest: key,
      grantId: row.id,
      clientId: row.client_id,
      user: userOf(row),
      scope: row.access_scope,
      issuedAt: row.access_issued_at.getTime(),
      expiresAt: row.access_expires_at.getTime(),
    };
  }

  async findRefreshToken(token: string): Promise<RefreshTokenInfo | null> {
    const parsed = parseRefreshToken(token);
    if (!parsed) return null;
    const { rows } = await this.run<UserRow & { client_id: string; scope: string[]; current: boolean; refresh_issued_at: Date; refresh_expires_at: Date }>(
      'find-refresh-token',
      `SELECT g.client_id, g.scope, g.refresh_digest = $2 AS current, g.refresh_issued_at, g.refresh_expires_at, ${USER_COLUMNS}
       FROM grants g JOIN users u ON u.id = g.user_id
       WHERE g.id = $1 AND g.refresh_digest IS NOT NULL AND g.refresh_expires_at > $3`,
      [parsed.grantId, parsed.digest, new Date()],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      type: 'refresh_token',
      digest: parsed.digest,
      grantId: parsed.grantId,
      clientId: row.client_id,
      user: userOf(row),
      scope: row.scope,
      issuedAt: row.refresh_issued_at.getTime(),
      expiresAt: row.refresh_expires_at.getTime(),
      current: row.current,
    };
  }

  async rotateRefreshToken(presented: RefreshTokenInfo, tokens: NewTokens): Promise<{ refreshToken: string } | null> {
    // Compare-and-swap under the row lock the UPDATE takes: see "Refresh rotation" in the header.
    const swapped = await this.run(
      'rotate-refresh-token',
      `UPDATE grants SET ${SET_TOKENS}
       WHERE id = $1 AND refresh_digest = $8`,
      [presented.grantId, ...this.tokenColumns(tokens), presented.digest],
    );
    if (swapped.rowCount === 1) return { refreshToken: refreshTokenValue(presented.grantId, tokens.refreshSecret) };
    // RFC 9700 §4.14.2: another request spent this token first; two parties hold it, so the grant goes.
    await this.revokeGrant(presented.grantId);
    return null;
  }

  async revokeToken(token: TokenInfo): Promise<void> {
    if (token.type === 'refresh_token') return this.revokeGrant(token.grantId);
    await this.run('revoke-access-token', 'UPDATE grants SET access_digest = NULL WHERE access_digest = $1', [token.digest]);
  }

  async revokeGrant(grantId: string): Promise<void> {
    await this.run('revoke-grant', 'DELETE FROM grants WHERE id = $1', [grantId]);
  }

  // ── Bounded storage ──────────────────────────────────────────────────────────────────────────────────────

  /** Deletes expired grants (with their codes and tokens), in batches through the `expires_at` index. */
  purgeExpired(now = Date.now()): Promise<number> {
    return deleteExpired(this.pool, { name: 'grants', key: 'id', expiry: 'expires_at' }, now);
  }

  startPurging(intervalMs = 60_000): () => void {
    return startPurging('grants', () => this.purgeExpired(), intervalMs);
  }

  async size(): Promise<StoreSize> {
    const { rows } = await this.pool.query<{ grants: number; codes: number; access_tokens: number; refresh_tokens: number }>(
      `SELECT count(*)::int AS grants, (count(*) FILTER (WHERE code_used_at IS NULL))::int AS codes,
         count(access_digest)::int AS access_tokens, count(refresh_digest)::int AS refresh_tokens
       FROM grants`,
    );
    const row = rows[0]!;
    return { grants: row.grants, codes: row.codes, accessTokens: row.access_tokens, refreshTokens: row.refresh_tokens };
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
