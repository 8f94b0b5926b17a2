import { describe, expect, it } from 'vitest';
import OAuth2Server from '@node-oauth/oauth2-server';
import { createModel } from '../src/oauth/model.ts';
import { InMemoryStore } from '../src/store/index.ts';
import { testConfig } from './helpers.ts';

describe('token and code generation (RFC 6749 §10.10)', () => {
  it('draws 256-bit values, base64url, never the same twice (across several refills of the random pool)', async () => {
    const model = createModel(new InMemoryStore(testConfig()));
    const client = { id: 'testclient', grants: [] } as OAuth2Server.Client;
    const values = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        i % 2 ? model.generateAccessToken!(client, {}, []) : model.generateAuthorizationCode!(client, {}, []),
      ),
    );
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(values).size).toBe(values.length);
  });
});
