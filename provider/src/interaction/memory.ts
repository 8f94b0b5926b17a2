/**
 * In-memory implementations of the interaction stores, for one process.
 *
 * Every entry of a map lives equally long, so insertion order is expiry order: expired entries are swept from
 * the front of the map as new ones arrive, without a scan and without a timer. Memory is bounded: counters by
 * `maxKeys`, consent interactions by the per-session cap and their short lives.
 */
import type { AttemptCounter, ConsentInteraction, InteractionStore } from './store.ts';

/** Drops expired entries from the front of a map whose insertion order is its expiry order. */
function sweep<V extends { expiresAt: number }>(map: Map<string, V>, now: number, dropped?: (key: string, value: V) => void): void {
  for (const [key, value] of map) {
    if (value.expiresAt > now) return;
    map.delete(key);
    dropped?.(key, value);
  }
}

export class MemoryAttemptCounter implements AttemptCounter {
  private readonly windows = new Map<string, { count: number; expiresAt: number }>();

  /**
   * `maxKeys` bounds memory under a flood of distinct keys (many accounts or addresses): past it, the window
   * that started first, the one closest to ending anyway, is forgotten.
   */
  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  async hit(key: string): Promise<number> {
    const now = Date.now();
    sweep(this.windows, now);
    const window = this.windows.get(key);
    if (window && window.expiresAt > now) return ++window.count;
    this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
    this.windows.set(key, { count: 1, expiresAt: now + this.windowMs });
    return 1;
  }

  async count(key: string): Promise<number> {
    const window = this.windows.get(key);
    return window && window.expiresAt > Date.now() ? window.count : 0;
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }
}

interface Pending {
  session: string;
  interaction: ConsentInteraction;
  expiresAt: number;
}

interface Decided {
  outcome: string | null;
  expiresAt: number;
}

export class MemoryInteractionStore implements InteractionStore {
  private readonly pending = new Map<string, Pending>();
  /** Each session's pending keys, oldest first (a handful: the cap is small). */
  private readonly bySession = new Map<string, string[]>();
  private readonly decided = new Map<string, Decided>();

  async create(session: string, key: string, interaction: ConsentInteraction, ttlMs: number, maxPerSession: number): Promise<void> {
    const now = Date.now();
    sweep(this.pending, now, (dropped, entry) => this.unlist(entry.session, dropped));
    sweep(this.decided, now);
    this.pending.set(key, { session, interaction, expiresAt: now + ttlMs });
    const keys = this.bySession.get(session) ?? [];
    keys.push(key);
    this.bySession.set(session, keys);
    // Only this session's own oldest page views are forgotten.
    while (keys.length > maxPerSession) this.pending.delete(keys.shift() as string);
  }

  async consume(key: string, decidedTtlMs: number): Promise<ConsentInteraction | 'decided' | null> {
    const now = Date.now();
    const entry = this.pending.get(key);
    if (entry) {
      // One synchronous step: no other request can run between the read and the delete.
      this.pending.delete(key);
      this.unlist(entry.session, key);
      if (entry.expiresAt <= now) return null;
      this.decided.set(key, { outcome: null, expiresAt: now + decidedTtlMs });
      return entry.interaction;
    }
    const decided = this.decided.get(key);
    return decided && decided.expiresAt > now ? 'decided' : null;
  }

  async remember(key: string, outcome: string): Promise<void> {
    const decided = this.decided.get(key);
    if (decided) decided.outcome = outcome;
  }

  async outcome(key: string): Promise<string | null> {
    const decided = this.decided.get(key);
    return decided && decided.expiresAt > Date.now() ? decided.outcome : null;
  }

  /** Counts for tests. */
  size(): { pending: number; decided: number; sessions: number } {
    return { pending: this.pending.size, decided: this.decided.size, sessions: this.bySession.size };
  }

  private unlist(session: string, key: string): void {
    const keys = this.bySession.get(session);
    if (!keys) return;
    const index = keys.indexOf(key);
    if (index !== -1) keys.splice(index, 1);
    if (keys.length === 0) this.bySession.delete(session);
  }
}
