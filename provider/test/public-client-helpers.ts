import type { Agent } from './helpers.ts';
import { authorizeQuery, consent, pkce } from './helpers.ts';

export const PUBLIC_CLIENT_ID = 'spa-client';
export const PUBLIC_REDIRECT_URI = 'http://127.0.0.1/callback';
export const PUBLIC_ENV = { PUBLIC_CLIENT_ID, PUBLIC_REDIRECT_URI };

/** The public client's flow (RFC 6749 §4.1 with PKCE and no secret): returns the token response. */
export async function obtainPublicTokens(agent: Agent, redirect_uri = PUBLIC_REDIRECT_URI) {
  const { code_verifier, code_challenge } = pkce();
  const query = authorizeQuery({ client_id: PUBLIC_CLIENT_ID, redirect_uri }, code_challenge);
  const { location } = await consent(agent, query);
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  const res = await agent
    .post('/oauth/token')
    .type('form')
    .send({ grant_type: 'authorization_code', code, code_verifier, redirect_uri, client_id: PUBLIC_CLIENT_ID });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${res.text}`);
  return res.body as { access_token: string; refresh_token: string };
}
