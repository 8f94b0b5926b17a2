/**
 * The pool's failure reporting (src/store/postgres-pool.ts): an unreachable database is told apart from a bad
 * statement, and the URL's password never appears in the error.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPool, isDatabaseUnavailable } from '../../src/store/index.ts';
import { postgresAdminUrl } from '../support/postgres.ts';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('createPool: failures', () => {
  it('reports a database that refuses connections as unavailable, without the password', async () => {
    const pool = createPool(`postgres://provider:s3cret-pw@127.0.0.1:${await closedPort()}/provider`, { connectionTimeoutMs: 2_000 });
    try {
      const err = await pool.query('SELECT 1').then(() => null, (error: unknown) => error);
      expect(isDatabaseUnavailable(err)).toBe(true);
      expect(String((err as Error).message)).not.toContain('s3cret-pw');
    } finally {
      await pool.end();
    }
  });

  it.skipIf(!postgresAdminUrl)('does not report a bad statement as unavailable', async () => {
    const pool = createPool(postgresAdminUrl!);
    try {
      const err = await pool.query('SELECT * FROM no_such_table').then(() => null, (error: unknown) => error);
      expect(err).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(err)).toBe(false);
    } finally {
      await pool.end();
    }
  });

  it('does not report anything that is not an error as unavailable', () => {
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
    expect(isDatabaseUnavailable(new Error('invalid_grant'))).toBe(false);
  });
});
