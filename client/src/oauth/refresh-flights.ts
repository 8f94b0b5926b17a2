// One refresh at a time per session. Two tabs pressing Refresh together send two requests with the same
// session and so the same refresh token. The authorization server rotates refresh tokens and treats a spent
// one coming back as theft (RFC 9700 §4.14.2), revoking the whole grant: both tabs would be signed out.
// So the second request does not send the token again; it waits for the first one's answer and uses it.
//
// Kept in this process's memory: a session's requests reach the process that holds its session. (With several
// processes and a shared session store, this would become a lock in that store.)
import type { TokenResponse } from './oauth-client.ts';

/** How long a finished refresh is still handed out: a request that loaded its copy of the session before the
 *  first one saved the new tokens still holds the old refresh token, and must not send it. */
const REUSE_WINDOW_MS = 30_000;

interface Flight {
  refresh_token: string;
  response: Promise<TokenResponse>;
}

export class RefreshFlights {
  private readonly flights = new Map<string, Flight>();

  /**
   * Runs `refresh` unless this session is already refreshing this same refresh token, in which case the
   * caller gets that refresh's answer. A failure is shared with the callers already waiting, then forgotten.
   */
  run(sessionId: string, refresh_token: string, refresh: () => Promise<TokenResponse>): Promise<TokenResponse> {
    const current = this.flights.get(sessionId);
    if (current?.refresh_token === refresh_token) return current.response;

    const flight: Flight = { refresh_token, response: refresh() };
    this.flights.set(sessionId, flight);
    const forget = () => {
      if (this.flights.get(sessionId) === flight) this.flights.delete(sessionId);
    };
    flight.response.then(
      () => setTimeout(forget, REUSE_WINDOW_MS).unref(),
      forget, // the next attempt (the server was down) sends the token again
    );
    return flight.response;
  }

  get size(): number {
    return this.flights.size;
  }
}
