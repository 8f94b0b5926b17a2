import OAuth2Server from '@node-oauth/oauth2-server';

const { InvalidRequestError } = OAuth2Server;

/**
 * RFC 6749 §3.1 and §3.2: request parameters MUST NOT be included more than once. Express's parsers turn a
 * repeated parameter into an array; this returns the parameters as plain strings or throws `invalid_request`.
 */
export function singleValued(params: unknown, names: readonly string[]): Record<string, string | undefined> {
  const source = (params ?? {}) as Record<string, unknown>;
  const result: Record<string, string | undefined> = {};
  for (const name of names) {
    const value = source[name];
    if (value !== undefined && typeof value !== 'string') {
      throw new InvalidRequestError(`Invalid request: \`${name}\` must be given exactly once`);
    }
    result[name] = value;
  }
  return result;
}
