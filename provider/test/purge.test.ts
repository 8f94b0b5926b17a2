import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExpiringMemoryStore } from '../src/http/session.ts';
import { CLIENT_ID, CLIENT_SECRET, basic, exchange, issueCode, obtainTokens, setup, signIn } from './helpers.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('bounded memory: expired records are purged', () => {
  it('drops expired codes, tokens and empty grants on the purge timer', async () => {
    const { agent, store } = setup({ ACCESS_TOKEN_LIFETIME: '60', REFRESH_TOKEN_LIFETIME: '120' });
    await signIn(agent);
    await obtainTokens(agent);
    await issueCode(agent); // a code never exchanged
    expect(store.size()).toEqual({ codes: 2, accessTokens: 1, refreshTokens: 1, grants: 2 });

    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const stop = store.startPurging(1_000);
    vi.advanceTimersByTime(61_000); // access token expired, refresh token not yet
    expect(store.size()).toMatchObject({ accessTokens: 0, refreshTokens: 1 });

    vi.advanceTimersByTime(600_000); // codes (10 min) and refresh token (2 min) expired
    expect(store.size()).toEqual({ codes: 0, accessTokens: 0, refreshTokens: 0, grants: 0 });
    stop();
  });

  it('keeps a used code until it expires, so a replay is still recognised (RFC 6749 §4.1.2)', async () => {
    const { agent, store } = setup();
    await signIn(agent);
    const { code, code_verifier } = await issueCode(agent);
    await exchange(agent, code, code_verifier);
    store.purgeExpired();
    expect(store.size().codes).toBe(1);
    expect((await exchange(agent, code, code_verifier)).body.error).toBe('invalid_grant');
    expect(store.size().accessTokens).toBe(0);
  });

  it('leaves no empty grant behind when tokens are revoked or expire one by one', async () => {
    const { agent, store } = setup({ ACCESS_TOKEN_LIFETIME: '60', REFRESH_TOKEN_LIFETIME: '120' });
    await signIn(agent);
    const tokens = await obtainTokens(agent);
    await agent.post('/oauth/revoke').set('Authorization', basic(CLIENT_ID, CLIENT_SECRET)).type('form').send({ token: tokens.access_token });
    expect(store.size()).toMatchObject({ accessTokens: 0, refreshTokens: 1 });
    // The code (10 minutes) and refresh token (2 minutes) expire; the grant must go with them.
    store.purgeExpired(Date.now() + 601_000);
    expect(store.size()).toEqual({ codes: 0, accessTokens: 0, refreshTokens: 0, grants: 0 });
  });

  it('treats an expired token as gone when read, before any purge (RFC 6750 §3.1)', async () => {
    const { agent } = setup({ ACCESS_TOKEN_LIFETIME: '60' });
    await signIn(agent);
    const tokens = await obtainTokens(agent);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const res = await agent.get('/api/me').set('Authorization', `Bearer ${tokens.access_token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

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
