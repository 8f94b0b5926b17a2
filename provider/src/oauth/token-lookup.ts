import OAuth2Server from '@node-oauth/oauth2-server';
import type { InMemoryStore, TokenInfo } from '../store.ts';
import { singleValued } from '../http/params.ts';

/**
 * Finds the live token named by a revocation (RFC 7009 §2.1) or introspection (RFC 7662 §2.1) request. The `token_type_hint`
 * only decides which kind is looked up first: a wrong hint still finds the token. A rotated refresh token is
 * no longer live; looking it up here has no side effect.
 */
export function findRequestedToken(store: InMemoryStore, body: unknown): TokenInfo | null {
  const { token, token_type_hint: hint } = singleValued(body, ['token', 'token_type_hint']);
  if (!token) throw new OAuth2Server.InvalidRequestError('Missing parameter: `token`');
  const asAccess = () => store.findAccessToken(token);
  const asRefresh = () => {
    const found = store.findRefreshToken(token);
    return found && !found.rotated ? found : null;
  };
  return hint === 'refresh_token' ? (asRefresh() ?? asAccess()) : (asAccess() ?? asRefresh());
}
