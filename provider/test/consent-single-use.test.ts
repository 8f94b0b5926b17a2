/**
 * Each view of the consent page allows exactly one decision (RFC 6749 §10.12, RFC 9700 §4.7): a one-time
 * interaction bound to the login session, consumed atomically. A repeated post of the decision gets the first
 * answer again and never a second code.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../src/app.ts';
import { MemoryInteractionStore } from '../src/interaction/memory.ts';
import { PostgresAttemptCounter, PostgresInteractionStore, preparePostgresInteractions } from '../src/interaction/postgres.ts';
import { PostgresSessionStore, migrate, openStore } from '../src/store/index.ts';
import { authorizeQuery, cookieValue, csrfFrom, setup, signIn, testConfig, type Agent } from './helpers.ts';
import { postgresAdminUrl, usePostgresDatabase } from './support/postgres.ts';

afterEach(() => {
  vi.useRealTimers();
});

async function signedIn() {
  const context = setup();
  await signIn(context.agent);
  return context;
}

/** Shows the consent page once; returns the form a browser would post from it. */
async function consentForm(agent: Agent, overrides: Record<string, string> = {}) {
  const query = authorizeQuery(overrides);
  const page = await agent.get(`/oauth/authorize?${query}`);
  expect(page.status).toBe(200);
  return { ...Object.fromEntries(query), _csrf: csrfFrom(page.text) };
}

function post(agent: Agent, form: Record<string, string>, decision: 'allow' | 'deny' = 'allow') {
  return agent.post('/oauth/authorize').type('form').send({ ...form, decision });
}

const codeOf = (res: { headers: Record<string, unknown> }) => new URL(res.headers.location as string).searchParams.get('code');
const codes = async (store: { size(): unknown }) => ((await store.size()) as { codes: number }).codes;

describe('POST /oauth/authorize: one decision per consent page (RFC 6749 §10.12, RFC 9700 §4.7)', () => {
  it('issues exactly one code for 20 concurrent posts of one consent form, and gives each the same redirect', async () => {
    const { agent, store } = await signedIn();
    const form = await consentForm(agent);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(agent, form)));
    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(303));
    const locations = new Set(answers.map((res) => res.headers.location));
    expect(locations.size).toBe(1);
    expect(codeOf(answers[0]!)).toMatch(/^[\w-]{32,}$/);
    expect(await codes(store)).toBe(1);
  });

  it('answers a repeated post (a double click) with the same redirect and the same code, and issues no second code', async () => {
    const { agent, store } = await signedIn();
    const form = await consentForm(agent, { state: 'double-click' });
    const first = await post(agent, form);
    const second = await post(agent, form);
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await codes(store)).toBe(1);
  });

  it('answers a repeated Deny with the same access_denied redirect (RFC 6749 §4.1.2.1)', async () => {
    const { agent } = await signedIn();
    const form = await consentForm(agent);
    const first = await post(agent, form, 'deny');
    const second = await post(agent, form, 'deny');
    expect(new URL(first.headers.location as string).searchParams.get('error')).toBe('access_denied');
    expect(second.headers.location).toBe(first.headers.location);
  });

  it('keeps the first decision: Allow after Deny on the same page issues no code', async () => {
    const { agent, store } = await signedIn();
    const form = await consentForm(agent);
    const denied = await post(agent, form, 'deny');
    const allowed = await post(agent, form, 'allow');
    expect(allowed.headers.location).toBe(denied.headers.location);
    expect(await codes(store)).toBe(0);
  });

  it('refuses the form with 403 once the repeat window has passed, and issues nothing', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent, store } = await signedIn();
    const form = await consentForm(agent);
    await post(agent, form);
    vi.setSystemTime(Date.now() + 61_000);
    const late = await post(agent, form);
    expect(late.status).toBe(403);
    expect(late.headers.location).toBeUndefined();
    expect(await codes(store)).toBe(1);
  });

  it('lets each page view decide once: two views of the same request, two codes', async () => {
    const { agent, store } = await signedIn();
    const first = await consentForm(agent);
    const second = await consentForm(agent);
    expect(first._csrf).not.toBe(second._csrf);
    const a = await post(agent, first);
    const b = await post(agent, second);
    expect(codeOf(a)).not.toBe(codeOf(b));
    expect(await codes(store)).toBe(2);
  });

  it('refuses a consent page older than 15 minutes with 403', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent, store } = await signedIn();
    const form = await consentForm(agent);
    vi.setSystemTime(Date.now() + 15 * 60 * 1000 + 1);
    expect((await post(agent, form)).status).toBe(403);
    expect(await codes(store)).toBe(0);
  });

  it('refuses a form whose hidden request was changed after the page was shown with 403, and issues no code', async () => {
    const { agent, store } = await signedIn();
    const form = await consentForm(agent, { state: 'shown' });
    const res = await post(agent, { ...form, state: 'changed' });
    expect(res.status).toBe(403);
    expect(await codes(store)).toBe(0);
  });

  it('refuses a form shown before the user signed in again (a new session) with 403', async () => {
    const { agent, store } = await signedIn();
    const form = await consentForm(agent);
    await signIn(agent);
    expect((await post(agent, form)).status).toBe(403);
    expect(await codes(store)).toBe(0);
  });
});

describe('consent pages one session may have open', () => {
  it("keeps at most 8 per session: the oldest stops working, the newest still works", async () => {
    const { agent } = await signedIn();
    const forms = [];
    for (let i = 0; i < 9; i++) forms.push(await consentForm(agent, { state: `tab-${i}` }));
    expect((await post(agent, forms[0]!)).status).toBe(403);
    expect((await post(agent, forms[1]!)).status).toBe(303);
    expect((await post(agent, forms[8]!)).status).toBe(303);
  });

  it("never forgets another session's page to make room", async () => {
    const { app } = setup();
    const victim = request.agent(app);
    await signIn(victim);
    const form = await consentForm(victim);
    const other = request.agent(app);
    await signIn(other);
    for (let i = 0; i < 50; i++) await consentForm(other);
    expect((await post(victim, form)).status).toBe(303);
  });
});

/** The memory store, recording every value handed to it. */
class RecordingInteractionStore extends MemoryInteractionStore {
  readonly kept: string[] = [];

  override create(...args: Parameters<MemoryInteractionStore['create']>) {
    this.kept.push(args[0], args[1], JSON.stringify(args[2]));
    return super.create(...args);
  }

  override remember(key: string, outcome: string) {
    this.kept.push(key, outcome);
    return super.remember(key, outcome);
  }
}

describe('what the interaction store keeps', () => {
  it('keeps neither the form token nor the code readable: the first answer is sealed with the token', async () => {
    const interactions = new RecordingInteractionStore();
    const agent = request.agent(createApp(testConfig(), { interactions }));
    await signIn(agent);
    const form = await consentForm(agent);
    const code = codeOf(await post(agent, form)) as string;
    expect(interactions.kept.length).toBe(5);
    for (const value of interactions.kept) {
      expect(value).not.toContain(code);
      expect(value).not.toContain(form._csrf);
    }
    // The repeated post still gets the code back: the browser holds the token that unseals it.
    expect(codeOf(await post(agent, form))).toBe(code);
  });
});

describe.runIf(postgresAdminUrl)('on PostgreSQL, across provider processes', () => {
  const database = postgresAdminUrl ? usePostgresDatabase() : undefined;

  /** Two apps on one database, each with its own pool: two provider processes behind one load balancer. */
  async function twoProcesses() {
    const config = testConfig();
    const admin = database!.pool({ max: 2 });
    await migrate(admin);
    await preparePostgresInteractions(admin);
    const processes = [];
    for (let i = 0; i < 2; i++) {
      const pool = database!.pool({ max: 10 });
      const store = await openStore({ clients: config.clients, user: config.user, pool });
      processes.push(
        createApp(config, {
          store,
          sessionStore: new PostgresSessionStore(pool),
          interactions: new PostgresInteractionStore(pool),
          attempts: new PostgresAttemptCounter(pool, config.loginWindowMs),
        }),
      );
    }
    return { processes, store: await openStore({ clients: config.clients, user: config.user, pool: admin }) };
  }

  it('issues exactly one code for 20 concurrent posts of one consent form spread over two processes', async () => {
    const { processes, store } = await twoProcesses();
    const [first, second] = processes as [Express, Express];
    const browser = request.agent(first);
    const cookie = `provider.sid=${cookieValue(await signIn(browser), 'provider.sid')}`;
    const form = await consentForm(browser);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(i % 2 ? second : first).post('/oauth/authorize').set('Cookie', cookie).type('form').send({ ...form, decision: 'allow' }),
      ),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(303));
    expect(new Set(answers.map((res) => res.headers.location)).size).toBe(1);
    expect(await codes(store)).toBe(1);
  });
});
