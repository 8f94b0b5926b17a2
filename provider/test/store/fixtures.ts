/**
 * Codes and tokens made directly through the storage interface, for the store suites.
 */
import { randomBytes } from 'node:crypto';
import type { NewTokens, Store, StoreOptions } from '../../src/store/index.ts';
import { testConfig } from '../helpers.ts';

export const PUBLIC_CLIENT = {
  client_id: 'spa-client',
  client_name: 'Public Client',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://127.0.0.1/callback'],
  scope: 'profile email',
} as const;

/** The demo client and user (secret `testsecret`, password `demo`), plus a public client. */
export function storeOptions(env: Record<string, string> = {}): StoreOptions {
  const config = testConfig(env);
  return { clients: [...config.clients, { ...PUBLIC_CLIENT, redirect_uris: [...PUBLIC_CLIENT.redirect_uris] }], user: config.user };
}

export const random = () => randomBytes(32).toString('base64url');
export const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

export async function saveCode(store: Store, overrides: { expiresAt?: Date; scope?: string[] } = {}): Promise<string> {
  const code = random();
  await store.saveAuthorizationCode({
    code,
    expiresAt: overrides.expiresAt ?? inSeconds(600),
    clientId: 'testclient',
    userId: 'user1',
    redirectUri: 'http://localhost:3000/callback',
    scope: overrides.scope ?? ['profile', 'email'],
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
  });
  return code;
}

export function newTokens(overrides: Partial<NewTokens> = {}): NewTokens {
  return {
    accessToken: random(),
    accessTokenExpiresAt: inSeconds(3600),
    scope: ['profile', 'email'],
    refreshSecret: random(),
    refreshTokenExpiresAt: inSeconds(86_400),
    ...overrides,
  };
}

/** A grant with its first tokens, as after a successful code exchange. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
}

export async function issuedGrant(store: Store, tokens: NewTokens = newTokens()): Promise<IssuedTokens & { code: string }> {
  const code = await saveCode(store);
  if (!(await store.redeemAuthorizationCode(code))) throw new Error('a fresh code was not redeemed');
  const issued = await store.issueTokens(code, tokens);
  if (!issued) throw new Error('no tokens issued for a redeemed code');
  return { code, accessToken: tokens.accessToken, refreshToken: issued.refreshToken };
}

/** Rotates as the refresh grant does: look the token up, then swap it if it is current. */
export async function rotate(store: Store, refreshToken: string, tokens: NewTokens = newTokens()): Promise<IssuedTokens | null> {
  const found = await store.findRefreshToken(refreshToken);
  if (!found?.current) {
    if (found) await store.revokeGrant(found.grantId);
    return null;
  }
  const rotated = await store.rotateRefreshToken(found, tokens);
  return rotated && { accessToken: tokens.accessToken, refreshToken: rotated.refreshToken };
}
