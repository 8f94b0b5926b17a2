/**
 * The short-lived state of the sign-in and consent pages, behind two small interfaces with one implementation
 * per backend (`memory.ts`; a database needs one table for each).
 *
 * Neither is kept in the session object: every request loads and saves its own copy of a session, so two
 * concurrent requests could both see a field as unused. Each operation here is one atomic step of the store.
 * Keys arrive as SHA-256 digests: a leaked table names no session, account or form.
 */

/**
 * Counts failed sign-in attempts in fixed windows (RFC 6749 §10.10: guessing must be throttled). The window's
 * length is the counter's own: the first hit under a key starts it, and the count restarts once it has passed.
 */
export interface AttemptCounter {
  /** Adds one attempt under `key` and returns the count of the current window, this attempt included. */
  hit(key: string): Promise<number>;
  /** The count of the current window under `key` (0 when none). */
  count(key: string): Promise<number>;
  /** Forgets `key`: its next attempt starts a new window. */
  reset(key: string): Promise<void>;
}

/** What one view of the consent page allows the user to decide. */
export interface ConsentInteraction {
  /** The signed-in user the page was shown to. */
  userId: string;
  /** Digest of the authorization request shown: the decision must be about that request. */
  requestDigest: string;
}

/**
 * One-time consent interactions: each consent page view allows exactly one decision (RFC 6749 §10.12, RFC 9700
 * §4.7), and a repeated post of that decision (a double click) gets the first answer again.
 */
export interface InteractionStore {
  /**
   * Records a pending interaction of one session for `ttlMs`; beyond `maxPerSession` pending ones, that
   * session's oldest are forgotten (never another session's).
   */
  create(session: string, key: string, interaction: ConsentInteraction, ttlMs: number, maxPerSession: number): Promise<void>;
  /**
   * Marks a pending interaction decided, atomically: exactly one caller gets the interaction back. Later callers
   * get 'decided' for `decidedTtlMs`; an unknown or expired key gives null.
   */
  consume(key: string, decidedTtlMs: number): Promise<ConsentInteraction | 'decided' | null>;
  /** Keeps the answer given to a decided interaction (sealed: the store cannot read it). */
  remember(key: string, outcome: string): Promise<void>;
  /** The answer kept for a decided interaction, or null while there is none yet. */
  outcome(key: string): Promise<string | null>;
}
