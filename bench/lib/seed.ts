/**
 * Live grants for the benchmark's provider, each a used code, an access token and a refresh token:
 *
 * - through the model methods the library calls during an exchange (saveAuthorizationCode →
 *   revokeAuthorizationCode → saveToken), one grant after the other: the only way into the memory store, and
 *   how the grant whose access token the benchmark presents is made in both stores;
 * - on PostgreSQL, the rest in one `INSERT … SELECT … FROM generate_series` into the store's `grants` table,
 *   with values of the same shape (base64url SHA-256 digests, a UUID id), then `VACUUM ANALYZE`, as a database
 *   that has been running for a while would have its statistics and visibility map. 100,000 grants take a few
 *   seconds this way, against minutes one by one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
import type { ProviderConfig } from '../../provider/src/config.ts';
import { createModel } from '../../provider/src/oauth/model.ts';
import type { Client, Store, User } from '../../provider/src/store/index.ts';

const random = () => randomBytes(32).toString('hex');
const secondsFromNow = (n: number) => new Date(Date.now() + n * 1000);
const challenge = () => createHash('sha256').update(random()).digest('base64url');

/** Seeds `n` grants through the model; returns the last access token issued (for `GET /api/me`). */
export async function seedThroughModel(store: Store, config: ProviderConfig, client: Client, user: User, n: number): Promise<string> {
  const model = createModel(store);
  const redirectUri = client.redirectUris[0]!;
  let accessToken = '';
  for (let i = 0; i < n; i++) {
    const code = {
      authorizationCode: random(),
      expiresAt: secondsFromNow(config.authorizationCodeLifetime),
      redirectUri,
      scope: ['profile'],
      codeChallenge: challenge(),
      codeChallengeMethod: 'S256',
    };
    await model.saveAuthorizationCode(code, client, user);
    await model.revokeAuthorizationCode({ ...code, client, user });
    accessToken = random();
    const token = {
      accessToken,
      accessTokenExpiresAt: secondsFromNow(config.accessTokenLifetime),
      refreshToken: random(),
      refreshTokenExpiresAt: secondsFromNow(config.refreshTokenLifetime),
      scope: ['profile'],
      authorizationCode: code.authorizationCode,
      client,
      user,
    };
    await model.saveToken(token, client, user);
  }
  return accessToken;
}

/** base64url of SHA-256, in SQL: the shape the store gives every digest. */
const digestOf = (expression: string) => `translate(rtrim(encode(sha256(convert_to(${expression}, 'UTF8')), 'base64'), '='), '+/', '-_')`;

const INSERT_GRANTS = `
  INSERT INTO grants (id, client_id, user_id, scope, access_scope, code_digest, redirect_uri, code_challenge,
    code_challenge_method, code_expires_at, code_used_at, access_digest, access_issued_at, access_expires_at,
    refresh_digest, refresh_issued_at, refresh_expires_at, expires_at)
  SELECT gen_random_uuid(), $1, $2, '{profile}', '{profile}', ${digestOf("'code.' || $3 || '.' || i")}, $4,
    ${digestOf("'pkce.' || $3 || '.' || i")}, 'S256', $5::timestamptz, now(), ${digestOf("'access.' || $3 || '.' || i")},
    now(), $6::timestamptz, ${digestOf("'refresh.' || $3 || '.' || i")}, now(), $7::timestamptz,
    greatest($6::timestamptz, $7::timestamptz)
  FROM generate_series(1, $8) AS i`;

/** Inserts `n` grants in one statement (a random salt in every value: a second call adds others). */
export async function bulkInsertGrants(pool: Pool, config: ProviderConfig, client: Client, user: User, n: number): Promise<void> {
  if (n <= 0) return;
  // The pool's timeouts are the provider's (5 s per statement): this connection lifts them while it seeds.
  const connection = await pool.connect();
  // pg reads `query_timeout` per query too (its types leave it out).
  const unlimited = (text: string, values: unknown[] = []) =>
    connection.query({ text, values, query_timeout: 30 * 60_000 } as QueryConfig);
  try {
    await unlimited('SET statement_timeout = 0');
    await unlimited(INSERT_GRANTS, [
      client.id,
      user.id,
      random(),
      client.redirectUris[0],
      secondsFromNow(config.authorizationCodeLifetime),
      secondsFromNow(config.accessTokenLifetime),
      secondsFromNow(config.refreshTokenLifetime),
      n,
    ]);
    await unlimited('VACUUM ANALYZE grants');
    await unlimited('RESET statement_timeout');
  } finally {
    connection.release();
  }
}
