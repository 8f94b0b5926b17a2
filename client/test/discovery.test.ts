import { describe, expect, it } from 'vitest';
import { createDiscovery } from '../src/oauth/discovery.ts';
import { UpstreamError, type Fetch } from '../src/http/upstream.ts';

const issuer = 'https://as.example.com';
const metadata = {
  issuer,
  authorization_endpoint: `${issuer}/oauth/authorize`,
  token_endpoint: `${issuer}/oauth/token`,
};

/** A fetch stub answering from a table of URL → JSON body (404 for anything else), counting calls. */
function stubFetch(documents: Record<string, unknown>) {
  const calls: string[] = [];
  const fetch: Fetch = async (input) => {
    const url = String(input);
    calls.push(url);
    const body = documents[url];
    return body === undefined
      ? new Response('not found', { status: 404 })
      : new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls };
}

describe('authorization server metadata (RFC 8414)', () => {
  it('reads /.well-known/oauth-authorization-server (RFC 8414 §3.1)', async () => {
    const { fetch, calls } = stubFetch({ [`${issuer}/.well-known/oauth-authorization-server`]: metadata });
    await expect(createDiscovery({ issuer, fetch }).get()).resolves.toMatchObject(metadata);
    expect(calls).toEqual([`${issuer}/.well-known/oauth-authorization-server`]);
  });

  it('falls back to /.well-known/openid-configuration (RFC 8414 §5)', async () => {
    const { fetch, calls } = stubFetch({ [`${issuer}/.well-known/openid-configuration`]: metadata });
    await expect(createDiscovery({ issuer, fetch }).get()).resolves.toMatchObject(metadata);
    expect(calls).toEqual([`${issuer}/.well-known/oauth-authorization-server`, `${issuer}/.well-known/openid-configuration`]);
  });

  it('inserts the well-known segment before an issuer path (RFC 8414 §3.1)', async () => {
    const tenant = `${issuer}/tenant-1`;
    const { fetch } = stubFetch({ [`${issuer}/.well-known/oauth-authorization-server/tenant-1`]: { ...metadata, issuer: tenant } });
    await expect(createDiscovery({ issuer: tenant, fetch }).get()).resolves.toMatchObject({ issuer: tenant });
  });

  it('tolerates members it does not use', async () => {
    const extra = { ...metadata, introspection_endpoint: `${issuer}/introspect`, 'x-vendor': { nested: [1, 2] } };
    const { fetch } = stubFetch({ [`${issuer}/.well-known/oauth-authorization-server`]: extra });
    await expect(createDiscovery({ issuer, fetch }).get()).resolves.toMatchObject(metadata);
  });

  it('refuses metadata whose issuer differs from the configured one (RFC 8414 §3.3)', async () => {
    const { fetch } = stubFetch({ [`${issuer}/.well-known/oauth-authorization-server`]: { ...metadata, issuer: 'https://evil.example' } });
    const error = await createDiscovery({ issuer, fetch }).get().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 502 });
  });

  it('refuses metadata without a token_endpoint', async () => {
    const { token_endpoint: _, ...incomplete } = metadata;
    const { fetch } = stubFetch({ [`${issuer}/.well-known/oauth-authorization-server`]: incomplete });
    await expect(createDiscovery({ issuer, fetch }).get()).rejects.toMatchObject({ status: 502 });
  });

  it('reports an unreachable server as a 503 UpstreamError', async () => {
    const fetch: Fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(createDiscovery({ issuer, fetch }).get()).rejects.toMatchObject({ name: 'UpstreamError', status: 503 });
  });

  it('shares one in-flight request between concurrent callers', async () => {
    const { fetch, calls } = stubFetch({ [`${issuer}/.well-known/oauth-authorization-server`]: metadata });
    const discovery = createDiscovery({ issuer, fetch });
    await Promise.all([discovery.get(), discovery.get(), discovery.get()]);
    expect(calls).toHaveLength(1);
  });

  it('caches the metadata until the TTL passes, and does not cache failures', async () => {
    let now = 0;
    const documents: Record<string, unknown> = {};
    const { fetch, calls } = stubFetch(documents);
    const discovery = createDiscovery({ issuer, fetch, ttlMs: 1000, now: () => now });

    await expect(discovery.get()).rejects.toBeInstanceOf(UpstreamError);
    documents[`${issuer}/.well-known/oauth-authorization-server`] = metadata;
    calls.length = 0;
    await discovery.get();
    now = 999;
    await discovery.get();
    expect(calls).toHaveLength(1);
    now = 1000;
    await discovery.get();
    expect(calls).toHaveLength(2);
  });
});
