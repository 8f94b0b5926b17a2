/**
 * The provider under test: `createApp(config, { store, sessionStore })` as `provider/src/server.ts` calls it, but
 * without the 60 s purge timer (the benchmark purges explicitly), plus three bench-only endpoints under
 * `/__bench/` that are answered before the app sees the request:
 *
 * - `POST /__bench/codes?n=N`  issues N authorization codes through the library path the consent POST uses
 *                              (`oauth.authorize` with the signed-in user) and returns them with their PKCE verifiers;
 * - `GET  /__bench/memory`     heap (after two full GCs) and RSS, with the store's counts;
 * - `POST /__bench/purge?at=T` runs `store.purgeExpired(T)` (T defaults to now), as the purge timer would at time T.
 *
 * `BENCH_GRANTS=N` seeds N live grants before listening, through the same model methods the library calls
 * during an exchange (saveAuthorizationCode → revokeAuthorizationCode → saveToken). The token lifetimes come
 * from the usual variables (ACCESS_TOKEN_LIFETIME, …), read by `loadConfig`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createApp } from '../../provider/src/app.ts';
import { loadConfig } from '../../provider/src/config.ts';
import { ExpiringMemoryStore } from '../../provider/src/http/session.ts';
import { createModel } from '../../provider/src/oauth/model.ts';
import { createOAuthServer } from '../../provider/src/oauth/server.ts';
import { issueAuthorizationCode } from '../../provider/src/oauth/authorization-request.ts';
import { InMemoryStore, type Client, type User } from '../../provider/src/store/index.ts';
import { memory, sendJson, serve } from '../lib/serve.ts';

// SESSION_SECRET stays unset: a random one is generated for the run.
const config = loadConfig({ ISSUER: 'http://127.0.0.1', ...process.env });
const store = new InMemoryStore(config);
const app = createApp(config, { store, sessionStore: new ExpiringMemoryStore() });
// A second library instance over the same store and config: it issues codes exactly as the app's does.
const oauth = createOAuthServer(config, store);
const client = (await store.findClient(config.clients[0]!.client_id)) as Client;
const user = (await store.findUser(config.user.id)) as User;
const redirectUri = config.clients[0]!.redirect_uris[0]!;

const random = () => randomBytes(32).toString('hex');
const seconds = (n: number) => new Date(Date.now() + n * 1000);

function pkce() {
  const code_verifier = randomBytes(32).toString('base64url');
  return { code_verifier, code_challenge: createHash('sha256').update(code_verifier).digest('base64url') };
}

async function issueCodes(n: number) {
  const codes = [];
  for (let i = 0; i < n; i++) {
    const { code_verifier, code_challenge } = pkce();
    const request = { client, redirect_uri: redirectUri, scope: ['profile'], state: 'bench', code_challenge, code_challenge_method: 'S256' as const };
    codes.push({ code: await issueAuthorizationCode(oauth, request, user), code_verifier });
  }
  return codes;
}

/** Seeds `n` live grants; returns the last access token issued, for `GET /api/me`. */
async function seedGrants(n: number): Promise<string> {
  const model = createModel(store);
  let accessToken = '';
  for (let i = 0; i < n; i++) {
    const code = {
      authorizationCode: random(),
      expiresAt: seconds(config.authorizationCodeLifetime),
      redirectUri,
      scope: ['profile'],
      codeChallenge: pkce().code_challenge,
      codeChallengeMethod: 'S256',
    };
    await model.saveAuthorizationCode(code, client, user);
    await model.revokeAuthorizationCode({ ...code, client, user });
    accessToken = random();
    const token = {
      accessToken,
      accessTokenExpiresAt: seconds(config.accessTokenLifetime),
      refreshToken: random(),
      refreshTokenExpiresAt: seconds(config.refreshTokenLifetime),
      scope: ['profile'],
      authorizationCode: code.authorizationCode,
      client,
      user,
    };
    await model.saveToken(token, client, user);
  }
  return accessToken;
}

const grants = Number(process.env.BENCH_GRANTS ?? 0);
const token = grants > 0 ? await seedGrants(grants) : undefined;

serve(
  (req, res) => {
    // Checked on the raw path so that the measured requests pay nothing for the bench endpoints.
    if (!req.url?.startsWith('/__bench/')) return app(req, res);
    const url = new URL(req.url, 'http://bench');
    const number = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    if (url.pathname === '/__bench/codes') {
      issueCodes(number('n', 1)).then((codes) => sendJson(res, codes), (err) => res.writeHead(500).end(String(err)));
      return;
    }
    if (url.pathname === '/__bench/memory') return void store.size().then((size) => sendJson(res, { ...memory(), ...size }));
    if (url.pathname === '/__bench/purge') return void store.purgeExpired(number('at', Date.now())).then((dropped) => sendJson(res, { dropped }));
    res.writeHead(404).end();
  },
  { token, seeded: grants, ...memory(), ...(await store.size()) },
);
