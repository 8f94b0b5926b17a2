import OAuth2Server from '@node-oauth/oauth2-server';
import type { Store, TokenInfo } from '../store/index.ts';
import { singleValued } from '../http/params.ts';

/**
 * Finds the live token named by a revocation (RFC 7009 §2.1) or introspection (RFC 7662 §2.1) request. The `token_type_hint`
 * only decides which kind is looked up first: a wrong hint still finds the token. A rotated refresh token is
 * no longer live; looking it up here has no side effect.
 */
export async function findRequestedToken(store: Store, body: unknown): Promise<TokenInfo | null> {
  const { token, token_type_hint: hint } = singleValued(body, ['token', 'token_type_hint']);
  if (!token) throw new OAuth2Server.InvalidRequestError('Missing parameter: `token`');
  const asAccess = () => store.findAccessToken(token);
  const asRefresh = async () => {
    const found = await store.findRefreshToken(token);
    return found?.current ? found : null;
  };
  return hint === 'refresh_token' ? ((await asRefresh()) ?? asAccess()) : ((await asAccess()) ?? asRefresh());
}
