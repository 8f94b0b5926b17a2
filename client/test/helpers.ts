// Shared steps for the HTTP scenarios: a client configured against a fake authorization server, and the
// browser's part of the flow (press Log in, come back to /callback) driven through a supertest agent.
import request from 'supertest';
import { createApp, type AppDeps } from '../src/app.ts';
import { loadConfig, type ClientConfig } from '../src/config.ts';
import type { FakeAuthorizationServer } from './fake-authorization-server.ts';

export const CLIENT_SECRET = 'client-secret-that-must-never-be-shown';

export function testConfig(issuer: string, env: Record<string, string> = {}): Readonly<ClientConfig> {
  return loadConfig({
    AUTH_SERVER: issuer,
    CLIENT_ID: 'testclient',
    CLIENT_SECRET,
    REDIRECT_URI: 'http://localhost:3000/callback',
    SESSION_SECRET: 'a-test-session-secret-of-at-least-32-chars',
    ...env,
  });
}

export type Agent = ReturnType<typeof request.agent>;

export function clientAgent(fake: FakeAuthorizationServer, env: Record<string, string> = {}, deps: AppDeps = {}): Agent {
  return request.agent(createApp(testConfig(fake.issuer, env), deps));
}

/** A client whose network can be cut: `network.online = false` makes every outgoing request fail. */
export function agentWithNetworkSwitch(fake: FakeAuthorizationServer): { agent: Agent; network: { online: boolean } } {
  const network = { online: true };
  const agent = clientAgent(fake, {}, {
    fetch: (input, init) => (network.online ? fetch(input, init) : Promise.reject(new TypeError('fetch failed'))),
  });
  return { agent, network };
}

/** Presses Log in on the home page (a same-origin POST /login); returns the authorization request it leads to. */
export async function startLogin(agent: Agent): Promise<URLSearchParams> {
  const res = await agent.post('/login').set('Sec-Fetch-Site', 'same-origin').expect(303);
  return new URL(res.headers.location ?? '').searchParams;
}

/** The whole browser round trip: /login, then /callback with a code, the state and the issuer. */
export async function logIn(agent: Agent, fake: FakeAuthorizationServer): Promise<void> {
  const authorization = await startLogin(agent);
  await agent
    .get('/callback')
    .query({ code: 'the-code', state: authorization.get('state'), iss: fake.issuer })
    .expect(303)
    .expect('Location', '/');
}

/** The CSRF token from the forms on the home page. */
export async function csrfTokenFrom(agent: Agent): Promise<string> {
  const res = await agent.get('/').expect(200);
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match?.[1]) throw new Error('no CSRF token on the home page');
  return match[1];
}

/** Decodes one application/x-www-form-urlencoded value (RFC 6749 Appendix B). */
export function formUrlDecode(value: string): string {
  return new URLSearchParams(`v=${value}`).get('v') ?? '';
}
