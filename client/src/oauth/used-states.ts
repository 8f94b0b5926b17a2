// RFC 6749 §10.12: each `state` answers one authorization request, so the callback accepts it once. The pending
// login itself travels in the browser's cookie (pending-login.ts), and twenty copies of one callback carry
// twenty copies of that cookie: only the server can tell which arrived first. This store is where it does.
//
// `use` decides in one synchronous step (look up and insert, with no `await` between them), so of any number
// of concurrent requests exactly one wins. A field of the session could not do this: each request loads and
// saves its own copy of the session. With several client processes this becomes one statement in a shared
// database, `INSERT … ON CONFLICT DO NOTHING`, whose row count says whether this call won.
//
// Bounded: an entry is only needed while its pending login could still be presented (PENDING_LOGIN_TTL_MS),
// and only requests that carried a genuine pending login for that state (the cookie is encrypted and
// authenticated) get this far. Past `max` entries the oldest are forgotten first: that only affects a state
// spent many minutes ago, whose browser no longer holds it (the callback's answer removed it from the cookie).

export interface UsedStatesOptions {
  /** How long a state must be remembered: the lifetime of a pending login. */
  ttlMs: number;
  max?: number;
  now?: () => number;
}

export class UsedStates {
  // Insertion order is expiry order (every entry lives ttlMs), so expired entries are always at the front.
  private readonly expiries = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor({ ttlMs, max = 100_000, now = Date.now }: UsedStatesOptions) {
    this.ttlMs = ttlMs;
    this.max = max;
    this.now = now;
  }

  /** Marks `state` as used. True for the first call with this state, false for every later one. */
  use(state: string): boolean {
    const now = this.now();
    this.forgetExpired(now);
    if (this.expiries.has(state)) return false;
    if (this.expiries.size >= this.max) this.forgetOldest();
    this.expiries.set(state, now + this.ttlMs);
    return true;
  }

  get size(): number {
    return this.expiries.size;
  }

  private forgetExpired(now: number): void {
    for (const [state, expiresAt] of this.expiries) {
      if (expiresAt > now) return;
      this.expiries.delete(state);
    }
  }

  private forgetOldest(): void {
    const oldest = this.expiries.keys().next();
    if (!oldest.done) this.expiries.delete(oldest.value);
  }
}
