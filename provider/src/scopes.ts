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
