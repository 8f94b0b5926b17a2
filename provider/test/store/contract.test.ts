/**
 * The storage contract (src/store/types.ts): the same cases, with the same expectations, against every
 * implementation — memory always, PostgreSQL when a server is available (support/stores.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.ts';
import { storeBackends } from '../support/stores.ts';
import { PUBLIC_CLIENT, inSeconds, type IssuedTokens, issuedGrant, newTokens, random, rotate, saveCode, storeOptions } from './fixtures.ts';

const backends = storeBackends();

describe.each(backends)('store contract: clients and users ($name)', (backend) => {
  const open = () => backend.open(storeOptions({ OAUTH_PASSWORD: 'correct-horse' }));

  it('authenticates a confidential client with its secret (RFC 6749 §2.3.1)', async () => {
    const store = await open();
    expect(await store.authenticateClient('testclient', 'testsecret')).toMatchObject({ id: 'testclient', isPublic: false });
  });

  it.each([
    ['a wrong secret', 'wrong'],
    ['an empty secret', ''],
    ['the secret with a different case', 'TESTSECRET'],
    ['the secret with a trailing space', 'testsecret '],
    ['a prefix of the secret', 'testsecre'],
  ])('refuses a confidential client presenting %s (RFC 6749 §2.3.1)', async (_label, secret) => {
    const store = await open();
    expect(await store.authenticateClient('testclient', secret)).toBeNull();
  });

  it('refuses a confidential client that presents no secret, so it can never pass as public (RFC 6749 §3.2.1)', async () => {
    const store = await open();
    expect(await store.authenticateClient('testclient', undefined)).toBeNull();
  });

  it('accepts a public client by id alone and refuses it with any secret (RFC 6749 §2.1)', async () => {
    const store = await open();
    expect(await store.authenticateClient(PUBLIC_CLIENT.client_id, undefined)).toMatchObject({ isPublic: true });
    expect(await store.authenticateClient(PUBLIC_CLIENT.client_id, 'anything')).toBeNull();
    expect(await store.authenticateClient(PUBLIC_CLIENT.client_id, '')).toBeNull();
  });

  it('finds nobody for unknown or unstorable ids, without throwing', async () => {
    const store = await open();
    for (const id of ['no-such-client', 'test\u0000client', '']) {
      expect(await store.findClient(id)).toBeNull();
      expect(await store.authenticateClient(id, 'testsecret')).toBeNull();
      expect(await store.findUser(id)).toBeNull();
    }
    expect(await store.findClient('testclient')).toMatchObject({ redirectUris: ['http://localhost:3000/callback'], scope: ['profile', 'email'] });
  });

  it('authenticates the user with the configured password (scrypt) and returns no password field', async () => {
    const store = await open();
    const user = await store.authenticateUser('demo', 'correct-horse');
    expect(user).toEqual({ id: 'user1', username: 'demo', email: 'demo@example.com' });
    expect(JSON.stringify(user)).not.toMatch(/password|correct-horse/i);
  });

  it.each([
    ['demo', 'wrong'],
    ['demo', ''],
    ['demo', 'Correct-horse'],
    ['demo', 'correct-horse '],
    ['Demo', 'correct-horse'],
    ['demo ', 'correct-horse'],
    ['nobody', 'correct-horse'],
    ['', 'correct-horse'],
    ['demo\u0000', 'correct-horse'],
  ])('refuses username %j with password %j', async (username, password) => {
    const store = await open();
    expect(await store.authenticateUser(username, password)).toBeNull();
  });
});

describe.each(backends)('store contract: authorization codes (RFC 6749 §4.1.2) ($name)', (backend) => {
  const open = () => backend.open(storeOptions());

  it('finds a saved code with what the authorization request carried', async () => {
    const store = await open();
    const code = await saveCode(store, { scope: ['profile'] });
    expect(await store.findAuthorizationCode(code)).toMatchObject({
      clientId: 'testclient',
      userId: 'user1',
      redirectUri: 'http://localhost:3000/callback',
      scope: ['profile'],
      codeChallengeMethod: 'S256',
      used: false,
    });
    expect(await store.size()).toMatchObject({ grants: 1, codes: 1, accessTokens: 0, refreshTokens: 0 });
  });

  it('redeems a code exactly once; presenting it again revokes the grant (RFC 6749 §4.1.2)', async () => {
    const store = await open();
    const { code, accessToken, refreshToken } = await issuedGrant(store);
    expect(await store.findAuthorizationCode(code)).toMatchObject({ used: true });
    expect(await store.redeemAuthorizationCode(code)).toBe(false);
    expect(await store.findAuthorizationCode(code)).toBeNull();
    expect(await store.findAccessToken(accessToken)).toBeNull();
    expect(await store.findRefreshToken(refreshToken)).toBeNull();
    expect(await store.size()).toMatchObject({ grants: 0 });
  });

  it('neither finds nor redeems an expired or unknown code', async () => {
    const store = await open();
    const expired = await saveCode(store, { expiresAt: inSeconds(-1) });
    expect(await store.findAuthorizationCode(expired)).toBeNull();
    expect(await store.redeemAuthorizationCode(expired)).toBe(false);
    expect(await store.findAuthorizationCode(random())).toBeNull();
    expect(await store.redeemAuthorizationCode(random())).toBe(false);
  });

  it('issues tokens only for a redeemed code, and only once', async () => {
    const store = await open();
    const code = await saveCode(store);
    expect(await store.issueTokens(code, newTokens())).toBeNull();
    await store.redeemAuthorizationCode(code);
    expect(await store.issueTokens(code, newTokens())).not.toBeNull();
    expect(await store.issueTokens(code, newTokens())).toBeNull();
    expect(await store.size()).toMatchObject({ grants: 1, accessTokens: 1, refreshTokens: 1 });
  });

  it('never brings back a grant that a replay revoked before the tokens were saved', async () => {
    const store = await open();
    const code = await saveCode(store);
    expect(await store.redeemAuthorizationCode(code)).toBe(true);
    expect(await store.redeemAuthorizationCode(code)).toBe(false); // the replay, overtaking the winner's save
    expect(await store.issueTokens(code, newTokens())).toBeNull();
    expect(await store.size()).toEqual({ grants: 0, codes: 0, accessTokens: 0, refreshTokens: 0 });
  });
});

describe.each(backends)('store contract: tokens ($name)', (backend) => {
  const open = () => backend.open(storeOptions());

  it('finds a live access token with its user, client, scope and lifetimes', async () => {
    const store = await open();
    const before = Date.now();
    const { accessToken } = await issuedGrant(store);
    const found = await store.findAccessToken(accessToken);
    expect(found).toMatchObject({ type: 'access_token', clientId: 'testclient', scope: ['profile', 'email'] });
    expect(found?.user).toEqual({ id: 'user1', username: 'demo', email: 'demo@example.com' });
    expect(found?.issuedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(found!.expiresAt - found!.issuedAt).toBeGreaterThan(3_590_000);
  });

  it('does not find an expired access token (RFC 6750 §3.1)', async () => {
    const store = await open();
    const { accessToken } = await issuedGrant(store, newTokens({ accessTokenExpiresAt: inSeconds(-1) }));
    expect(await store.findAccessToken(accessToken)).toBeNull();
  });

  it('makes refresh tokens that name their grant, and finds the current one', async () => {
    const store = await open();
    const { refreshToken } = await issuedGrant(store);
    const found = await store.findRefreshToken(refreshToken);
    expect(refreshToken.startsWith(`${found?.grantId}.`)).toBe(true);
    expect(found).toMatchObject({ type: 'refresh_token', current: true, clientId: 'testclient', scope: ['profile', 'email'] });
  });

  it.each([
    ['a value without a grant id', () => random()],
    ['an unknown grant id', () => `00000000-0000-4000-8000-000000000000.${random()}`],
    ['a grant id and nothing else', () => '00000000-0000-4000-8000-000000000000.'],
    ['a NUL character', () => `\u0000.${random()}`],
  ])('finds no refresh token for %s', async (_label, value) => {
    const store = await open();
    await issuedGrant(store);
    expect(await store.findRefreshToken(value())).toBeNull();
  });

  it('rotates: the new pair works, the previous access token ends and the spent refresh token is not current (RFC 9700 §4.14.2)', async () => {
    const store = await open();
    const first = await issuedGrant(store);
    const second = await rotate(store, first.refreshToken, newTokens({ scope: ['email'] }));
    expect(second).not.toBeNull();
    expect(await store.findAccessToken(first.accessToken)).toBeNull();
    expect(await store.findAccessToken(second!.accessToken)).toMatchObject({ scope: ['email'] });
    // RFC 6749 §6: the new refresh token keeps the scope of the grant, whatever the access token was narrowed to.
    expect(await store.findRefreshToken(second!.refreshToken)).toMatchObject({ current: true, scope: ['profile', 'email'] });
    expect(await store.findRefreshToken(first.refreshToken)).toMatchObject({ current: false });
  });

  it('recognises every spent refresh token of a long chain, with one fixed-size grant (RFC 9700 §4.14.2)', async () => {
    const store = await open();
    const chain: IssuedTokens[] = [await issuedGrant(store)];
    for (let i = 0; i < 50; i++) chain.push((await rotate(store, chain.at(-1)!.refreshToken))!);
    expect(await store.size()).toEqual({ grants: 1, codes: 0, accessTokens: 1, refreshTokens: 1 });
    for (const spent of chain.slice(0, -1)) expect(await store.findRefreshToken(spent.refreshToken)).toMatchObject({ current: false });
    // The first token of the chain, presented again: reuse, and the whole family goes.
    expect(await rotate(store, chain[0]!.refreshToken)).toBeNull();
    expect(await store.findRefreshToken(chain.at(-1)!.refreshToken)).toBeNull();
    expect(await store.findAccessToken(chain.at(-1)!.accessToken)).toBeNull();
  });

  it('refuses a rotation with a token spent meanwhile, and revokes the grant (RFC 9700 §4.14.2)', async () => {
    const store = await open();
    const first = await issuedGrant(store);
    const looked = await store.findRefreshToken(first.refreshToken);
    const winner = await rotate(store, first.refreshToken);
    expect(await store.rotateRefreshToken(looked!, newTokens())).toBeNull();
    expect(await store.findAccessToken(winner!.accessToken)).toBeNull();
    expect(await store.size()).toMatchObject({ grants: 0 });
  });

  it('revokes an access token alone, leaving the refresh token current (RFC 7009 §2.1)', async () => {
    const store = await open();
    const { accessToken, refreshToken } = await issuedGrant(store);
    await store.revokeToken((await store.findAccessToken(accessToken))!);
    expect(await store.findAccessToken(accessToken)).toBeNull();
    expect(await store.findRefreshToken(refreshToken)).toMatchObject({ current: true });
  });

  it('revokes a refresh token with its whole grant (RFC 7009 §2.1)', async () => {
    const store = await open();
    const { code, accessToken, refreshToken } = await issuedGrant(store);
    await store.revokeToken((await store.findRefreshToken(refreshToken))!);
    expect(await store.findAccessToken(accessToken)).toBeNull();
    expect(await store.findRefreshToken(refreshToken)).toBeNull();
    expect(await store.findAuthorizationCode(code)).toBeNull();
  });
});

describe.each(backends)('store contract: purging expired grants ($name)', (backend) => {
  const open = () => backend.open(storeOptions());

  it('deletes grants once nothing in them is usable, and keeps the others', async () => {
    const store = await open();
    await saveCode(store); // expires in 10 minutes, never exchanged
    await issuedGrant(store, newTokens({ accessTokenExpiresAt: inSeconds(60), refreshTokenExpiresAt: inSeconds(120) }));
    await issuedGrant(store); // refresh token live for a day
    expect(await store.purgeExpired()).toBe(0);
    expect(await store.purgeExpired(Date.now() + 601_000)).toBe(2);
    expect(await store.size()).toMatchObject({ grants: 1, refreshTokens: 1 });
  });

  it('keeps a used code while its grant lives, so that a replay is still recognised (RFC 6749 §4.1.2)', async () => {
    const store = await open();
    const { code, accessToken } = await issuedGrant(store);
    await store.purgeExpired();
    expect(await store.redeemAuthorizationCode(code)).toBe(false);
    expect(await store.findAccessToken(accessToken)).toBeNull();
  });

  it('purges a large backlog completely, in slices', async () => {
    const store = await open();
    const expiresAt = inSeconds(1);
    await Promise.all(Array.from({ length: 2_500 }, () => saveCode(store, { expiresAt })));
    expect(await store.purgeExpired(Date.now() + 2_000)).toBe(2_500);
    expect(await store.size()).toMatchObject({ grants: 0 });
  });

  it('is harmless when several purges run at once', async () => {
    const store = await open();
    const expiresAt = inSeconds(1);
    await Promise.all(Array.from({ length: 300 }, () => saveCode(store, { expiresAt })));
    const counts = await Promise.all([1, 2, 3].map(() => store.purgeExpired(Date.now() + 2_000)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    expect(await store.size()).toMatchObject({ grants: 0 });
  });
});

// Twenty pools connecting at once take a while on a busy machine.
describe.each(backends)('store contract: concurrent requests in several processes ($name)', { timeout: 30_000 }, (backend) => {
  const peers = (count: number): Promise<Store[]> => backend.openPeers(storeOptions(), count);

  it('lets at most one of 20 concurrent redemptions of one code win, and the race revokes the grant (RFC 6749 §4.1.2)', async () => {
    const stores = await peers(20);
    const code = await saveCode(stores[0]!);
    const results = await Promise.all(stores.map((store) => store.redeemAuthorizationCode(code)));
    expect(results.filter(Boolean)).toHaveLength(1);
    // The 19 losers presented a used code: replays. The winner's tokens are never saved.
    expect(await stores[0]!.issueTokens(code, newTokens())).toBeNull();
    expect(await stores[0]!.size()).toMatchObject({ grants: 0 });
  });

  it('issues at most one new pair for 20 concurrent rotations of one refresh token, then revokes the family (RFC 9700 §4.14.2)', async () => {
    const stores = await peers(20);
    const first = await issuedGrant(stores[0]!);
    const results = await Promise.all(stores.map((store) => rotate(store, first.refreshToken)));
    const winners = results.filter((result) => result !== null);
    expect(winners.length).toBeLessThanOrEqual(1);
    for (const token of [first, ...winners]) {
      expect(await stores[0]!.findAccessToken(token.accessToken)).toBeNull();
      expect(await stores[0]!.findRefreshToken(token.refreshToken)).toBeNull();
    }
    expect(await stores[0]!.size()).toMatchObject({ grants: 0 });
  });
});
