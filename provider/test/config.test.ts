/**
 * Configuration (config.ts): every variable has a working default, derived values stay consistent with the ports,
 * and a bad value stops the provider at start with a message that names the variable.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadConfigForPort } from '../src/config.ts';

const SECRET = 'a-configured-secret-of-at-least-32-chars';

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

  it('has the demo user demo / demo, and says so (the sign-in page shows them)', () => {
    expect(config.user).toMatchObject({ username: 'demo', password: 'demo', id: 'user1' });
    expect(config.demoUser).toBe(true);
  });

  it('listens on port 8080 of the loopback addresses, with the issuer http://localhost:8080', () => {
    expect(config.port).toBe(8080);
    expect(config.host).toBeUndefined();
    expect(config.issuer).toBe('http://localhost:8080');
  });

  it('trusts no proxy, logs pretty lines at info level, and has nothing to warn about', () => {
    expect(config.trustProxy).toBe(false);
    expect(config.log).toEqual({ level: 'info', format: 'pretty' });
    expect(config.warnings).toEqual([]);
  });

  it('gives a code 600 s and an access token 3600 s (RFC 6749 §4.1.2: a code lives at most 10 minutes)', () => {
    expect(config.authorizationCodeLifetime).toBe(600);
    expect(config.accessTokenLifetime).toBe(3600);
  });

  it('allows 5 failed logins per 15-minute window', () => {
    expect(config.loginAttemptsPerWindow).toBe(5);
    expect(config.loginWindowMs).toBe(15 * 60 * 1000);
  });

  it('returns a frozen config', () => {
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe('loadConfig: ports, and what derives from them', () => {
  it('derives the issuer from PROVIDER_PORT and the redirect URI from CLIENT_PORT', () => {
    const config = loadConfig({ PROVIDER_PORT: '8081', CLIENT_PORT: '3001' });
    expect(config.port).toBe(8081);
    expect(config.issuer).toBe('http://localhost:8081');
    expect(config.clients[0]?.redirect_uris).toEqual(['http://localhost:3001/callback']);
  });

  it('ignores a plain PORT, which both apps would read from one .env, and warns naming PROVIDER_PORT', () => {
    const config = loadConfig({ PORT: '3000' });
    expect(config.port).toBe(8080);
    expect(config.warnings).toEqual([expect.stringMatching(/^PORT is ignored: set PROVIDER_PORT/)]);
  });

  it('derives the issuer again from the port the system chose for PROVIDER_PORT=0', () => {
    expect(loadConfig({ PROVIDER_PORT: '0' }).port).toBe(0);
    expect(loadConfigForPort(41234, { PROVIDER_PORT: '0' }).issuer).toBe('http://localhost:41234');
    expect(loadConfigForPort(41234, { ISSUER: 'https://as.example.com' }).issuer).toBe('https://as.example.com');
  });

  it('warns when ISSUER names another port of this machine than PROVIDER_PORT (a proxy may explain it)', () => {
    const [warning] = loadConfig({ ISSUER: 'http://localhost:9000' }).warnings;
    expect(warning).toMatch(/^ISSUER http:\/\/localhost:9000 names port 9000, but this app listens on PROVIDER_PORT=8080/);
    expect(warning).toMatch(/reverse proxy/);
    expect(loadConfig({ ISSUER: 'http://127.0.0.1:9000', PROVIDER_PORT: '9000' }).warnings).toEqual([]);
  });

  it('does not warn about an ISSUER on another host: a proxy or another machine serves it', () => {
    expect(loadConfig({ ISSUER: 'https://as.example.com' }).warnings).toEqual([]);
  });

  it.each(['abc', '-1', '65536', '80.5', '8080x', '123456'])('refuses PROVIDER_PORT=%j, naming it', (PROVIDER_PORT) => {
    expect(() => loadConfig({ PROVIDER_PORT })).toThrow(
      new ConfigError(`PROVIDER_PORT must be a port number from 0 to 65535, got "${PROVIDER_PORT}"`),
    );
  });

  it('refuses a CLIENT_PORT that is not a port, naming it (the default redirect URI derives from it)', () => {
    expect(() => loadConfig({ CLIENT_PORT: 'x' })).toThrow(/^CLIENT_PORT must be a port number from 0 to 65535/);
  });
});

describe('loadConfig: HOST and TRUST_PROXY', () => {
  it('treats HOST=localhost as the default: both loopback addresses', () => {
    expect(loadConfig({ HOST: 'localhost' }).host).toBeUndefined();
  });

  it('listens where HOST says, and warns that the demo credentials are then reachable from other machines', () => {
    const config = loadConfig({ HOST: '0.0.0.0' });
    expect(config.host).toBe('0.0.0.0');
    expect(config.warnings).toEqual([expect.stringMatching(/^HOST=0\.0\.0\.0: .*other machines.*demo credentials/)]);
    expect(loadConfig({ HOST: '0.0.0.0', OAUTH_PASSWORD: 'long-password', CLIENT_SECRET: 'other' }).warnings[0]).not.toMatch(/demo/);
  });

  it('does not warn about a loopback HOST', () => {
    expect(loadConfig({ HOST: '127.0.0.1' }).warnings).toEqual([]);
    expect(loadConfig({ HOST: '::1' }).warnings).toEqual([]);
  });

  it.each(['http://0.0.0.0', '0.0.0.0:8080', '[::1]', 'a b'])('refuses HOST=%j, naming it', (HOST) => {
    expect(() => loadConfig({ HOST })).toThrow(/^HOST must be an IP address or a host name/);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['1', 1],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.7, fd00::/8', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']],
    ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
  ])('maps TRUST_PROXY=%j to Express trust proxy %j', (TRUST_PROXY, expected) => {
    expect(loadConfig({ TRUST_PROXY }).trustProxy).toEqual(expected);
  });

  it.each(['yes', '10.0.0.0/33', 'proxy.example', '1.2.3'])('refuses TRUST_PROXY=%j, naming it', (TRUST_PROXY) => {
    expect(() => loadConfig({ TRUST_PROXY })).toThrow(/^TRUST_PROXY must be true, false, a number of proxies/);
  });
});

describe('loadConfig: session secrets', () => {
  it('generates a random secret when none is set, and says so', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.sessionSecretGenerated).toBe(true);
    expect(a.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(a.sessionSecret).not.toBe(b.sessionSecret);
  });

  it('derives its own key from a SESSION_SECRET shared with the client, never using the shared value itself', () => {
    const config = loadConfig({ SESSION_SECRET: SECRET });
    expect(config.sessionSecretGenerated).toBe(false);
    expect(config.sessionSecret).toBe(createHmac('sha256', SECRET).update('provider session cookie').digest('base64url'));
    expect(config.sessionSecret).not.toBe(SECRET);
  });

  it('uses PROVIDER_SESSION_SECRET as it is, in preference to SESSION_SECRET', () => {
    const own = 'the-provider-own-secret-of-32-characters';
    expect(loadConfig({ SESSION_SECRET: SECRET, PROVIDER_SESSION_SECRET: own }).sessionSecret).toBe(own);
  });

  it.each(['SESSION_SECRET', 'PROVIDER_SESSION_SECRET'])('refuses a %s too short to resist guessing, naming it', (name) => {
    expect(() => loadConfig({ [name]: 'short' })).toThrow(new RegExp(`^${name} must be at least 32 characters`));
  });
});

describe('loadConfig: bad values fail at start, naming the variable', () => {
  it.each(['callback', '/callback', 'localhost:3000/callback', 'ftp://localhost/callback', 'http://localhost:3000/cb#frag'])(
    'refuses REDIRECT_URI=%j: it must be an absolute http(s) URL without fragment (RFC 6749 §3.1.2)',
    (REDIRECT_URI) => {
      expect(() => loadConfig({ REDIRECT_URI })).toThrow(/^REDIRECT_URI must/);
    },
  );

  it.each(['http://localhost:8080/?x=1', 'http://localhost:8080?x=1', 'http://localhost:8080/#top'])(
    'refuses ISSUER=%j: an issuer has no query or fragment (RFC 8414 §2)',
    (ISSUER) => {
      expect(() => loadConfig({ ISSUER })).toThrow(/^ISSUER must not contain/);
    },
  );

  it('refuses an ISSUER that is not an absolute URL', () => {
    expect(() => loadConfig({ ISSUER: 'localhost:8080' })).toThrow(/^ISSUER must be an absolute http\(s\) URL/);
  });

  it('strips trailing slashes from ISSUER', () => {
    expect(loadConfig({ ISSUER: 'https://as.example.com//' }).issuer).toBe('https://as.example.com');
  });

  it.each(['AUTHORIZATION_CODE_LIFETIME', 'ACCESS_TOKEN_LIFETIME', 'LOGIN_ATTEMPTS_PER_WINDOW'])('refuses %s=0', (name) => {
    expect(() => loadConfig({ [name]: '0' })).toThrow(new RegExp(`^${name} must be a positive integer`));
  });

  it('refuses LOG_LEVEL and LOG_FORMAT values pino does not know', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL must be one of/);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/^LOG_FORMAT must be pretty or json/);
  });

  it('refuses a public client without redirect URIs', () => {
    expect(() => loadConfig({ PUBLIC_CLIENT_ID: 'spa' })).toThrow(/^PUBLIC_REDIRECT_URI must list/);
  });

  it('treats an empty value (`NAME=` in a .env file) as unset', () => {
    expect(loadConfig({ PROVIDER_PORT: '', ISSUER: ' ', CLIENT_ID: '' })).toMatchObject({ port: 8080, issuer: 'http://localhost:8080' });
  });
});

describe('loadConfig: DATABASE_URL, WORKERS and the session secret they need', () => {
  const DATABASE_URL = 'postgres://oauth:p%40ss-word@db.internal:6543/oauth?sslmode=verify-full';

  it('keeps everything in memory, in one process, when DATABASE_URL is unset', () => {
    expect(loadConfig({})).toMatchObject({ database: undefined, workers: 1 });
  });

  it('keeps the URL for pg as it is, and describes it as "PostgreSQL at host:port/db", without user or password', () => {
    const { database } = loadConfig({ DATABASE_URL, SESSION_SECRET: SECRET });
    expect(database).toEqual({ url: DATABASE_URL, description: 'PostgreSQL at db.internal:6543/oauth' });
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/oauth', SESSION_SECRET: SECRET }).database?.description).toBe(
      'PostgreSQL at localhost:5432/oauth',
    );
  });

  it('describes a Unix socket given as ?host=', () => {
    const { database } = loadConfig({ DATABASE_URL: 'postgres:///oauth?host=/run/postgresql', SESSION_SECRET: SECRET });
    expect(database?.description).toBe('PostgreSQL at /run/postgresql:5432/oauth');
  });

  it.each(['mysql://user:hunter2-secret@host/db', 'user:hunter2-secret@host/db', 'postgres//user:hunter2-secret@host'])(
    'refuses DATABASE_URL=%j, naming the variable and never repeating the value (it holds a password)',
    (value) => {
      let message = '';
      try {
        loadConfig({ DATABASE_URL: value, SESSION_SECRET: SECRET });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^DATABASE_URL must be a URL such as postgres:\/\//);
      expect(message).not.toContain('hunter2');
    },
  );

  it('refuses DATABASE_URL without a session secret, naming SESSION_SECRET: sign-ins outlive a restart', () => {
    expect(() => loadConfig({ DATABASE_URL })).toThrow(/^SESSION_SECRET must be set .*PROVIDER_SESSION_SECRET.*with DATABASE_URL/);
    expect(loadConfig({ DATABASE_URL, PROVIDER_SESSION_SECRET: SECRET }).sessionSecret).toBe(SECRET);
  });

  it('never puts the password of DATABASE_URL in a configuration error', () => {
    expect(() => loadConfig({ DATABASE_URL })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('p%40ss') }));
  });

  it('runs WORKERS processes on one database', () => {
    expect(loadConfig({ DATABASE_URL, SESSION_SECRET: SECRET, WORKERS: '4' }).workers).toBe(4);
  });

  it('refuses WORKERS above 1 without DATABASE_URL, saying that processes cannot share memory', () => {
    expect(() => loadConfig({ WORKERS: '2', SESSION_SECRET: SECRET })).toThrow(
      /^WORKERS=2 needs DATABASE_URL: each worker is a process of its own, and processes cannot share memory/,
    );
    expect(loadConfig({ WORKERS: '1' }).workers).toBe(1);
  });

  it.each(['0', 'two', '-1'])('refuses WORKERS=%j, naming it', (WORKERS) => {
    expect(() => loadConfig({ WORKERS })).toThrow(/^WORKERS must be a positive integer/);
  });
});
