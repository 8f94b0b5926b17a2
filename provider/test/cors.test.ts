import { describe, expect, it } from 'vitest';
import { callApi, setup, withTokens } from './helpers.ts';

const ORIGIN = 'https://spa.example';

describe('CORS for browser apps on other origins', () => {
  it('lets any origin call the API with a bearer token, and answers its preflight (RFC 6750 §2.1)', async () => {
    const { agent, tokens } = await withTokens();
    const preflight = await agent
      .options('/api/me')
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    const res = await callApi(agent, tokens.access_token).set('Origin', ORIGIN);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    // No cookies cross origins: credentials are never allowed.
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('answers the token endpoint and revocation preflights, for public clients (RFC 7009 §5)', async () => {
    const { agent } = setup();
    for (const path of ['/oauth/token', '/oauth/revoke']) {
      const preflight = await agent.options(path).set('Origin', ORIGIN).set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin'], path).toBe('*');
    }
  });

  it('sends no CORS headers to same-origin requests, which have no Origin header', async () => {
    const { agent, tokens } = await withTokens();
    const res = await callApi(agent, tokens.access_token);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('never allows cross-origin reads of the authorization endpoint or the pages (RFC 9700 §4.16)', async () => {
    const { agent } = setup();
    for (const path of ['/oauth/authorize', '/login', '/']) {
      const res = await agent.get(path).set('Origin', ORIGIN);
      expect(res.headers['access-control-allow-origin'], path).toBeUndefined();
    }
  });
});
