/**
 * Failed-login counters in memory: an express-rate-limit `Store` with the same behaviour as the PostgreSQL one
 * (postgres-rate-limit.ts), so that one contract suite covers both. A fixed window per key: the first hit
 * starts it, and the count starts again from zero once it has passed.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { startPurging } from './shared.ts';

const PURGE_SLICE = 2_000;

export interface RateLimitStoreOptions {
  /** Keeps the counters of several limiters apart (express-rate-limit refuses one store for two limiters). */
  prefix?: string;
  /** The window; express-rate-limit sets it from its own options through `init`. */
  windowMs?: number;
}

export class MemoryRateLimitStore implements Store {
  readonly localKeys = true;
  readonly prefix: string;
  private windowMs: number;
  private readonly counters = new Map<string, { hits: number; resetAt: number }>();

  constructor(options: RateLimitStoreOptions = {}) {
    this.prefix = options.prefix ?? 'rl:';
    this.windowMs = options.windowMs ?? 60_000;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const counter = this.live(key, Date.now());
    return counter && { totalHits: counter.hits, resetTime: new Date(counter.resetAt) };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = Date.now();
    const counter = this.live(key, now) ?? { hits: 0, resetAt: now + this.windowMs };
    counter.hits++;
    this.counters.set(key, counter);
    return { totalHits: counter.hits, resetTime: new Date(counter.resetAt) };
  }

  async decrement(key: string): Promise<void> {
    const counter = this.live(key, Date.now());
    if (counter && counter.hits > 0) counter.hits--;
  }

  async resetKey(key: string): Promise<void> {
    this.counters.delete(key);
  }

  async resetAll(): Promise<void> {
    this.counters.clear();
  }

  private live(key: string, now: number) {
    const counter = this.counters.get(key);
    return counter && counter.resetAt > now ? counter : undefined;
  }

  /** Forgets finished windows, PURGE_SLICE keys at a time so that the event loop is never held for long. */
  async purgeExpired(now = Date.now()): Promise<number> {
    let dropped = 0;
    let seen = 0;
    for (const [key, counter] of this.counters) {
      if (counter.resetAt <= now) {
        this.counters.delete(key);
        dropped++;
      }
      if (++seen % PURGE_SLICE === 0) await nextTurn();
    }
    return dropped;
  }

  startPurging(intervalMs = 60_000): () => void {
    return startPurging('failed-login counters', () => this.purgeExpired(), intervalMs);
  }

  get size(): number {
    return this.counters.size;
  }
}
