/**
 * The in-memory store (store.ts): secrets are kept only as hashes, and authentication accepts exactly the
 * configured credentials.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InMemoryStore } from '../src/store.ts';
import { testConfig } from './helpers.ts';

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

describe('InMemoryStore.authenticateClient (RFC 6749 §2.3.1)', () => {
  const store = new InMemoryStore(testConfig());

  it('accepts the registered client with its secret', () => {
    expect(store.authenticateClient('testclient', 'testsecret')).toMatchObject({ id: 'testclient' });
  });

  it.each([
    ['a wrong secret', 'wrong'],
    ['an empty secret', ''],
    ['the secret with a different case', 'TESTSECRET'],
    ['the secret with a trailing space', 'testsecret '],
    ['a prefix of the secret', 'testsecre'],
  ])('rejects %s', (_label, secret) => {
    expect(store.authenticateClient('testclient', secret)).toBeNull();
  });

  it('rejects a missing secret for a confidential client (RFC 6749 §3.2.1)', () => {
    expect(store.authenticateClient('testclient', undefined)).toBeNull();
  });

  it('rejects an unknown client, with or without a secret', () => {
    expect(store.authenticateClient('no-such-client', 'testsecret')).toBeNull();
    expect(store.authenticateClient('no-such-client', undefined)).toBeNull();
  });
});

describe('InMemoryStore.authenticateUser', () => {
  const store = new InMemoryStore(testConfig());

  it('accepts demo / demo', async () => {
    expect(await store.authenticateUser('demo', 'demo')).toMatchObject({ id: 'user1', username: 'demo' });
  });

  it.each([
    ['demo', 'wrong'],
    ['demo', ''],
    ['demo', 'Demo'],
    ['demo', 'demo '],
    ['Demo', 'demo'],
    ['demo ', 'demo'],
    ['nobody', 'demo'],
    ['', 'demo'],
    ['', ''],
    ['demo\u0000', 'demo'],
  ])('rejects username %j with password %j', async (username, password) => {
    expect(await store.authenticateUser(username, password)).toBeNull();
  });

  it('returns the user without any password field', async () => {
    const user = await store.authenticateUser('demo', 'demo');
    expect(user).not.toBeNull();
    expect(JSON.stringify(user)).not.toMatch(/password/i);
  });
});
