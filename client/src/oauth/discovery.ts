// Authorization Server Metadata (RFC 8414): the client is configured with the issuer only and learns every
// endpoint from the server's metadata document, so the endpoints are never hard-coded here.
import { discardBody, isObject, JSON_ANSWER_LIMIT, readJson, upstreamFetch, UpstreamError, type Fetch } from '../http/upstream.ts';

/** The metadata members this client uses (RFC 8414 §2, RFC 9207 §3). Other members are ignored. */
export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  revocation_endpoint_auth_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
}

export interface Discovery {
  /** Resolves the metadata, from cache when fresh. Throws UpstreamError when it cannot be had. */
  get(): Promise<AuthorizationServerMetadata>;
}

export function createDiscovery(options: {
  issuer: string;
  fetch: Fetch;
  ttlMs?: number;
  now?: () => number;
}): Discovery {
  const { issuer, fetch, ttlMs = 5 * 60_000, now = Date.now } = options;
  let cached: { metadata: AuthorizationServerMetadata; expiresAt: number } | undefined;
  let inFlight: Promise<AuthorizationServerMetadata> | undefined;

  return {
    get() {
      if (cached && now() < cached.expiresAt) return Promise.resolve(cached.metadata);
      // Concurrent callers share one request instead of each hitting the server.
      inFlight ??= fetchMetadata(issuer, fetch)
        .then((metadata) => {
          cached = { metadata, expiresAt: now() + ttlMs };
          return metadata;
        })
        .finally(() => {
          inFlight = undefined; // a failure is not cached: the next caller tries again
        });
      return inFlight;
    },
  };
}

async function fetchMetadata(issuer: string, fetch: Fetch): Promise<AuthorizationServerMetadata> {
  // RFC 8414 §3.1 first; servers that only implement OpenID Connect Discovery publish the same members at
  // /.well-known/openid-configuration (RFC 8414 §5).
  for (const url of [wellKnownUrl(issuer, 'oauth-authorization-server'), `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`]) {
    const response = await upstreamFetch(fetch, url, { headers: { accept: 'application/json' } }, 'authorization server');
    if (response.ok) return parseMetadata(await readJson(response, JSON_ANSWER_LIMIT, 'authorization server'), issuer);
    await discardBody(response);
  }
  throw new UpstreamError(502, 'The authorization server does not publish its metadata (RFC 8414).');
}

/** RFC 8414 §3.1: the well-known segment goes between the host and any path of the issuer. */
function wellKnownUrl(issuer: string, suffix: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/${suffix}${path}`;
}

function parseMetadata(json: unknown, issuer: string): AuthorizationServerMetadata {
  if (!isObject(json)) throw new UpstreamError(502, 'The authorization server metadata is not a JSON object.');
  // RFC 8414 §3.3: the issuer in the metadata MUST be identical to the one the client was configured with,
  // otherwise an attacker-controlled document could redirect the client's requests.
  if (json.issuer !== issuer) {
    throw new UpstreamError(502, `The authorization server metadata names issuer "${String(json.issuer).slice(0, 200)}", expected "${issuer}" (RFC 8414 §3.3).`);
  }
  return {
    issuer,
    authorization_endpoint: endpoint(json, 'authorization_endpoint', true),
    token_endpoint: endpoint(json, 'token_endpoint', true),
    revocation_endpoint: endpoint(json, 'revocation_endpoint', false),
    token_endpoint_auth_methods_supported: stringList(json.token_endpoint_auth_methods_supported),
    revocation_endpoint_auth_methods_supported: stringList(json.revocation_endpoint_auth_methods_supported),
    authorization_response_iss_parameter_supported: json.authorization_response_iss_parameter_supported === true,
  };
}

function endpoint(json: Record<string, unknown>, name: string, required: true): string;
function endpoint(json: Record<string, unknown>, name: string, required: false): string | undefined;
function endpoint(json: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = json[name];
  if (value === undefined && !required) return undefined;
  // The client sends browsers and credentials to these URLs: only http(s) will do.
  if (typeof value !== 'string' || !/^https?:$/.test(URL.parse(value)?.protocol ?? '')) {
    throw new UpstreamError(502, `The authorization server metadata has no valid ${name}.`);
  }
  return value;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}
