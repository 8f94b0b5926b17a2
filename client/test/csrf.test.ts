import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAuthorizationServer, type FakeAuthorizationServer } from './fake-authorization-server.ts';
import { clientAgent, csrfTokenFrom, logIn, type Agent } from './helpers.ts';

let fake: FakeAuthorizationServer;
let agent: Agent;
beforeAll(async () => {
  fake = await startFakeAuthorizationServer();
  agent = clientAgent(fake);
  await logIn(agent, fake);
});
afterAll(() => fake.close());

describe.each(['/refresh', '/resource', '/logout'])('POST %s: cross-site request forgery defence', (path) => {
  it('refuses a form without the CSRF token with 403, changing nothing', async () => {
    const before = { tokens: fake.tokenRequests.length, revocations: fake.revocationRequests.length };
    await agent.post(path).type('form').send({}).expect(403);
    expect(fake.tokenRequests).toHaveLength(before.tokens);
    expect(fake.revocationRequests).toHaveLength(before.revocations);
  });

  it('refuses a form with a wrong CSRF token with 403', async () => {
    const token = await csrfTokenFrom(agent);
    await agent.post(path).type('form').send({ _csrf: `${token.slice(0, -1)}x` }).expect(403);
    await agent.post(path).type('form').send({ _csrf: 'short' }).expect(403);
  });

  it('refuses a CSRF token that belongs to another session', async () => {
    const other = clientAgent(fake);
    await logIn(other, fake);
    await agent.post(path).type('form').send({ _csrf: await csrfTokenFrom(other) }).expect(403);
  });

  it('answers 400 to a repeated _csrf field', async () => {
    const token = await csrfTokenFrom(agent);
    await agent.post(path).type('form').send(`_csrf=${token}&_csrf=${token}`).expect(400);
  });

  it('accepts the form with the token from the page', async () => {
    const res = await agent.post(path).type('form').send({ _csrf: await csrfTokenFrom(agent) });
    expect(res.status).toBe(303);
    if (path === '/logout') await logIn(agent, fake); // later cases need a logged-in session again
  });
});
