import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigForPort } from '../src/config.ts';

const SECRET = 'a-configured-secret-of-at-least-32-chars';

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: undefined,
      port: 3000,
      trustProxy: false,
      authServer: 'http://localhost:8080',
      client_id: 'testclient',
      client_secret: 'testsecret',
      redirect_uri: 'http://localhost:3000/callback',
      scope: 'profile',
      resourceUrl: 'http://localhost:8080/api/me',
      sessionSecretIsRandom: true,
      development: false,
      log: { level: 'info', format: 'pretty' },
      warnings: [],
    });
    expect(config.sessionSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('derives REDIRECT_URI from CLIENT_PORT, and the issuer from PROVIDER_PORT exactly as the provider does', () => {
    const config = loadConfig({ CLIENT_PORT: '3001', PROVIDER_PORT: '8081' });
    expect(config.port).toBe(3001);
    expect(config.redirect_uri).toBe('http://localhost:3001/callback');
    expect(config.authServer).toBe('http://localhost:8081');
    expect(config.resourceUrl).toBe('http://localhost:8081/api/me');
  });

  it('takes the issuer from ISSUER, shared with the provider, unless AUTH_SERVER names another for this client', () => {
    expect(loadConfig({ ISSUER: 'https://as.example.com/' }).authServer).toBe('https://as.example.com');
    const config = loadConfig({ ISSUER: 'http://localhost:8080', AUTH_SERVER: 'https://other.example.com' });
    expect(config.authServer).toBe('https://other.example.com');
    expect(config.resourceUrl).toBe('https://other.example.com/api/me');
  });

  it('ignores a plain PORT, which both apps would read from one .env, and warns naming CLIENT_PORT', () => {
    const config = loadConfig({ PORT: '8080' });
    expect(config.port).toBe(3000);
    expect(config.warnings).toEqual([expect.stringMatching(/^PORT is ignored: set CLIENT_PORT/)]);
  });

  it('warns when REDIRECT_URI names another port of this machine than CLIENT_PORT (a proxy may explain it)', () => {
    const [warning] = loadConfig({ REDIRECT_URI: 'http://localhost:3001/callback' }).warnings;
    expect(warning).toMatch(/^REDIRECT_URI http:\/\/localhost:3001\/callback names port 3001, but this app listens on CLIENT_PORT=3000/);
    expect(warning).toMatch(/reverse proxy/);
    expect(loadConfig({ REDIRECT_URI: 'https://app.example.com/callback' }).warnings).toEqual([]);
  });

  it('derives the redirect URI again from the port the system chose for CLIENT_PORT=0', () => {
    expect(loadConfigForPort(41234, { CLIENT_PORT: '0' }).redirect_uri).toBe('http://localhost:41234/callback');
  });

  it('warns that HOST=0.0.0.0 makes the client reachable from other machines', () => {
    const config = loadConfig({ HOST: '0.0.0.0' });
    expect(config.host).toBe('0.0.0.0');
    expect(config.warnings).toEqual([expect.stringMatching(/^HOST=0\.0\.0\.0: the client accepts connections from other machines/)]);
  });

  it('maps TRUST_PROXY to Express trust proxy values', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => loadConfig({ TRUST_PROXY: 'maybe' })).toThrow(/^TRUST_PROXY must/);
  });

  it('makes a new random session secret per start when no secret is set', () => {
    expect(loadConfig({}).sessionSecret).not.toBe(loadConfig({}).sessionSecret);
  });

  it('derives its own key from a SESSION_SECRET shared with the provider, so the two never sign with one key', () => {
    const config = loadConfig({ SESSION_SECRET: SECRET });
    expect(config.sessionSecretIsRandom).toBe(false);
    expect(config.sessionSecret).toBe(createHmac('sha256', SECRET).update('client session cookie').digest('base64url'));
    const provider = createHmac('sha256', SECRET).update('provider session cookie').digest('base64url');
    expect(config.sessionSecret).not.toBe(provider);
  });

  it('uses CLIENT_SESSION_SECRET as it is, in preference to SESSION_SECRET', () => {
    const own = 'the-client-own-secret-of-at-least-32-chars';
    expect(loadConfig({ SESSION_SECRET: SECRET, CLIENT_SESSION_SECRET: own }).sessionSecret).toBe(own);
  });

  it.each([['abc'], ['-1'], ['70000'], ['3000.5']])('rejects CLIENT_PORT=%s with the provider’s wording', (CLIENT_PORT) => {
    expect(() => loadConfig({ CLIENT_PORT })).toThrow(`CLIENT_PORT must be a port number from 0 to 65535, got "${CLIENT_PORT}"`);
  });

  it('rejects a non-absolute REDIRECT_URI with an error naming REDIRECT_URI', () => {
    expect(() => loadConfig({ REDIRECT_URI: '/callback' })).toThrow(/^REDIRECT_URI/);
  });

  it('rejects a REDIRECT_URI with a fragment (RFC 6749 §3.1.2)', () => {
    expect(() => loadConfig({ REDIRECT_URI: 'http://localhost:3000/callback#x' })).toThrow(/^REDIRECT_URI/);
  });

  it('rejects an AUTH_SERVER or ISSUER that is not an http(s) URL or has a query (RFC 8414 §2), naming it', () => {
    expect(() => loadConfig({ AUTH_SERVER: 'localhost:8080' })).toThrow(/^AUTH_SERVER/);
    expect(() => loadConfig({ AUTH_SERVER: 'ftp://example.com' })).toThrow(/^AUTH_SERVER/);
    expect(() => loadConfig({ AUTH_SERVER: 'https://example.com?tenant=1' })).toThrow(/^AUTH_SERVER/);
    expect(() => loadConfig({ ISSUER: 'https://example.com?tenant=1' })).toThrow(/^ISSUER/);
  });

  it('rejects a non-absolute RESOURCE_URL with an error naming RESOURCE_URL', () => {
    expect(() => loadConfig({ RESOURCE_URL: 'api/me' })).toThrow(/^RESOURCE_URL/);
  });

  it('rejects a SCOPE that is not space-separated scope tokens (RFC 6749 §3.3)', () => {
    expect(() => loadConfig({ SCOPE: 'profile  "email"' })).toThrow(/^SCOPE/);
    expect(loadConfig({ SCOPE: 'profile email' }).scope).toBe('profile email');
  });

  it('rejects a SESSION_SECRET that is too short to sign cookies safely', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'secret' })).toThrow(/^SESSION_SECRET must be at least 32 characters/);
    expect(() => loadConfig({ CLIENT_SESSION_SECRET: 'secret' })).toThrow(/^CLIENT_SESSION_SECRET must be at least 32/);
  });

  it('turns on development mode only for NODE_ENV=development', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).development).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).development).toBe(false);
  });
});
