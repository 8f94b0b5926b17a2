// Back-channel HTTP: every call this client makes to the authorization server or the resource server goes
// through `upstreamFetch`, so a provider that is down becomes one typed error (and a friendly 502/503 page),
// never an unhandled rejection; and every answer is read through `readText`, within a size limit.

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

/**
 * Each answer's deadline, covering its headers and its body; stopped as soon as the body has been read or dropped
 * (readText, discardBody). Not AbortSignal.timeout: its timer keeps the whole exchange in memory for the full
 * ten seconds after the answer has arrived, which under load adds up to tens of megabytes.
 */
const deadlines = new WeakMap<Response, NodeJS.Timeout>();

export async function upstreamFetch(fetch: Fetch, url: string, init: RequestInit, server: string): Promise<Response> {
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      ...init,
      // Never follow redirects: client credentials and tokens would travel with them.
      redirect: 'manual',
      signal: controller.signal,
    });
    deadlines.set(response, deadline);
    return response;
  } catch {
    clearTimeout(deadline);
    // Network failure or timeout. The underlying message is not shown: it may contain internal addresses.
    throw new UpstreamError(503, `The ${server} could not be reached. Is it running?`);
  }
}

// Every answer is read with a size limit, counted as the bytes arrive: a Content-Length header is only the
// sender's claim, and a chunked answer has none. Past the limit the connection is dropped and nothing read so
// far is kept, so a hostile or broken server cannot fill this process's memory or the session store.

/** Metadata (RFC 8414), token responses (RFC 6749 §5.1) and error objects (§5.2) are well under 4 KiB. */
export const JSON_ANSWER_LIMIT = 64 * 1024;
/** The protected resource may be larger, but it is kept in the session and shown on a page. */
export const RESOURCE_ANSWER_LIMIT = 1024 * 1024;
/** Deeper JSON is refused: JSON.stringify (the session store, the pages) recurses once per level. */
export const MAX_JSON_DEPTH = 32;

/** Reads the whole body as UTF-8 text, refusing it past `limit` bytes or when the connection breaks off. */
export async function readText(response: Response, limit: number, server: string): Promise<string> {
  const tooLarge = () => new UpstreamError(502, `The ${server}'s answer is larger than ${inUnits(limit)}, so this client did not read it.`);
  if (Number(response.headers.get('content-length')) > limit) {
    await discardBody(response);
    throw tooLarge();
  }
  if (!response.body) {
    await discardBody(response);
    return '';
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(chunk.value);
    }
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    // The connection closed before the end of the body, or the deadline passed while it was arriving.
    throw new UpstreamError(502, `The ${server}'s answer was cut off before its end.`);
  } finally {
    clearTimeout(deadlines.get(response));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a JSON body within `limit` bytes. Returns undefined when the body is not JSON (the caller decides
 * what that means); throws UpstreamError when it is too large, cut off, or nested deeper than MAX_JSON_DEPTH.
 */
export async function readJson(response: Response, limit: number, server: string): Promise<unknown> {
  const text = await readText(response, limit, server);
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw new UpstreamError(502, `The ${server}'s answer is JSON nested more than ${MAX_JSON_DEPTH} levels deep, which this client does not accept.`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return undefined;
  }
}

function inUnits(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** Drops a body this client does not read, so the connection is released at once. */
export async function discardBody(response: Response): Promise<void> {
  clearTimeout(deadlines.get(response));
  await response.body?.cancel().catch(() => {});
}

/** How deeply `[` and `{` nest in a JSON text, counted without parsing (brackets inside strings do not count). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++; // skip the escaped character, which may be a quote
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return deepest;
}

/** Narrows parsed JSON to a plain object so its members can be checked one by one. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
