/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3.1).
 *
 * With `client_secret_basic`, the client id and secret are each form-urlencoded *before* they are joined by
 * ":" and base64-encoded. The library's Basic parser skips that decoding step, so ids or secrets containing
 * characters such as "-", "+", "/" or ":" fail with strict clients. We decode here and hand the library plain
 * body parameters.
 */
import type { Request } from 'express';
import OAuth2Server from '@node-oauth/oauth2-server';
import type { Client, InMemoryStore } from '../store.ts';

const { InvalidClientError, InvalidRequestError } = OAuth2Server;

export interface ClientCredentials {
  client_id: string;
  /** Undefined when the client presented no secret (a public client, RFC 6749 §2.1). */
  client_secret: string | undefined;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
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
      throw new InvalidClientError('Invalid client: malformed HTTP Basic credentials');
    }
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method in a request.
    if (body.client_secret !== undefined || (body.client_id !== undefined && body.client_id !== client_id)) {
      throw new InvalidRequestError('Invalid request: use only one client authentication method');
    }
    return { client_id, client_secret, method: 'client_secret_basic' };
  }

  const { client_id, client_secret } = body;
  if (typeof client_id !== 'string' || client_id === '') {
    throw new InvalidClientError('Invalid client: client authentication is required');
  }
  if (client_secret === undefined) return { client_id, client_secret: undefined, method: 'none' };
  if (typeof client_secret !== 'string') throw new InvalidRequestError('Invalid parameter: `client_secret`');
  return { client_id, client_secret, method: 'client_secret_post' };
}

/**
 * Authenticates the client making a revocation or introspection request, as at the token endpoint. A public
 * client identifies itself by `client_id` alone (RFC 7009 §2.1).
 */
export function authenticateClient(req: Request, store: InMemoryStore): Client {
  const { client_id, client_secret } = readClientCredentials(req);
  const client = store.authenticateClient(client_id, client_secret);
  if (!client) throw new InvalidClientError('Invalid client: client authentication failed');
  return client;
}
