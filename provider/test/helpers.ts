/**
 * Shared helpers for the provider's HTTP scenarios. Each test builds its own app with `createApp`; supertest
 * runs it on an ephemeral port, so nothing depends on 8080 being free.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import request from 'supertest';
import { createApp } from '../src/app.ts';
import { loadConfig, type ClientRegistration, type Env, type ProviderConfig } from '../src/config.ts';
import { InMemoryStore } from '../src/store/index.ts';
import { memoryBackend, type StoreBackend } from './support/stores.ts';

export const ISSUER = 'http://localhost:8080';
export const CLIENT_ID = 'testclient';
export const CLIENT_SECRET = 'testsecret';
export const REDIRECT_URI = 'http://localhost:3000/callback';

export function testConfig(env: Env = {}): ProviderConfig {
  return loadConfig({ ISSUER, SESSION_SECRET: 'provider-test-session-secret-32chars', ...env });
}

export function setup(env: Env = {}) {
  const config = testConfig(env);
  const store = new InMemoryStore(config);
  const app = createApp(config, { store });
  return { config, store, app, agent: request.agent(app) };
}

/**
 * Like `setup()`, on the given store implementation (memory or PostgreSQL, see support/stores.ts), holding
 * nothing yet. `clients` replaces the configured client registrations when given.
 */
export async function setupOn(backend: StoreBackend, env: Env = {}, clients?: (configured: ClientRegistration) => ClientRegistration[]) {
  const config = testConfig(env);
  const [configured] = config.clients;
  if (!configured) throw new Error('the config registers no client');
  const store = await backend.open({ clients: clients ? clients(configured) : config.clients, user: config.user });
  const app = createApp(config, { store });
  return { config, store, app, agent: request.agent(app) };
}

export type Agent = ReturnType<typeof request.agent>;

export function pkce() {
  const code_verifier = randomBytes(32).toString('base64url');
  const code_challenge = createHash('sha256').update(code_verifier).digest('base64url');
  return { code_verifier, code_challenge };
}

export function authorizeQuery(overrides: Record<string, string | undefined> = {}, code_challenge = pkce().code_challenge) {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: 'profile',
    state: 'state-123',
    code_challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, value);
  return query;
}

/** The hidden CSRF token of the page just rendered. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

export async function signIn(agent: Agent, username = 'demo', password = 'demo') {
  const page = await agent.get('/login');
  return agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username, password });
}

/** Signs in, shows the consent page and answers it; returns the redirect back to the client. */
export async function consent(agent: Agent, query: URLSearchParams, decision: 'allow' | 'deny' = 'allow') {
  const page = await agent.get(`/oauth/authorize?${query}`);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const form = Object.fromEntries(query);
  const res = await agent.post('/oauth/authorize').type('form').send({ ...form, _csrf: csrfFrom(page.text), decision });
  return { res, location: new URL(res.headers.location as string) };
}

/** Runs (A)–(C): returns a fresh authorization code and the verifier that goes with it. */
export async function issueCode(agent: Agent, overrides: Record<string, string | undefined> = {}) {
  const { code_verifier, code_challenge } = pkce();
  const { location } = await consent(agent, authorizeQuery(overrides, code_challenge));
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, code_verifier };
}

export function basic(id: string, secret: string): string {
  // RFC 6749 §2.3.1: each part form-urlencoded, then joined and base64-encoded.
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

/** (D)–(E): exchanges a code for tokens with client_secret_basic. */
export function exchange(agent: Agent, code: string, code_verifier: string, extra: Record<string, string> = {}) {
  return agent
    .post('/oauth/token')
    .set('Authorization', basic(CLIENT_ID, CLIENT_SECRET))
    .type('form')
    .send({ grant_type: 'authorization_code', code, code_verifier, redirect_uri: REDIRECT_URI, ...extra });
}

/** GET /api/me with a bearer token (RFC 6750 §2.1). */
export function callApi(agent: Agent, access_token: string) {
  return agent.get('/api/me').set('Authorization', `Bearer ${access_token}`);
}

/** The refresh_token grant (RFC 6749 §6), authenticated as the demo client unless told otherwise. */
export function refresh(agent: Agent, refresh_token: string, extra: Record<string, string> = {}, auth = basic(CLIENT_ID, CLIENT_SECRET)) {
  return agent
    .post('/oauth/token')
    .set('Authorization', auth)
    .type('form')
    .send({ grant_type: 'refresh_token', refresh_token, ...extra });
}

/** A fresh app with the demo user signed in and one completed flow: the usual start of a lifecycle test. */
export async function withTokens(env: Env = {}, overrides: Record<string, string | undefined> = {}, backend: StoreBackend = memoryBackend) {
  const context = await setupOn(backend, env);
  await signIn(context.agent);
  return { ...context, tokens: await obtainTokens(context.agent, overrides) };
}

/** The whole flow for a signed-in agent: returns the token response body. */
export async function obtainTokens(agent: Agent, overrides: Record<string, string | undefined> = {}) {
  const { code, code_verifier } = await issueCode(agent, overrides);
  const res = await exchange(agent, code, code_verifier);
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${res.text}`);
  return res.body as { access_token: string; refresh_token: string; expires_in: number; scope: string; token_type: string };
}

// ── Added for the per-step test files ────────────────────────────────────────────────────────────────────

/** A second confidential client, for scenarios that need two registrations (e.g. a code stolen by another client). */
export const OTHER_CLIENT = {
  client_id: 'otherclient',
  client_name: 'Other Client',
  token_endpoint_auth_method: 'client_secret_basic',
  client_secret: 'othersecret',
  redirect_uris: ['http://localhost:4000/callback'],
  scope: 'profile',
} as const satisfies ClientRegistration;

/**
 * Like `setup()`, but with the store built from other client registrations (the config has only one client).
 * `clients` receives the configured registration, so a test can widen or copy it.
 */
export function setupWithClients(clients: (configured: ClientRegistration) => ClientRegistration[], env: Env = {}) {
  const config = testConfig(env);
  const [configured] = config.clients;
  if (!configured) throw new Error('the config registers no client');
  const store = new InMemoryStore({ clients: clients(configured), user: config.user });
  const app = createApp(config, { store });
  return { config, store, app, agent: request.agent(app) };
}

/** The default client, also allowed to ask for `email`: for scenarios about several scopes. */
export function setupWithEmailScope(env: Env = {}) {
  return setupWithClients((configured) => [{ ...configured, scope: 'profile email' }], env);
}

/** The source list of one Content-Security-Policy directive, e.g. `cspDirective(res, 'form-action')`. */
export function cspDirective(res: { headers: Record<string, unknown> }, name: string): string[] | undefined {
  const policy = String(res.headers['content-security-policy'] ?? '');
  for (const directive of policy.split(';')) {
    const [directiveName, ...sources] = directive.trim().split(/\s+/);
    if (directiveName === name) return sources;
  }
  return undefined;
}

/** The `Set-Cookie` line for one cookie, or undefined when the response does not set it. */
export function setCookie(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const lines = Array.isArray(raw) ? (raw as string[]) : raw === undefined ? [] : [String(raw)];
  return lines.find((line) => line.startsWith(`${name}=`));
}

/** The value of one cookie from its `Set-Cookie` line. */
export function cookieValue(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  return setCookie(res, name)?.split(';')[0]?.slice(name.length + 1);
}

/** An HTTP agent whose connections leave from another loopback address: a second "machine" for rate limits. */
export function fromAddress(localAddress: string): http.Agent {
  return new http.Agent({ localAddress });
}
