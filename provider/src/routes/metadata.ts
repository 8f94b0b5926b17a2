/**
 * Authorization server metadata (RFC 8414): lets clients discover every endpoint and capability from the
 * issuer URL alone, instead of hard-coding them.
 */
import { Router } from 'express';
import type { ProviderConfig } from '../config.ts';
import { SCOPES } from '../scopes.ts';
import { allowCrossOrigin, jsonHeaders } from '../http/security.ts';

export function metadataRoutes(config: ProviderConfig): Router {
  const router = Router();
  const { issuer } = config;
  const metadata = Object.freeze({
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    scopes_supported: Object.keys(SCOPES),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    code_challenge_methods_supported: ['S256'],
    // RFC 7009 and RFC 7662, with the same client authentication as the token endpoint.
    revocation_endpoint: `${issuer}/oauth/revoke`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint: `${issuer}/oauth/introspect`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    // RFC 9207 §3: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    service_documentation: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1',
  });

  // RFC 8414 §3: the metadata lives at the well-known URI derived from the issuer.
  router.get('/.well-known/oauth-authorization-server', allowCrossOrigin(), jsonHeaders, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300');
    res.json(metadata);
  });

  return router;
}
