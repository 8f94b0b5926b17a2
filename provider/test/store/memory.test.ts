/**
 * The in-memory store (src/store/memory.ts): what it keeps in the process's memory. Its behaviour is the storage
 * contract (contract.test.ts), the same as PostgreSQL's; what PostgreSQL keeps is checked in postgres.test.ts.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InMemoryStore } from '../../src/store/index.ts';
import { testConfig } from '../helpers.ts';
import { issuedGrant, rotate, type IssuedTokens } from './fixtures.ts';

describe('InMemoryStore: what it keeps', () => {
  it('does not hold the client secret in plain text', () => {
    const store = new InMemoryStore(testConfig());
    const dump = inspect(store, { depth: 8, showHidden: true, maxArrayLength: Infinity, maxStringLength: Infinity });
    expect(dump).not.toContain('testsecret');
    expect(dump).not.toContain(Buffer.from('testsecret').toString('hex'));
    expect(JSON.stringify(store)).not.toContain('testsecret');
  });

  it('does not hold the user password in plain text', () => {
    // A password distinct from the username, so that finding the username in the dump proves nothing.
    const store = new InMemoryStore(testConfig({ OAUTH_PASSWORD: 'correct-horse-battery' }));
    const dump = inspect(store, { depth: 8, showHidden: true, maxArrayLength: Infinity, maxStringLength: Infinity });
    expect(dump).not.toContain('correct-horse-battery');
    expect(dump).not.toContain(Buffer.from('correct-horse-battery').toString('hex'));
  });

  it('does not hold the default password demo anywhere but as the username', () => {
    const store = new InMemoryStore(testConfig());
    const dump = inspect(store, { depth: 8, showHidden: true, maxArrayLength: Infinity, maxStringLength: Infinity });
    // The only occurrences of "demo" are the username and the derived email address.
    const occurrences = dump.match(/demo/g) ?? [];
    const expected = (dump.match(/username: 'demo'/g) ?? []).length + (dump.match(/demo@example\.com/g) ?? []).length;
    expect(occurrences.length).toBe(expected);
  });

  it('does not keep a reference to the configuration it was built from', async () => {
    const config = testConfig();
    const store = new InMemoryStore(config);
    expect(await store.authenticateUser('demo', 'demo')).not.toBeNull();
    const dump = inspect(store, { depth: 8, showHidden: true });
    expect(dump).not.toContain("password: 'demo'");
    expect(dump).not.toContain("client_secret: 'testsecret'");
  });
});

describe('InMemoryStore: bounded memory (issue 11: refresh chains)', () => {
  it('holds no code or token in clear, only digests', async () => {
    const store = new InMemoryStore(testConfig());
    const { code, accessToken, refreshToken } = await issuedGrant(store);
    const dump = inspect(store, { depth: 8, showHidden: true, maxArrayLength: Infinity, maxStringLength: Infinity });
    for (const secret of [code, accessToken, refreshToken.split('.')[1]!]) expect(dump).not.toContain(secret);
  });

  it('keeps one record per grant however many times its refresh token rotates (RFC 9700 §4.14.2)', async () => {
    const store = new InMemoryStore(testConfig());
    let tokens: IssuedTokens = await issuedGrant(store);
    for (let i = 0; i < 1_000; i++) tokens = (await rotate(store, tokens.refreshToken))!;
    expect(await store.size()).toEqual({ grants: 1, codes: 0, accessTokens: 1, refreshTokens: 1 });
    const dump = inspect(store, { depth: 8, maxArrayLength: Infinity });
    expect(dump.length).toBeLessThan(8_000);
  });
});
