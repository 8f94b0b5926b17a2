// A tiny stand-in for the provider, started on 127.0.0.1 with an ephemeral port, so the client's tests never
// depend on port 8080. It records every back-channel request and lets a test change how it answers, down to
// hostile answers no real provider should send (`hostile`): huge, endless, cut off, deeply nested.
import type { AddressInfo } from 'node:net';
import type { Server, ServerResponse } from 'node:http';
import express from 'express';

export interface RecordedRequest {
  authorization: string | undefined;
  body: Record<string, string>;
}

export interface FakeAuthorizationServer {
  issuer: string;
  /** Served as the RFC 8414 metadata; tests may add, change or delete members. */
  metadata: Record<string, unknown>;
  /** Where the metadata is served: RFC 8414's path, OpenID Connect's, or (to simulate a broken server) neither. */
  metadataPath: 'oauth-authorization-server' | 'openid-configuration' | 'none';
  /** Replaces the default successful token response; return undefined to keep the default. */
  tokenResponse?: (body: Record<string, string>) => { status: number; json: unknown } | undefined;
  revocationStatus: number;
  /** Replaces an endpoint's answer with one written by hand, such as those of `hostile` below. */
  raw: Partial<Record<'metadata' | 'token' | 'resource', RawAnswer>>;
  /** Delays each token response, so that concurrent requests overlap. */
  tokenDelayMs: number;
  /**
   * Refresh token rotation with reuse detection (RFC 9700 §4.14.2), as the real provider does: a refresh token
   * works once, and a spent one presented again revokes every token issued so far.
   */
  rotateRefreshTokens: boolean;
  tokenRequests: RecordedRequest[];
  revocationRequests: RecordedRequest[];
  resourceRequests: (string | undefined)[];
  /** Access and refresh tokens currently accepted; a test deletes one to make it "expire". */
  validAccessTokens: Set<string>;
  validRefreshTokens: Set<string>;
  close(): Promise<void>;
}

export async function startFakeAuthorizationServer(): Promise<FakeAuthorizationServer> {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  let counter = 0;

  const fake: FakeAuthorizationServer = {
    issuer: '',
    metadata: {},
    metadataPath: 'oauth-authorization-server',
    revocationStatus: 200,
    raw: {},
    tokenDelayMs: 0,
    rotateRefreshTokens: false,
    tokenRequests: [],
    revocationRequests: [],
    resourceRequests: [],
    validAccessTokens: new Set(),
    validRefreshTokens: new Set(),
    close: async () => {},
  };

  app.get('/.well-known/:document', (req, res) => {
    if (req.params.document !== fake.metadataPath) return res.status(404).json({ error: 'not_found' });
    if (fake.raw.metadata) return fake.raw.metadata(res);
    res.json(fake.metadata);
  });

  const spentRefreshTokens = new Set<string>();
  app.post('/oauth/token', async (req, res) => {
    const body = { ...(req.body as Record<string, string>) };
    fake.tokenRequests.push({ authorization: req.get('authorization'), body });
    if (fake.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.tokenDelayMs));
    if (fake.raw.token) return fake.raw.token(res);
    const custom = fake.tokenResponse?.(body);
    if (custom) return res.status(custom.status).json(custom.json);
    if (body.grant_type === 'refresh_token' && fake.rotateRefreshTokens && spentRefreshTokens.has(body.refresh_token ?? '')) {
      fake.validAccessTokens.clear(); // reuse: the grant is presumed stolen and revoked
      fake.validRefreshTokens.clear();
    }
    if (body.grant_type === 'refresh_token' && !fake.validRefreshTokens.has(body.refresh_token ?? '')) {
      return res.status(400).json({ error: 'invalid_grant', error_description: 'refresh token is invalid' });
    }
    if (body.grant_type === 'refresh_token' && fake.rotateRefreshTokens) {
      fake.validRefreshTokens.delete(body.refresh_token ?? '');
      spentRefreshTokens.add(body.refresh_token ?? '');
    }
    counter += 1;
    const tokens = { access_token: `access-${counter}`, refresh_token: `refresh-${counter}` };
    fake.validAccessTokens.add(tokens.access_token);
    fake.validRefreshTokens.add(tokens.refresh_token);
    res.json({ ...tokens, token_type: 'Bearer', expires_in: 3600, scope: 'profile' });
  });

  app.post('/oauth/revoke', (req, res) => {
    fake.revocationRequests.push({ authorization: req.get('authorization'), body: { ...(req.body as Record<string, string>) } });
    res.status(fake.revocationStatus).end();
  });

  app.get('/api/me', (req, res) => {
    const authorization = req.get('authorization');
    fake.resourceRequests.push(authorization);
    if (fake.raw.resource) return fake.raw.resource(res);
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    if (!fake.validAccessTokens.has(token)) {
      return res.status(401).set('WWW-Authenticate', 'Bearer realm="api", error="invalid_token"').json({ error: 'invalid_token' });
    }
    res.json({ sub: 'user-1', username: 'alice' });
  });

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  fake.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.metadata = {
    issuer: fake.issuer,
    authorization_endpoint: `${fake.issuer}/oauth/authorize`,
    token_endpoint: `${fake.issuer}/oauth/token`,
    revocation_endpoint: `${fake.issuer}/oauth/revoke`,
    introspection_endpoint: `${fake.issuer}/oauth/introspect`,
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
  };
  fake.close = () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return fake;
}

/** Writes a whole answer by hand: status, headers and body. */
export type RawAnswer = (res: ServerResponse) => void;

/** JSON text nested `depth` levels deep, written directly: JSON.stringify itself would overflow the stack. */
export function nestedJson(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Answers no real authorization server sends, to check that the client survives them. */
export const hostile = {
  /** A JSON body of exactly `text`, with the given status. */
  json(text: string, status = 200): RawAnswer {
    return (res) => res.writeHead(status, { 'content-type': 'application/json' }).end(text);
  },

  /** `bytes` bytes of a JSON string, sent in chunks with no Content-Length, or declaring it when asked. */
  huge(bytes: number, { declareLength = false, status = 200 } = {}): RawAnswer {
    return (res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(bytes) } : {}) });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let left = bytes - 2;
      res.write('"');
      const writeMore = (): void => {
        while (left > 0 && !res.destroyed) {
          const part = chunk.subarray(0, Math.min(left, chunk.length));
          left -= part.length;
          if (!res.write(part)) return void res.once('drain', writeMore);
        }
        if (!res.destroyed) res.end('"');
      };
      writeMore();
    };
  },

  /** A body that never ends: chunks keep coming until the client hangs up. */
  endless(): RawAnswer {
    return (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, ' ');
      const writeMore = (): void => {
        while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', writeMore);
      };
      writeMore();
    };
  },

  /** Promises a body of `text` (Content-Length), sends the first half, then drops the connection. */
  cutOff(text: string): RawAnswer {
    return (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      res.write(text.slice(0, Math.floor(text.length / 2)), () => res.destroy());
    };
  },
};
