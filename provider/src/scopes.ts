/**
 * The scopes this provider understands (RFC 6749 §3.3), each with the plain-language sentence the consent page
 * shows. A scope that is not listed here is refused at the authorization endpoint with `invalid_scope`.
 */
export const SCOPES: Readonly<Record<string, string>> = Object.freeze({
  profile: 'See your user id and username.',
  email: 'See your email address.',
});

export function isKnownScope(scope: string): boolean {
  return Object.hasOwn(SCOPES, scope);
}

/** RFC 6749 §3.3: what a client gets when it asks for no scope at all. */
export const DEFAULT_SCOPE: readonly string[] = ['profile'];

/**
 * RFC 6749 §3.3: the scope a client may be granted for a request. No scope means the default one; every
 * requested scope must be known and allowed for the client. Null when the request cannot be granted.
 */
export function grantableScope(client: { scope: string[] }, requested: string[] | undefined): string[] | null {
  if (!requested || requested.length === 0) return DEFAULT_SCOPE.filter((scope) => client.scope.includes(scope));
  const unique = [...new Set(requested)];
  return unique.every((scope) => isKnownScope(scope) && client.scope.includes(scope)) ? unique : null;
}
