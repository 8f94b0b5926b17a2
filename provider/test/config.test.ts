/**
 * Configuration (config.ts): every variable has a working default, and a bad value stops the provider at start
 * with a message that names the variable.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('loadConfig: defaults (npm start needs no .env)', () => {
  const config = loadConfig({});

  it('registers the demo client testclient / testsecret with redirect http://localhost:3000/callback', () => {
    expect(config.clients[0]).toMatchObject({
      client_id: 'testclient',
      client_secret: 'testsecret',
      client_name: 'Demo Client',
      redirect_uris: ['http://localhost:3000/callback'],
    });
  });

  it('has the demo user demo / demo', () => {
    expect(config.user).toMatchObject({ username: 'demo', password: 'demo', id: 'user1' });
  });

  it('listens on port 8080 with the issuer http://localhost:8080', () => {
    expect(config.port).toBe(8080);
    expect(config.issuer).toBe('http://localhost:8080');
  });

  it('gives a code 600 s and an access token 3600 s (RFC 6749 §4.1.2: a code lives at most 10 minutes)', () => {
    expect(config.authorizationCodeLifetime).toBe(600);
    expect(config.accessTokenLifetime).toBe(3600);
  });

  it('allows 5 failed logins per 15-minute window', () => {
    expect(config.loginAttemptsPerWindow).toBe(5);
    expect(config.loginWindowMs).toBe(15 * 60 * 1000);
  });

  it('derives the issuer from PORT when ISSUER is unset', () => {
    expect(loadConfig({ PORT: '9090' }).issuer).toBe('http://localhost:9090');
  });
});

describe('loadConfig: SESSION_SECRET', () => {
  it('generates a random secret when SESSION_SECRET is unset, and says so', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.sessionSecretGenerated).toBe(true);
    expect(a.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(a.sessionSecret).not.toBe(b.sessionSecret);
  });

  it('uses SESSION_SECRET when it is set', () => {
    const secret = 'a-configured-secret-of-at-least-32-chars';
    const config = loadConfig({ SESSION_SECRET: secret });
    expect(config.sessionSecret).toBe(secret);
    expect(config.sessionSecretGenerated).toBe(false);
  });

  it('refuses a SESSION_SECRET too short to resist guessing, naming the variable', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET/);
  });
});

describe('loadConfig: bad values fail at start, naming the variable', () => {
  it.each(['abc', '-1', '65536', '80.5', '8080x', ' 8080'])('refuses PORT=%j', (PORT) => {
    expect(() => loadConfig({ PORT })).toThrow(/PORT/);
  });

  it.each(['callback', '/callback', 'localhost:3000/callback', 'ftp://localhost/callback', 'http://localhost:3000/cb#frag'])(
    'refuses REDIRECT_URI=%j: it must be an absolute http(s) URL without fragment (RFC 6749 §3.1.2)',
    (REDIRECT_URI) => {
      expect(() => loadConfig({ REDIRECT_URI })).toThrow(/REDIRECT_URI/);
    },
  );

  it.each(['http://localhost:8080/?x=1', 'http://localhost:8080?x=1', 'http://localhost:8080/#top'])(
    'refuses ISSUER=%j: an issuer has no query or fragment (RFC 8414 §2)',
    (ISSUER) => {
      expect(() => loadConfig({ ISSUER })).toThrow(/ISSUER/);
    },
  );

  it('refuses an ISSUER that is not an absolute URL', () => {
    expect(() => loadConfig({ ISSUER: 'localhost:8080' })).toThrow(/ISSUER/);
  });

  it('strips trailing slashes from ISSUER', () => {
    expect(loadConfig({ ISSUER: 'https://as.example.com//' }).issuer).toBe('https://as.example.com');
  });

  it.each(['AUTHORIZATION_CODE_LIFETIME', 'ACCESS_TOKEN_LIFETIME', 'LOGIN_ATTEMPTS_PER_WINDOW'])('refuses %s=0', (name) => {
    expect(() => loadConfig({ [name]: '0' })).toThrow(new RegExp(name));
  });

  it('returns a frozen config', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});
