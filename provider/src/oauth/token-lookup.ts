import type { InMemoryStore, TokenInfo } from '../store.ts';

/**
 * Finds a live token for revocation (RFC 7009 §2.1) or introspection (RFC 7662 §2.1). The `token_type_hint`
 * only decides which kind is looked up first: a wrong hint still finds the token. A rotated refresh token is
 * no longer live; looking it up here has no side effect.
 */
export function findToken(store: InMemoryStore, token: string, hint: string | undefined): TokenInfo | null {
  const asAccess = () => store.findAccessToken(token);
  const asRefresh = () => {
    const found = store.findRefreshToken(token);
    return found && !found.rotated ? found : null;
  };
  return hint === 'refresh_token' ? (asRefresh() ?? asAccess()) : (asAccess() ?? asRefresh());
}
