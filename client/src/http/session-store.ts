// Where the client's sessions live: in this process's memory, each one until its cookie expires. For several
// processes, or sessions that survive a restart, replace it with a shared store (Redis, a database table)
// implementing the same three methods; nothing else changes.
//
// Memory stays bounded whoever sends the requests. A session holding tokens exists only after a completed
// login (routes/callback.ts), so the authorization server vouches for each one: those are never evicted,
// only expired. Every other session (the story of a refused login, the page after logging out) can be caused
// by anyone, so there are at most `maxOthers` of them, each kept for half an hour at most, the oldest
// forgotten first. Starting a login stores nothing here at all (pending-login.ts).
//
// (express-session's own MemoryStore drops an expired session only when that same session is read again, so
// abandoned sessions pile up for ever.)
import session from 'express-session';
import { SESSION_LIFETIME_MS } from './session.ts';

/** A session is stored as JSON, so each request works on its own copy, as it would with a database. */
interface Entry {
  json: string;
  expiresAt: number;
}

export interface StoreOptions {
  /** How many sessions without tokens are kept at most. */
  maxOthers?: number;
  /** How long a session without tokens is kept at most. */
  othersLifetimeMs?: number;
  now?: () => number;
}

export class ExpiringMemoryStore extends session.Store {
  // A Map iterates in insertion order, and every save re-inserts its session at the end. Within one map all
  // sessions have the same lifetime, so the first to expire (and the oldest) are always at the front.
  private readonly signedIn = new Map<string, Entry>();
  private readonly others = new Map<string, Entry>();
  private readonly maxOthers: number;
  private readonly othersLifetimeMs: number;
  private readonly now: () => number;

  constructor({ maxOthers = 1000, othersLifetimeMs = 30 * 60_000, now = Date.now }: StoreOptions = {}) {
    super();
    this.maxOthers = maxOthers;
    this.othersLifetimeMs = othersLifetimeMs;
    this.now = now;
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const entry = this.signedIn.get(sid) ?? this.others.get(sid);
    if (!entry || entry.expiresAt <= this.now()) return callback(null, null);
    callback(null, JSON.parse(entry.json) as session.SessionData);
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    let json: string;
    try {
      json = JSON.stringify(data);
    } catch (err) {
      return callback?.(err);
    }
    const now = this.now();
    this.signedIn.delete(sid);
    this.others.delete(sid);
    if (data.tokens) {
      this.signedIn.set(sid, { json, expiresAt: expiryOf(data, now) });
    } else {
      this.others.set(sid, { json, expiresAt: Math.min(expiryOf(data, now), now + this.othersLifetimeMs) });
      if (this.others.size > this.maxOthers) this.others.delete(this.others.keys().next().value ?? '');
    }
    // Each save pays for the expired sessions in front of it: no timer to start or stop.
    this.purgeExpired();
    callback?.();
  }

  /** Every live session, by id (express-session's optional `all`). */
  override all(callback: (err: unknown, sessions?: Record<string, session.SessionData> | null) => void): void {
    const now = this.now();
    const sessions: Record<string, session.SessionData> = {};
    for (const map of [this.signedIn, this.others]) {
      for (const [sid, entry] of map) if (entry.expiresAt > now) sessions[sid] = JSON.parse(entry.json) as session.SessionData;
    }
    callback(null, sessions);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.signedIn.delete(sid);
    this.others.delete(sid);
    callback?.();
  }

  /** Drops the expired sessions at the front of each map; returns how many. */
  purgeExpired(): number {
    const now = this.now();
    let dropped = 0;
    for (const map of [this.signedIn, this.others]) {
      for (const [sid, entry] of map) {
        if (entry.expiresAt > now) break;
        map.delete(sid);
        dropped += 1;
      }
    }
    return dropped;
  }

  get size(): { signedIn: number; others: number } {
    return { signedIn: this.signedIn.size, others: this.others.size };
  }
}

/** express-session sets `cookie.expires` from `maxAge` (session.ts): the session ends when its cookie does. */
function expiryOf(data: session.SessionData, now: number): number {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires).getTime() : now + SESSION_LIFETIME_MS;
}
