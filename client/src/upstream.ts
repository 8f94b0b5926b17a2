// Back-channel HTTP: every call this client makes to the authorization server or the resource server goes
// through `upstreamFetch`, so a provider that is down becomes one typed error (and a friendly 502/503 page),
// never an unhandled rejection.

/** The `fetch` function; injectable so tests can stub the network. */
export type Fetch = typeof globalThis.fetch;

/** How long to wait for the other server before telling the user it is unavailable. */
const TIMEOUT_MS = 10_000;

/** The other server could not be reached (503) or answered with something unusable (502). */
export class UpstreamError extends Error {
  constructor(
    readonly status: 502 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export async function upstreamFetch(fetch: Fetch, url: string, init: RequestInit, server: string): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      // Never follow redirects: client credentials and tokens would travel with them.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    // Network failure or timeout. The underlying message is not shown: it may contain internal addresses.
    throw new UpstreamError(503, `The ${server} could not be reached. Is it running?`);
  }
}

/** Parses a JSON body, or returns undefined when the body is not JSON. */
export async function readJson(response: Response): Promise<unknown> {
  try {
    const parsed: unknown = await response.json();
    return parsed;
  } catch {
    return undefined;
  }
}

/** Narrows parsed JSON to a plain object so its members can be checked one by one. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
