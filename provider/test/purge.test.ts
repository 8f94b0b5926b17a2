import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExpiringMemoryStore } from '../src/http/session.ts';
import { CLIENT_ID, CLIENT_SECRET, basic, exchange, issueCode, obtainTokens, setupOn, signIn } from './helpers.ts';
import { storeBackends } from './support/stores.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe.each(storeBackends())('bounded storage: expired grants are purged ($name store)', (backend) => {
  async function signedIn(env = {}) {
    const context = await setupOn(backend, env);
    await signIn(context.agent);
    return context;
  }

  it('drops expired codes, tokens and grants on the purge timer', async () => {
    const { agent, store } = await signedIn({ ACCESS_TOKEN_LIFETIME: '60', REFRESH_TOKEN_LIFETIME: '120' });
    await obtainTokens(agent);
    await issueCode(agent); // a code never exchanged
    expect(await store.size()).toEqual({ grants: 2, codes: 1, accessTokens: 1, refreshTokens: 1 });

    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const stop = store.startPurging(1_000);
    await vi.advanceTimersByTimeAsync(61_000); // access token expired, refresh token not yet: the grant stays
    await vi.waitFor(async () => expect(await store.size()).toMatchObject({ grants: 2, refreshTokens: 1 }));

    await vi.advanceTimersByTimeAsync(600_000); // the code (10 min) and the refresh token (2 min) expired
    await vi.waitFor(async () => expect(await store.size()).toEqual({ grants: 0, codes: 0, accessTokens: 0, refreshTokens: 0 }));
    stop();
  });

  it('keeps a used code while its grant lives, so that a replay is still recognised (RFC 6749 §4.1.2)', async () => {
    const { agent, store } = await signedIn();
    const { code, code_verifier } = await issueCode(agent);
    const tokens = (await exchange(agent, code, code_verifier)).body;
    await store.purgeExpired();
    expect((await exchange(agent, code, code_verifier)).body.error).toBe('invalid_grant');
    expect((await agent.get('/api/me').set('Authorization', `Bearer ${tokens.access_token}`)).status).toBe(401);
    expect(await store.size()).toMatchObject({ grants: 0 });
  });

  it('leaves no grant behind once its tokens are revoked or expired', async () => {
    const { agent, store } = await signedIn({ ACCESS_TOKEN_LIFETIME: '60', REFRESH_TOKEN_LIFETIME: '120' });
    const tokens = await obtainTokens(agent);
    await agent.post('/oauth/revoke').set('Authorization', basic(CLIENT_ID, CLIENT_SECRET)).type('form').send({ token: tokens.access_token });
    expect(await store.size()).toMatchObject({ accessTokens: 0, refreshTokens: 1 });
    // The refresh token (2 minutes) expires; the grant goes with it.
    await store.purgeExpired(Date.now() + 121_000);
    expect(await store.size()).toEqual({ grants: 0, codes: 0, accessTokens: 0, refreshTokens: 0 });
  });

  it('treats an expired token as gone when read, before any purge (RFC 6750 §3.1)', async () => {
    const { agent } = await signedIn({ ACCESS_TOKEN_LIFETIME: '60' });
    const tokens = await obtainTokens(agent);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const res = await agent.get('/api/me').set('Authorization', `Bearer ${tokens.access_token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});

describe('bounded memory: expired login sessions are purged', () => {
  it('forgets expired login sessions', () => {
    const sessions = new ExpiringMemoryStore();
    const cookie = (ms: number) => ({ cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms) } }) as never;
    sessions.set('short', cookie(1_000));
    sessions.set('long', cookie(60_000));
    expect(sessions.purgeExpired(Date.now() + 2_000)).toBe(1);
    expect(sessions.size).toBe(1);
    sessions.get('long', (_err, data) => expect(data).toBeTruthy());
  });
});
