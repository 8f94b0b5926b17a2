/**
 * Codes and tokens (RFC 6749 §10.10: the odds of guessing one must be at most 2^-128): 32 random bytes, base64url,
 * 256 bits. The model hands this to the library as its generateAuthorizationCode / generateAccessToken /
 * generateRefreshToken.
 *
 * Why not the library's default: it draws 256 bytes asynchronously on the thread pool and hashes them, which costs
 * far more per token for no extra security. Here the bytes come from the system's CSPRNG 4 KiB at a time, as Node's
 * own `randomUUID` does, because each call into it costs a system call; each token takes the next 32 bytes and no
 * byte is used twice.
 */
import { randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
let pool = Buffer.alloc(0);
let offset = 0;

export async function randomToken(): Promise<string> {
  if (offset + TOKEN_BYTES > pool.length) {
    pool = randomBytes(128 * TOKEN_BYTES);
    offset = 0;
  }
  offset += TOKEN_BYTES;
  return pool.toString('base64url', offset - TOKEN_BYTES, offset);
}
