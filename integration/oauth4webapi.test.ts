/**
 * An independent, strict client library — oauth4webapi — runs the whole flow against the real provider over
 * HTTP, configured only from the provider's metadata. If it accepts every response, so will other
 * standards-following clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { Browser, signInAndConsent } from './support/browser.ts';
import { startProvider, type Running } from './support/servers.ts';

// RFC 6749 §2.3.1: ids and secrets with reserved characters must survive form-urlencoding in HTTP Basic.
const CLIENT_ID = 'my-app+id/with=reserved:chars%';
const CLIENT_SECRET = 's3cr3t:with/+=%-&chars';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const PUBLIC_CLIENT_ID = 'single-page-app';
const PUBLIC_REDIRECT_URI = 'http://127.0.0.1/callback';
// Our issuer is plain http on loopback; oauth4webapi only allows that when told to.
const insecure = { [oauth.allowInsecureRequests]: true };

let provider: Running;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  provider = await startProvider({
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    PUBLIC_CLIENT_ID,
    PUBLIC_REDIRECT_URI,
  });
  const issuer = new URL(provider.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
});

afterAll(() => provider.close());

/** (A)–(C) with oauth4webapi building the request and validating the response (state, iss per RFC 9207). */
async function authorize(client: oauth.Client, redirect_uri: string) {
  const code_verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint as string);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri,
    response_type: 'code',
    scope: 'profile',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(code_verifier),
    code_challenge_method: 'S256',
  }).toString();
  const callback = await signInAndConsent(new Browser(), url);
  const params = oauth.validateAuthResponse(as, client, callback, state);
  return { params, code_verifier };
}

describe('oauth4webapi against the provider (RFC 6749, 7636, 8414, 9207)', () => {
  it('discovers the provider from its issuer URL alone (RFC 8414 §3)', () => {
    expect(as.issuer).toBe(provider.url);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('runs the confidential client flow with client_secret_basic and reserved characters (RFC 6749 §2.3.1)', async () => {
    const client: oauth.Client = { client_id: CLIENT_ID };
    const auth = oauth.ClientSecretBasic(CLIENT_SECRET);
    const { params, code_verifier } = await authorize(client, REDIRECT_URI);

    const tokenResponse = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, code_verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, tokenResponse);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('profile');

    const resource = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL('/api/me', provider.url), undefined, undefined, insecure);
    expect(await resource.json()).toEqual({ sub: 'user1', username: 'demo' });

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token as string, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const introspection = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure),
    );
    expect(introspection).toMatchObject({ active: true, client_id: CLIENT_ID, sub: 'user1' });

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, refreshed.refresh_token as string, insecure));
    const after = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure),
    );
    expect(after).toEqual({ active: false });
  });

  it('runs the flow with client_secret_post too (RFC 6749 §2.3.1)', async () => {
    const client: oauth.Client = { client_id: CLIENT_ID };
    const { params, code_verifier } = await authorize(client, REDIRECT_URI);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost(CLIENT_SECRET), params, REDIRECT_URI, code_verifier, insecure);
    expect((await oauth.processAuthorizationCodeResponse(as, client, response)).access_token).toEqual(expect.any(String));
  });

  it('runs the public client flow with token_endpoint_auth_method none (RFC 6749 §2.1, RFC 8252 §7.3)', async () => {
    const client: oauth.Client = { client_id: PUBLIC_CLIENT_ID, token_endpoint_auth_method: 'none' };
    const redirect_uri = 'http://127.0.0.1:49152/callback'; // a native app's port of the moment
    const { params, code_verifier } = await authorize(client, redirect_uri);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirect_uri, code_verifier, insecure),
    );
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token as string, insecure),
    );
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), refreshed.refresh_token as string, insecure));
    // Revoking the refresh token revoked the grant's access token too (RFC 7009 §2.1): RFC 6750 §3 challenge.
    const rejected = await oauth
      .protectedResourceRequest(refreshed.access_token, 'GET', new URL('/api/me', provider.url), undefined, undefined, insecure)
      .catch((err: unknown) => err);
    expect(rejected).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect((rejected as oauth.WWWAuthenticateChallengeError).cause[0]).toMatchObject({
      scheme: 'bearer',
      parameters: { error: 'invalid_token' },
    });
  });

  it('sees the provider deny access with access_denied, state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2)', async () => {
    const client: oauth.Client = { client_id: CLIENT_ID };
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
      code_challenge_method: 'S256',
    }).toString();
    const callback = await signInAndConsent(new Browser(), url, 'deny');
    const error = (() => {
      try {
        oauth.validateAuthResponse(as, client, callback, state);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(oauth.AuthorizationResponseError);
    expect((error as oauth.AuthorizationResponseError).error).toBe('access_denied');
  });
});
