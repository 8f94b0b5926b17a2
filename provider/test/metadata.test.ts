/**
 * Authorization server metadata (RFC 8414): what a client discovers from the issuer URL alone.
 */
import { describe, expect, it } from 'vitest';
import { ISSUER, authorizeQuery, consent, setup, signIn } from './helpers.ts';

const WELL_KNOWN = '/.well-known/oauth-authorization-server';

async function metadata(env: Record<string, string> = {}) {
  const { agent } = setup(env);
  const res = await agent.get(WELL_KNOWN);
  expect(res.status).toBe(200);
  return res;
}

describe('GET /.well-known/oauth-authorization-server (RFC 8414 §3)', () => {
  it('answers 200 with a JSON document (RFC 8414 §3.2)', async () => {
    const res = await metadata();
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(typeof res.body).toBe('object');
  });

  it('has every field RFC 8414 §2 requires: issuer, authorization_endpoint, token_endpoint, response_types_supported', async () => {
    const { body } = await metadata();
    expect(body.issuer).toEqual(expect.any(String));
    expect(body.authorization_endpoint).toEqual(expect.any(String));
    expect(body.token_endpoint).toEqual(expect.any(String));
    expect(body.response_types_supported).toEqual(expect.any(Array));
  });

  it('names the issuer exactly as configured, with no trailing slash (RFC 8414 §2, §3.3)', async () => {
    const { body } = await metadata();
    expect(body.issuer).toBe(ISSUER);
  });

  it('drops a trailing slash from a configured ISSUER, so issuer comparisons stay exact (RFC 8414 §3.3)', async () => {
    const { body } = await metadata({ ISSUER: 'http://localhost:8080/' });
    expect(body.issuer).toBe('http://localhost:8080');
    expect(body.authorization_endpoint).toBe('http://localhost:8080/oauth/authorize');
    expect(body.token_endpoint).toBe('http://localhost:8080/oauth/token');
  });

  it('uses another configured issuer everywhere', async () => {
    const { body } = await metadata({ ISSUER: 'https://as.example.com' });
    expect(body.issuer).toBe('https://as.example.com');
    expect(body.authorization_endpoint).toBe('https://as.example.com/oauth/authorize');
    expect(body.token_endpoint).toBe('https://as.example.com/oauth/token');
  });

  it('has an issuer with no query and no fragment (RFC 8414 §2)', async () => {
    const { body } = await metadata();
    const issuer = new URL(body.issuer as string);
    expect(issuer.search).toBe('');
    expect(issuer.hash).toBe('');
    expect(['http:', 'https:']).toContain(issuer.protocol);
  });

  it('puts every endpoint under the issuer', async () => {
    const { body } = await metadata();
    const endpoints = Object.entries(body as Record<string, unknown>).filter(([name]) => name.endsWith('_endpoint'));
    expect(endpoints.length).toBeGreaterThanOrEqual(2);
    for (const [, url] of endpoints) expect(url).toMatch(new RegExp(`^${ISSUER}/[^/]`));
    expect(body.authorization_endpoint).toBe(`${ISSUER}/oauth/authorize`);
    expect(body.token_endpoint).toBe(`${ISSUER}/oauth/token`);
  });

  it('advertises endpoints that exist on this app', async () => {
    const { agent } = setup();
    const { body } = await agent.get(WELL_KNOWN);
    const authorize = await agent.get(new URL(body.authorization_endpoint as string).pathname);
    expect(authorize.status).not.toBe(404);
    const token = await agent.post(new URL(body.token_endpoint as string).pathname).type('form').send({});
    expect(token.status).not.toBe(404);
    expect(token.status).toBeLessThan(500);
  });

  it("supports PKCE with S256 only: code_challenge_methods_supported is ['S256'] (RFC 8414 §2, RFC 9700 §2.1.1)", async () => {
    const { body } = await metadata();
    expect(body.code_challenge_methods_supported).toEqual(['S256']);
  });

  it("supports the code flow only: response_types_supported is ['code'] (RFC 8414 §2, RFC 9700 §2.1.2)", async () => {
    const { body } = await metadata();
    expect(body.response_types_supported).toEqual(['code']);
  });

  it('says every authorization response carries iss: authorization_response_iss_parameter_supported is true (RFC 9207 §3)', async () => {
    const { body } = await metadata();
    expect(body.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('names the same issuer as the iss parameter of authorization responses (RFC 9207 §2.4)', async () => {
    const { agent } = setup();
    const { body } = await agent.get(WELL_KNOWN);
    await signIn(agent);
    const { location } = await consent(agent, authorizeQuery());
    expect(location.searchParams.get('iss')).toBe(body.issuer);
  });

  it('lists the grant types and scopes it supports (RFC 8414 §2)', async () => {
    const { body } = await metadata();
    expect(body.grant_types_supported).toContain('authorization_code');
    expect(body.grant_types_supported).not.toContain('implicit');
    expect(body.grant_types_supported).not.toContain('password');
    expect(body.scopes_supported).toEqual(expect.arrayContaining(['profile', 'email']));
  });

  it('can be read by browser apps on other origins (CORS)', async () => {
    const { agent } = setup();
    const res = await agent.get(WELL_KNOWN).set('Origin', 'http://localhost:3000');
    expect(res.headers['access-control-allow-origin']).toBeDefined();
  });
});
