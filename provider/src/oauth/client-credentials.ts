/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3.1).
 *
 * With `client_secret_basic`, the client id and secret are each form-urlencoded *before* they are joined by
 * ":" and base64-encoded. The library's Basic parser skips that decoding step, so ids or secrets containing
 * characters such as "-", "+", "/" or ":" fail with strict clients. We decode here and hand the library plain
 * body parameters.
 *
 * The token, revocation and introspection endpoints all read credentials through `readClientCredentials`, so a
 * client authenticates the same way at each of them (RFC 7009 §2.1, RFC 7662 §2.1).
 */
import type { Request } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { Client, Store } from '../store/index.ts';

const { InvalidClientError, InvalidRequestError } = OAuth2Server;

export interface ClientCredentials {
  client_id: string;
  /** Undefined when the client presented no secret (a public client, RFC 6749 §2.1). */
  client_secret: string | undefined;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

/**
 * Told to a client whose Basic credentials do not form-urldecode. (RFC 6749 §5.2 allows only printable ASCII
 * without quotes or backslashes in error_description: hence "section", not the section sign.)
 */
const NOT_FORM_ENCODED =
  'Invalid client: the HTTP Basic credentials are not form-urlencoded. RFC 6749 section 2.3.1 requires the client ' +
  'id and secret to be form-urlencoded before they are joined with a colon and base64-encoded; several common client ' +
  'libraries skip this step. Encode them, or send client_id and client_secret in the request body instead ' +
  '(client_secret_post).';

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** RFC 6749 §2.3.1: "The client MAY omit the parameter if the client secret is an empty string." */
function secretOrAbsent(secret: string): string | undefined {
  return secret === '' ? undefined : secret;
}

export function readClientCredentials(req: Request): ClientCredentials {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const header = req.get('authorization');

  if (header !== undefined) {
    const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new InvalidClientError('Invalid client: malformed HTTP Basic credentials');
    let client_id: string;
    let client_secret: string;
    try {
      client_id = formDecode(decoded.slice(0, colon));
      client_secret = formDecode(decoded.slice(colon + 1));
    } catch {
      // A "%" not followed by two hex digits: the client base64-encoded its raw id and secret.
      throw new InvalidClientError(NOT_FORM_ENCODED);
    }
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method in a request.
    const bodySecret = body.client_secret !== undefined && body.client_secret !== '';
    if (bodySecret || (body.client_id !== undefined && body.client_id !== client_id)) {
      throw new InvalidRequestError('Invalid request: use only one client authentication method');
    }
    const secret = secretOrAbsent(client_secret);
    return { client_id, client_secret: secret, method: secret === undefined ? 'none' : 'client_secret_basic' };
  }

  const { client_id, client_secret } = body;
  if (typeof client_id !== 'string' || client_id === '') {
    throw new InvalidClientError('Invalid client: client authentication is required');
  }
  if (client_secret !== undefined && typeof client_secret !== 'string') {
    throw new InvalidRequestError('Invalid parameter: `client_secret`');
  }
  // `client_secret=` is the same as no client_secret, here as at the token endpoint.
  const secret = client_secret === undefined ? undefined : secretOrAbsent(client_secret);
  return { client_id, client_secret: secret, method: secret === undefined ? 'none' : 'client_secret_post' };
}

/**
 * Authenticates the client making a revocation or introspection request, as at the token endpoint. A public
 * client identifies itself by `client_id` alone (RFC 7009 §2.1).
 */
export async function authenticateClient(req: Request, store: Store): Promise<Client> {
  const { client_id, client_secret } = readClientCredentials(req);
  const client = await store.authenticateClient(client_id, client_secret);
  if (!client) throw new InvalidClientError('Invalid client: client authentication failed');
  return client;
}
