// One warning line per failed back-channel call, from the client to the authorization server or the resource
// server: the method, the URL without its query, and the status or what went wrong. Headers (`Authorization`
// carries the client secret or a token) and bodies (codes, verifiers, tokens) are never logged. The request lines
// and the logger itself are common to both apps: common/src/log.ts.
import { pathOf, type Logger } from '@oauth-reference/common/log';
import type { Fetch } from './upstream.ts';

/**
 * Wraps `fetch` so that each failed back-channel call leaves one warning: `POST http://localhost:8080/oauth/token
 * 400`, or `… failed: connect ECONNREFUSED`. The URL loses its query; nothing of the request or response is logged.
 * Successful calls leave no line: the request line of the page that made them is enough.
 */
export function loggingFetch(fetch: Fetch, logger: Logger): Fetch {
  return async (input, init) => {
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const url = input instanceof Request ? input.url : String(input);
    const target = `${method} ${withoutQuery(url)}`;
    try {
      const response = await fetch(input, init);
      if (!response.ok) logger.warn(`Back-channel ${target} answered ${response.status}`);
      return response;
    } catch (err) {
      logger.warn(`Back-channel ${target} failed: ${reason(err)}`);
      throw err;
    }
  };
}

function withoutQuery(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return `${origin}${pathname}`;
  } catch {
    return pathOf(url);
  }
}

/** Why a call failed, in the system's words (`connect ECONNREFUSED 127.0.0.1:8080`, a timeout), never a body. */
function reason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (!(cause instanceof Error)) return String(cause);
  // Connecting to both addresses of a name fails as an AggregateError with an empty message and a code.
  return cause.message || (cause as NodeJS.ErrnoException).code || cause.name;
}
