// A tiny stand-in for the provider, started on 127.0.0.1 with an ephemeral port, so the client's tests never
// depend on port 8080. It records every back-channel request and lets a test change how it answers.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
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
    tokenRequests: [],
    revocationRequests: [],
    resourceRequests: [],
    validAccessTokens: new Set(),
    validRefreshTokens: new Set(),
    close: async () => {},
  };

  app.get('/.well-known/:document', (req, res) => {
    if (req.params.document !== fake.metadataPath) return res.status(404).json({ error: 'not_found' });
    res.json(fake.metadata);
  });

  app.post('/oauth/token', (req, res) => {
    const body = { ...(req.body as Record<string, string>) };
    fake.tokenRequests.push({ authorization: req.get('authorization'), body });
    const custom = fake.tokenResponse?.(body);
    if (custom) return res.status(custom.status).json(custom.json);
    if (body.grant_type === 'refresh_token' && !fake.validRefreshTokens.has(body.refresh_token ?? '')) {
      return res.status(400).json({ error: 'invalid_grant', error_description: 'refresh token is invalid' });
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
