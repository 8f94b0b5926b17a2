/**
 * Throttling password guessing (RFC 6749 §10.10, RFC 9700 §4.15) so that nobody else can lock the user out:
 * per (account, address) pair, per account and per address up to a ceiling, and past the ceiling only for
 * browsers that signed in to the account before (OWASP device cookies).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../src/app.ts';
import { CEILING_FACTOR } from '../src/http/login-throttle.ts';
import { PostgresAttemptCounter } from '../src/interaction/postgres.ts';
import { PostgresSessionStore, migrate, openStore } from '../src/store/index.ts';
import { authorizeQuery, cookieValue, csrfFrom, fromAddress, setup, testConfig, type Agent } from './helpers.ts';
import { postgresAdminUrl, usePostgresDatabase } from './support/postgres.ts';

/** Posts the sign-in form once from `address` (a loopback address: another "machine"), with a fresh token. */
async function attempt(agent: Agent, username: string, password: string, address = '127.0.0.1') {
  const page = await agent.get('/login');
  return agent.post('/login').agent(fromAddress(address)).type('form').send({ _csrf: csrfFrom(page.text), username, password });
}

async function isSignedIn(agent: Agent): Promise<boolean> {
  return (await agent.get(`/oauth/authorize?${authorizeQuery()}`)).status === 200;
}

/** A small limit keeps the scenarios short: 2 per pair, a ceiling of 2 × CEILING_FACTOR. */
const LIMIT = 2;
const CEILING = LIMIT * CEILING_FACTOR;
const small = () => setup({ LOGIN_ATTEMPTS_PER_WINDOW: String(LIMIT) });
/** A distinct loopback address per botnet member. */
const address = (i: number) => `127.0.${Math.floor(i / 250) + 1}.${(i % 250) + 2}`;

afterEach(() => {
  vi.useRealTimers();
});

describe('POST /login: only real wrong-password attempts count', () => {
  it('does not count posts without a CSRF token: a third party cannot lock the user out with them (RFC 6749 §10.12)', async () => {
    const { app, agent } = small();
    for (let i = 0; i < 20; i++) {
      const res = await request(app).post('/login').type('form').send({ username: 'demo', password: `guess-${i}` });
      expect(res.status).toBe(403);
    }
    expect((await attempt(agent, 'demo', 'demo')).status).toBe(303);
  });

  it('does not count posts refused for missing fields', async () => {
    const { agent } = small();
    for (let i = 0; i < 5; i++) {
      const page = await agent.get('/login');
      expect((await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: 'demo' })).status).toBe(400);
    }
    expect((await attempt(agent, 'demo', 'demo')).status).toBe(303);
  });

  it('does not count a refused attempt: the lock does not grow while it holds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent } = small();
    for (let i = 0; i < LIMIT; i++) expect((await attempt(agent, 'demo', 'wrong')).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await attempt(agent, 'demo', 'wrong')).status).toBe(429);
    // One window later exactly: had the refused attempts counted, the window would have started again.
    vi.setSystemTime(Date.now() + 15 * 60 * 1000 + 1);
    expect((await attempt(agent, 'demo', 'demo')).status).toBe(303);
  });

  it('starts the pair again after a correct password', async () => {
    const { agent } = small();
    expect((await attempt(agent, 'demo', 'wrong')).status).toBe(401);
    expect((await attempt(agent, 'demo', 'demo')).status).toBe(303);
    // The earlier failure is forgotten: LIMIT more wrong answers before a 429.
    for (let i = 0; i < LIMIT; i++) expect((await attempt(agent, 'demo', 'wrong')).status).toBe(401);
    expect((await attempt(agent, 'demo', 'wrong')).status).toBe(429);
  });
});

describe('POST /login: per account and address (RFC 6749 §10.10)', () => {
  it('answers 429 after the default 5 wrong passwords for one account from one address, right password or not', async () => {
    const { agent } = setup();
    for (let i = 0; i < 5; i++) expect((await attempt(agent, 'demo', `wrong-${i}`)).status).toBe(401);
    const res = await attempt(agent, 'demo', 'demo');
    expect(res.status).toBe(429);
    expect(res.text).toContain('Too many failed sign-in attempts');
    expect(await isSignedIn(agent)).toBe(false);
  });

  it('leaves the user at another address unaffected by the guesses of this one', async () => {
    const { app } = small();
    const attacker = request.agent(app);
    for (let i = 0; i < 5; i++) await attempt(attacker, 'demo', 'guess', '127.0.0.2');
    expect((await attempt(attacker, 'demo', 'guess', '127.0.0.2')).status).toBe(429);
    const user = request.agent(app);
    expect((await attempt(user, 'demo', 'demo', '127.0.0.3')).status).toBe(303);
  });

  it('leaves another account unaffected at the same address', async () => {
    const { agent } = small();
    for (let i = 0; i < LIMIT; i++) await attempt(agent, 'demo', 'guess');
    expect((await attempt(agent, 'demo', 'guess')).status).toBe(429);
    expect((await attempt(agent, 'alice', 'guess')).status).toBe(401);
  });

  it('counts the account case-insensitively (DEMO and demo are one account)', async () => {
    const { agent } = small();
    expect((await attempt(agent, 'DEMO', 'guess')).status).toBe(401);
    expect((await attempt(agent, 'Demo', 'guess')).status).toBe(401);
    expect((await attempt(agent, 'demo', 'demo')).status).toBe(429);
  });

  it('lets the pair try again once the window has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent } = small();
    for (let i = 0; i < LIMIT; i++) await attempt(agent, 'demo', 'guess');
    expect((await attempt(agent, 'demo', 'demo')).status).toBe(429);
    vi.setSystemTime(Date.now() + 15 * 60 * 1000 + 1);
    expect((await attempt(agent, 'demo', 'demo')).status).toBe(303);
  });
});

describe('POST /login: the ceiling per account, and browsers that signed in before (OWASP device cookies)', () => {
  /** Wrong passwords for `username` from `members` addresses, LIMIT each: returns how many were answered 401. */
  async function botnet(app: ReturnType<typeof small>['app'], members: number, username = 'demo') {
    let guesses = 0;
    for (let i = 0; i < members; i++) {
      const bot = request.agent(app);
      for (let j = 0; j < LIMIT; j++) if ((await attempt(bot, username, `guess-${i}-${j}`, address(i))).status === 401) guesses++;
    }
    return guesses;
  }

  it('gives a botnet no more than the ceiling of wrong passwords per account, however many addresses it has', async () => {
    const { app } = small();
    const guesses = await botnet(app, CEILING / LIMIT + 3);
    expect(guesses).toBe(CEILING);
    // A fresh address, a browser that never signed in: refused, right password or not.
    expect((await attempt(request.agent(app), 'demo', 'demo', address(900))).status).toBe(429);
  });

  it('lets a returning browser sign in past the ceiling: a third party cannot lock out a returning user', async () => {
    const { app } = small();
    const user = request.agent(app);
    const first = await attempt(user, 'demo', 'demo', '127.0.0.9');
    expect(cookieValue(first, 'provider.device')).toBeDefined();
    await botnet(app, CEILING / LIMIT + 1);
    expect((await attempt(request.agent(app), 'demo', 'demo', address(901))).status).toBe(429);
    // The user's own browser, from its usual address or another one.
    expect((await attempt(user, 'demo', 'demo', '127.0.0.9')).status).toBe(303);
    expect((await attempt(user, 'demo', 'demo', address(902))).status).toBe(303);
  });

  it("counts a returning browser's wrong passwords on their own, per device", async () => {
    const { app } = small();
    const user = request.agent(app);
    await attempt(user, 'demo', 'demo');
    for (let i = 0; i < LIMIT; i++) expect((await attempt(user, 'demo', 'typo')).status).toBe(401);
    expect((await attempt(user, 'demo', 'demo')).status).toBe(429);
    // Another browser at the same address is counted apart.
    expect((await attempt(request.agent(app), 'demo', 'demo')).status).toBe(303);
  });

  it("does not let a browser known to one account past another account's ceiling", async () => {
    const { app } = small();
    const user = request.agent(app);
    await attempt(user, 'demo', 'demo');
    await botnet(app, CEILING / LIMIT, 'alice');
    expect((await attempt(user, 'alice', 'guess', address(903))).status).toBe(429);
  });

  it('does not trust a device cookie whose signature does not match', async () => {
    const { app } = small();
    const user = request.agent(app);
    const device = cookieValue(await attempt(user, 'demo', 'demo'), 'provider.device') as string;
    await botnet(app, CEILING / LIMIT);
    const tampered = `${device.slice(0, -2)}${device.endsWith('AA') ? 'BB' : 'AA'}`;
    const page = await request(app).get('/login');
    const res = await request(app)
      .post('/login')
      .set('Cookie', `provider.login=${cookieValue(page, 'provider.login')}; provider.device=${tampered}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' });
    expect(res.status).toBe(429);
  });

  it('stops one address at the ceiling across accounts (password spraying)', async () => {
    const { app } = small();
    const sprayer = request.agent(app);
    for (let i = 0; i < CEILING; i++) expect((await attempt(sprayer, `user-${i}`, 'Summer2025!', '127.0.0.7')).status).toBe(401);
    expect((await attempt(sprayer, 'someone-else', 'Summer2025!', '127.0.0.7')).status).toBe(429);
  });
});

describe('POST /login: concurrent attempts', () => {
  it('lets twelve concurrent correct sign-ins all pass', async () => {
    const { app } = setup();
    const browsers = Array.from({ length: 12 }, () => request.agent(app));
    const pages = await Promise.all(browsers.map((browser) => browser.get('/login')));
    const results = await Promise.all(
      browsers.map((browser, i) =>
        browser.post('/login').type('form').send({ _csrf: csrfFrom(pages[i]?.text ?? ''), username: 'demo', password: 'demo' }),
      ),
    );
    expect(results.map((res) => res.status)).toEqual(Array(12).fill(303));
  });

  it('lets no more wrong passwords through than the limit when twenty arrive at once', async () => {
    const { app } = setup();
    const browsers = Array.from({ length: 20 }, () => request.agent(app));
    const pages = await Promise.all(browsers.map((browser) => browser.get('/login')));
    const results = await Promise.all(
      browsers.map((browser, i) =>
        browser.post('/login').type('form').send({ _csrf: csrfFrom(pages[i]?.text ?? ''), username: 'demo', password: `guess-${i}` }),
      ),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
  });
});

describe.runIf(postgresAdminUrl)('on PostgreSQL, across provider processes', () => {
  const database = postgresAdminUrl ? usePostgresDatabase() : undefined;

  /** Two apps sharing one database, each with its own pool, as two provider processes would. */
  async function twoProcesses() {
    const config = testConfig({ LOGIN_ATTEMPTS_PER_WINDOW: String(LIMIT) });
    const admin = database!.pool({ max: 2 });
    await migrate(admin);
    await admin.query('TRUNCATE rate_limits');
    const apps = [];
    for (let i = 0; i < 2; i++) {
      const pool = database!.pool({ max: 4 });
      const store = await openStore({ clients: config.clients, user: config.user, pool });
      apps.push(createApp(config, { store, sessionStore: new PostgresSessionStore(pool), attempts: new PostgresAttemptCounter(pool, config.loginWindowMs) }));
    }
    return apps as [Express, Express];
  }

  it('gives a botnet spread over two processes no more than the ceiling, and still lets the returning user in', async () => {
    const [first, second] = await twoProcesses();
    const user = request.agent(first);
    expect((await attempt(user, 'demo', 'demo', '127.0.0.9')).status).toBe(303);
    let guesses = 0;
    for (let i = 0; i < CEILING / LIMIT + 3; i++) {
      const bot = request.agent(i % 2 ? second : first);
      for (let j = 0; j < LIMIT; j++) if ((await attempt(bot, 'demo', `guess-${i}-${j}`, address(i))).status === 401) guesses++;
    }
    expect(guesses).toBe(CEILING);
    expect((await attempt(request.agent(second), 'demo', 'demo', address(950))).status).toBe(429);
    // The device cookie is signed with the shared secret: the user's browser is known to either process.
    const device = cookieValue(await attempt(user, 'demo', 'demo', '127.0.0.9'), 'provider.device') as string;
    const page = await request(second).get('/login');
    const res = await request(second)
      .post('/login')
      .set('Cookie', `provider.login=${cookieValue(page, 'provider.login')}; provider.device=${device}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: 'demo', password: 'demo' });
    expect(res.status).toBe(303);
  });
});
