import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      authServer: 'http://localhost:8080',
      client_id: 'testclient',
      client_secret: 'testsecret',
      redirect_uri: 'http://localhost:3000/callback',
      scope: 'profile',
      resourceUrl: 'http://localhost:8080/api/me',
      sessionSecretIsRandom: true,
      development: false,
    });
    expect(config.sessionSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('derives REDIRECT_URI from PORT and RESOURCE_URL from AUTH_SERVER', () => {
    const config = loadConfig({ PORT: '4000', AUTH_SERVER: 'https://as.example.com' });
    expect(config.redirect_uri).toBe('http://localhost:4000/callback');
    expect(config.resourceUrl).toBe('https://as.example.com/api/me');
  });

  it('makes a new random session secret per start when SESSION_SECRET is unset', () => {
    expect(loadConfig({}).sessionSecret).not.toBe(loadConfig({}).sessionSecret);
  });

  it.each([['abc'], ['0'], ['70000'], ['3000.5']])('rejects PORT=%s with an error naming PORT', (PORT) => {
    expect(() => loadConfig({ PORT })).toThrow(/PORT/);
  });

  it('rejects a non-absolute REDIRECT_URI with an error naming REDIRECT_URI', () => {
    expect(() => loadConfig({ REDIRECT_URI: '/callback' })).toThrow(/REDIRECT_URI/);
  });

  it('rejects a REDIRECT_URI with a fragment (RFC 6749 §3.1.2)', () => {
    expect(() => loadConfig({ REDIRECT_URI: 'http://localhost:3000/callback#x' })).toThrow(/REDIRECT_URI/);
  });

  it('rejects an AUTH_SERVER that is not an http(s) URL or has a query (RFC 8414 §2)', () => {
    expect(() => loadConfig({ AUTH_SERVER: 'localhost:8080' })).toThrow(/AUTH_SERVER/);
    expect(() => loadConfig({ AUTH_SERVER: 'ftp://example.com' })).toThrow(/AUTH_SERVER/);
    expect(() => loadConfig({ AUTH_SERVER: 'https://example.com?tenant=1' })).toThrow(/AUTH_SERVER/);
  });

  it('rejects a non-absolute RESOURCE_URL with an error naming RESOURCE_URL', () => {
    expect(() => loadConfig({ RESOURCE_URL: 'api/me' })).toThrow(/RESOURCE_URL/);
  });

  it('rejects a SCOPE that is not space-separated scope tokens (RFC 6749 §3.3)', () => {
    expect(() => loadConfig({ SCOPE: 'profile  "email"' })).toThrow(/SCOPE/);
    expect(loadConfig({ SCOPE: 'profile email' }).scope).toBe('profile email');
  });

  it('rejects a SESSION_SECRET that is too short to sign cookies safely', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'secret' })).toThrow(/SESSION_SECRET/);
  });

  it('turns on development mode only for NODE_ENV=development', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).development).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).development).toBe(false);
  });
});
