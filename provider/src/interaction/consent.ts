/**
 * Consent decisions are single-use. Each view of the consent page creates a one-time interaction bound to the
 * login session; its id is the form's CSRF token (RFC 6749 §10.12, RFC 9700 §4.7). The first post of that form
 * consumes the interaction and runs the decision; a repeated post (a double click, a retried request) gets the
 * first answer again, the same redirect with the same code, and never causes a second code.
 */
import { createCipheriv, createDecipheriv, hash, hkdfSync, randomBytes } from 'node:crypto';
import type { AuthorizationParameters } from '../oauth/authorization-request.ts';
import type { InteractionStore } from './store.ts';

/** How long a consent page can be answered. */
const PAGE_LIFETIME_MS = 15 * 60 * 1000;
/** Consent pages one session may have open at once (tabs); beyond that its oldest stop working. */
const MAX_OPEN_PAGES = 8;
/** How long a decided page answers a repeated post with the first answer. */
const REPEAT_WINDOW_MS = 60 * 1000;
/** A repeated post that arrives while the first is still issuing the code waits this long at most. */
const WAIT_FOR_FIRST_MS = 3000;
const WAIT_STEP_MS = 20;

const sha256 = (value: string) => hash('sha256', value, 'base64url');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ConsentDecisions {
  constructor(private readonly store: InteractionStore) {}

  /** The consent page is shown: returns the one-time id its form carries. */
  async begin(sessionId: string, userId: string, request: AuthorizationParameters): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const interaction = { userId, requestDigest: requestDigest(request) };
    await this.store.create(sha256(sessionId), keyOf(sessionId, id), interaction, PAGE_LIFETIME_MS, MAX_OPEN_PAGES);
    return id;
  }

  /**
   * The form was posted with `id`. Runs `decide` (which issues the code, or denies) only for the first post of
   * this page view, and returns where to send the browser; null when the form cannot be answered (unknown,
   * expired, from another session or user, or about another request).
   */
  async decide(
    sessionId: string,
    id: string,
    userId: string,
    request: AuthorizationParameters,
    decide: () => Promise<string>,
  ): Promise<string | null> {
    const key = keyOf(sessionId, id);
    const won = await this.store.consume(key, REPEAT_WINDOW_MS);
    if (won === null) return null;
    if (won === 'decided') return this.firstAnswer(key, id);
    if (won.userId !== userId || won.requestDigest !== requestDigest(request)) return null;
    const location = await decide();
    await this.store.remember(key, seal(id, location));
    return location;
  }

  /** The answer the first post got; it may still be on its way (the code is being issued). */
  private async firstAnswer(key: string, id: string): Promise<string | null> {
    for (let waited = 0; waited <= WAIT_FOR_FIRST_MS; waited += WAIT_STEP_MS) {
      const sealed = await this.store.outcome(key);
      if (sealed !== null) return open(id, sealed);
      await sleep(WAIT_STEP_MS);
    }
    return null;
  }
}

/** The store key: the interaction of this id in this session only. Neither appears in the store as is. */
function keyOf(sessionId: string, id: string): string {
  return sha256(`${sessionId}\n${id}`);
}

function requestDigest(request: AuthorizationParameters): string {
  const { client_id, redirect_uri, scope, state, code_challenge } = request;
  return sha256(JSON.stringify([client_id, redirect_uri, scope, state ?? null, code_challenge]));
}

// The first answer carries an authorization code, and codes are never stored readable. It is sealed with a key
// derived from the interaction id, which only the browser holding the form knows (AES-256-GCM).
const outcomeKey = (id: string) => Buffer.from(hkdfSync('sha256', id, '', 'consent outcome', 32));

function seal(id: string, location: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', outcomeKey(id), iv);
  const ciphertext = Buffer.concat([cipher.update(location, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

function open(id: string, sealed: string): string | null {
  const bytes = Buffer.from(sealed, 'base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', outcomeKey(id), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
