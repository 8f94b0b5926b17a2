/**
 * Login sessions on PostgreSQL (src/store/postgres-sessions.ts) and the failed-login counters
 * (src/store/memory-rate-limit.ts, postgres-rate-limit.ts): one contract for both counter stores.
 */
import type { Store as RateLimitStore } from 'express-rate-limit';
import type session from 'express-session';
import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore, PostgresRateLimitStore, PostgresSessionStore, migrate } from '../../src/store/index.ts';
import { digest } from '../../src/store/secrets.ts';
import { postgresAdminUrl, usePostgresDatabase, type TestDatabase } from '../support/postgres.ts';

const database: TestDatabase | undefined = postgresAdminUrl ? usePostgresDatabase() : undefined;

async function migratedPool(max = 10) {
  const pool = database!.pool({ max });
  await migrate(pool);
  return pool;
}

const promised = <T>(call: (callback: (err: unknown, value?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) => call((err, value) => (err ? reject(err) : resolve(value))));

const sessionData = (ms: number, userId = 'user1') =>
  ({ cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms) }, userId }) as unknown as session.SessionData;

describe.skipIf(!postgresAdminUrl)('PostgresSessionStore: login sessions shared by every process', () => {
  it('keeps a session under a digest of its id, so a copy of the table holds no usable session id', async () => {
    const pool = await migratedPool();
    const sessions = new PostgresSessionStore(pool);
    const sid = 'a-session-id-from-the-cookie';
    await promised((cb) => sessions.set(sid, sessionData(60_000), cb));
    expect(await promised((cb) => sessions.get(sid, cb))).toMatchObject({ userId: 'user1' });
    const { rows } = await pool.query('SELECT sid FROM login_sessions');
    expect(rows.map((row) => row.sid)).toContain(digest(sid));
    expect(JSON.stringify(rows)).not.toContain(sid);
    // Another process, another store on another pool: the same session.
    const elsewhere = new PostgresSessionStore(database!.pool({ max: 1 }));
    expect(await promised((cb) => elsewhere.get(sid, cb))).toMatchObject({ userId: 'user1' });
    await promised((cb) => sessions.destroy(sid, cb));
    expect(await promised((cb) => elsewhere.get(sid, cb))).toBeFalsy();
  });

  it('does not return an expired session, and purges expired ones in batches', async () => {
    const pool = await migratedPool();
    const sessions = new PostgresSessionStore(pool);
    await promised((cb) => sessions.set('short', sessionData(1_000), cb));
    await promised((cb) => sessions.set('long', sessionData(3_600_000), cb));
    expect(await sessions.purgeExpired(Date.now() + 5_000)).toBeGreaterThanOrEqual(1);
    expect(await promised((cb) => sessions.get('short', cb))).toBeFalsy();
    expect(await promised((cb) => sessions.get('long', cb))).toMatchObject({ userId: 'user1' });
  });
});

const counterStores: { name: string; open: (prefix: string) => Promise<RateLimitStore & { purgeExpired(now?: number): Promise<number> }> }[] = [
  { name: 'memory', open: async (prefix) => new MemoryRateLimitStore({ prefix, windowMs: 60_000 }) },
];
if (database) {
  counterStores.push({ name: 'postgres', open: async (prefix) => new PostgresRateLimitStore(await migratedPool(2), { prefix, windowMs: 60_000 }) });
}

describe.each(counterStores)('failed-login counters: an express-rate-limit store ($name)', ({ name, open }) => {
  let n = 0;
  const prefix = () => `t${++n}:`;

  it('counts hits per key within one window, with its reset time', async () => {
    const counters = await open(prefix());
    const before = Date.now();
    expect((await counters.increment('ip:203.0.113.1')).totalHits).toBe(1);
    const second = await counters.increment('ip:203.0.113.1');
    expect(second.totalHits).toBe(2);
    expect(second.resetTime!.getTime()).toBeGreaterThanOrEqual(before + 59_000);
    expect((await counters.increment('ip:203.0.113.2')).totalHits).toBe(1);
    expect(await counters.get!('ip:203.0.113.1')).toMatchObject({ totalHits: 2 });
    expect(await counters.get!('never-seen')).toBeUndefined();
  });

  it('decrements, resets one key, and keeps limiters with different prefixes apart', async () => {
    const counters = await open(prefix());
    const other = await open(prefix());
    await counters.increment('user:demo');
    await counters.increment('user:demo');
    await other.increment('user:demo');
    await counters.decrement('user:demo');
    expect(await counters.get!('user:demo')).toMatchObject({ totalHits: 1 });
    await counters.resetKey('user:demo');
    expect(await counters.get!('user:demo')).toBeUndefined();
    expect(await other.get!('user:demo')).toMatchObject({ totalHits: 1 });
  });

  it('accepts keys of any length and content (a username is whatever was typed)', async () => {
    const counters = await open(prefix());
    const key = `user:${'x'.repeat(20_000)}\u00e9`;
    expect((await counters.increment(key)).totalHits).toBe(1);
    expect((await counters.increment(key)).totalHits).toBe(2);
  });

  it('starts counting again once the window has passed, and purges finished windows', async () => {
    const counters = await open(prefix());
    await counters.increment('ip:198.51.100.7');
    expect(await counters.purgeExpired(Date.now())).toBe(0);
    expect(await counters.purgeExpired(Date.now() + 61_000)).toBeGreaterThanOrEqual(1);
    expect((await counters.increment('ip:198.51.100.7')).totalHits).toBe(1);
  });

  it(`loses no hit when 20 attempts arrive at once${name === 'postgres' ? ' from different processes' : ''} (RFC 6749 §10.10)`, async () => {
    const key = prefix();
    const stores = await Promise.all(Array.from({ length: 20 }, (_, i) => (name === 'memory' && i > 0 ? null : open(key))));
    const first = stores[0]!;
    const counts = await Promise.all(stores.map((store) => (store ?? first).increment('user:demo')));
    expect(counts.map((count) => count.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
