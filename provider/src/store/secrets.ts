/**
 * How secrets are kept, the same in every store: codes and tokens as SHA-256 digests (a leaked table holds
 * nothing usable), the client secret as a SHA-256 digest compared in constant time (client secrets are
 * high-entropy machine secrets; a slow hash would only throttle the token endpoint), the user's password as
 * an scrypt hash with a random salt.
 */
import { hash, randomBytes, randomUUID, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;
const SCRYPT_KEYLEN = 32;

/** The key a code or token is stored under: base64url SHA-256. */
export const digest = (value: string): string => hash('sha256', value, 'base64url');

export const secretDigest = (secret: string): Buffer => hash('sha256', secret, 'buffer');

/** Constant-time equality for two values of possibly different length. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface PasswordHash {
  salt: Buffer;
  hash: Buffer;
}

/** scrypt with Node's default cost (N=16384, r=8, p=1): done once at start, when the user is stored. */
export function hashPassword(password: string): PasswordHash {
  const salt = randomBytes(16);
  return { salt, hash: scryptSync(password, salt, SCRYPT_KEYLEN) };
}

export async function passwordMatches(password: string, stored: PasswordHash): Promise<boolean> {
  return safeEqual(await scryptAsync(password, stored.salt, SCRYPT_KEYLEN), stored.hash);
}

/**
 * Refresh tokens name their grant: `<grant id>.<random>`. The grant keeps only the digest of its current
 * token's random part, so a presented token whose grant exists but whose digest is not the current one is a
 * spent token of that chain, however long ago it was rotated (RFC 9700 §4.14.2), and the grant stays one
 * fixed-size record whatever the number of rotations. The grant id is not secret; the random part is. (The
 * digest covers the random part alone so that a store can compute it before it knows the grant id.)
 */
export const newGrantId = (): string => randomUUID();

export const refreshTokenValue = (grantId: string, secret: string): string => `${grantId}.${secret}`;

const GRANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The grant a refresh token names and the digest of its random part, or null when it is not one of ours. */
export function parseRefreshToken(refreshToken: string): { grantId: string; digest: string } | null {
  const dot = refreshToken.indexOf('.');
  const grantId = refreshToken.slice(0, dot);
  if (dot < 1 || dot === refreshToken.length - 1 || !GRANT_ID.test(grantId)) return null;
  return { grantId, digest: digest(refreshToken.slice(dot + 1)) };
}
