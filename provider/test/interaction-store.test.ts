/**
 * The interaction stores' contract (src/interaction/store.ts): the same cases against every implementation,
 * memory always and PostgreSQL when a server is available. On PostgreSQL, "peers" are separate pools, as
 * separate provider processes would have.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Pool } from 'pg';
import { migrate } from '../src/store/index.ts';
import { MemoryAttemptCounter, MemoryInteractionStore } from '../src/interaction/memory.ts';
import { PostgresAttemptCounter, PostgresInteractionStore, preparePostgresInteractions } from '../src/interaction/postgres.ts';
import type { AttemptCounter, InteractionStore } from '../src/interaction/store.ts';
import { postgresAdminUrl, usePostgresDatabase } from './support/postgres.ts';

const WINDOW_MS = 60_000;
const PAGE_MS = 15 * 60_000;
const REPEAT_MS = 60_000;

interface Backend {
  name: string;
  /** `count` views of the same, empty state. */
  counters(count: number): Promise<AttemptCounter[]>;
  interactions(count: number): Promise<InteractionStore[]>;
}

const memory: Backend = {
  name: 'memory',
  async counters(count) {
    const counter = new MemoryAttemptCounter(WINDOW_MS);
    return Array.from({ length: count }, () => counter);
  },
  async interactions(count) {
    const store = new MemoryInteractionStore();
    return Array.from({ length: count }, () => store);
  },
};

function postgres(): Backend {
  const database = usePostgresDatabase();
  let admin: Pool | undefined;
  const fresh = async () => {
    if (!admin) {
      admin = database.pool({ max: 2 });
      await migrate(admin);
      await preparePostgresInteractions(admin);
    }
    await admin.query('TRUNCATE rate_limits, consent_interactions');
  };
  return {
    name: 'postgres',
    async counters(count) {
      await fresh();
      return Array.from({ length: count }, () => new PostgresAttemptCounter(database.pool({ max: 4 }), WINDOW_MS));
    },
    async interactions(count) {
      await fresh();
      return Array.from({ length: count }, () => new PostgresInteractionStore(database.pool({ max: 4 })));
    },
  };
}

const backends = postgresAdminUrl ? [memory, postgres()] : [memory];

afterEach(() => {
  vi.useRealTimers();
});

describe.each(backends)('attempt counter contract ($name)', (backend) => {
  it('counts hits per key within the window, this hit included', async () => {
    const [counter] = await backend.counters(1);
    expect(await counter!.hit('a')).toBe(1);
    expect(await counter!.hit('a')).toBe(2);
    expect(await counter!.hit('b')).toBe(1);
    expect(await counter!.count('a')).toBe(2);
    expect(await counter!.count('unknown')).toBe(0);
  });

  it('forgets a key on reset', async () => {
    const [counter] = await backend.counters(1);
    await counter!.hit('a');
    await counter!.reset('a');
    expect(await counter!.count('a')).toBe(0);
    expect(await counter!.hit('a')).toBe(1);
  });

  it('starts again from one once the window has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const [counter] = await backend.counters(1);
    await counter!.hit('a');
    await counter!.hit('a');
    vi.setSystemTime(Date.now() + WINDOW_MS + 1);
    expect(await counter!.count('a')).toBe(0);
    expect(await counter!.hit('a')).toBe(1);
  });

  it('loses no hit when 20 arrive at once from several processes (RFC 6749 §10.10)', async () => {
    const peers = await backend.counters(4);
    const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => peers[i % peers.length]!.hit('a')));
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await peers[0]!.count('a')).toBe(20);
  });
});

describe.each(backends)('consent interaction store contract ($name)', (backend) => {
  const interaction = { userId: 'user1', requestDigest: 'digest-of-the-request' };

  it('gives the interaction to the first consume only, then says it was decided', async () => {
    const [store] = await backend.interactions(1);
    await store!.create('session', 'key', interaction, PAGE_MS, 8);
    expect(await store!.consume('key', REPEAT_MS)).toEqual(interaction);
    expect(await store!.consume('key', REPEAT_MS)).toBe('decided');
    expect(await store!.consume('unknown', REPEAT_MS)).toBeNull();
  });

  it('lets exactly one of 20 concurrent consumes, from several processes, win (RFC 6749 §10.12)', async () => {
    const peers = await backend.interactions(4);
    await peers[0]!.create('session', 'key', interaction, PAGE_MS, 8);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => peers[i % peers.length]!.consume('key', REPEAT_MS)));
    expect(results.filter((result) => typeof result === 'object' && result !== null)).toHaveLength(1);
    expect(results.filter((result) => result === 'decided')).toHaveLength(19);
  });

  it('keeps the first answer for a decided interaction, for every process', async () => {
    const peers = await backend.interactions(2);
    await peers[0]!.create('session', 'key', interaction, PAGE_MS, 8);
    await peers[0]!.consume('key', REPEAT_MS);
    expect(await peers[1]!.outcome('key')).toBeNull();
    await peers[0]!.remember('key', 'sealed answer');
    expect(await peers[1]!.outcome('key')).toBe('sealed answer');
  });

  it('forgets a pending interaction after its lifetime, and a decided one after the repeat window', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const [store] = await backend.interactions(1);
    await store!.create('session', 'old', interaction, PAGE_MS, 8);
    await store!.create('session', 'decided', interaction, PAGE_MS, 8);
    await store!.consume('decided', REPEAT_MS);
    await store!.remember('decided', 'sealed answer');
    vi.setSystemTime(Date.now() + REPEAT_MS + 1);
    expect(await store!.outcome('decided')).toBeNull();
    expect(await store!.consume('decided', REPEAT_MS)).toBeNull();
    vi.setSystemTime(Date.now() + PAGE_MS);
    expect(await store!.consume('old', REPEAT_MS)).toBeNull();
  });

  it("keeps at most the cap of pending interactions per session, dropping that session's oldest only", async () => {
    const [store] = await backend.interactions(1);
    await store!.create('other', 'other-1', interaction, PAGE_MS, 3);
    for (let i = 1; i <= 4; i++) await store!.create('session', `key-${i}`, interaction, PAGE_MS, 3);
    expect(await store!.consume('key-1', REPEAT_MS)).toBeNull();
    for (const key of ['key-2', 'key-3', 'key-4', 'other-1']) expect(await store!.consume(key, REPEAT_MS)).toEqual(interaction);
  });

  it('does not count decided interactions against the cap', async () => {
    const [store] = await backend.interactions(1);
    await store!.create('session', 'key-1', interaction, PAGE_MS, 2);
    await store!.consume('key-1', REPEAT_MS);
    await store!.create('session', 'key-2', interaction, PAGE_MS, 2);
    await store!.create('session', 'key-3', interaction, PAGE_MS, 2);
    expect(await store!.consume('key-2', REPEAT_MS)).toEqual(interaction);
    expect(await store!.consume('key-1', REPEAT_MS)).toBe('decided');
  });
});

describe('the memory attempt counter under a flood of distinct keys', () => {
  it('keeps at most maxKeys windows, forgetting the one that started first', async () => {
    const counter = new MemoryAttemptCounter(WINDOW_MS, 3);
    for (const key of ['a', 'b', 'c', 'd']) await counter.hit(key);
    expect(counter.size).toBe(3);
    expect(await counter.count('a')).toBe(0);
    expect(await counter.count('d')).toBe(1);
  });

  it('drops finished windows as new ones start, without a timer', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const counter = new MemoryAttemptCounter(WINDOW_MS);
    for (let i = 0; i < 100; i++) await counter.hit(`key-${i}`);
    vi.setSystemTime(Date.now() + WINDOW_MS + 1);
    await counter.hit('fresh');
    expect(counter.size).toBe(1);
  });
});

describe('the memory interaction store', () => {
  it('forgets the interactions of sessions that never come back, as new ones arrive, without a timer', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new MemoryInteractionStore();
    const interaction = { userId: 'user1', requestDigest: 'digest' };
    for (let i = 0; i < 100; i++) await store.create(`session-${i}`, `key-${i}`, interaction, PAGE_MS, 8);
    await store.consume('key-0', REPEAT_MS);
    vi.setSystemTime(Date.now() + PAGE_MS + 1);
    await store.create('session-new', 'key-new', interaction, PAGE_MS, 8);
    expect(store.size()).toEqual({ pending: 1, decided: 0, sessions: 1 });
  });
});
