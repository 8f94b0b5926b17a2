// What the routes receive from app.ts, in a module of its own below both: app.ts imports every route, so a route
// importing app.ts would make a cycle. Types only; app.ts builds the one context of a running client.
import type { Request, Response } from 'express';
import type { ClientConfig } from './config.ts';
import type { Fetch } from './http/upstream.ts';
import type { TraceEntry } from './inspector/trace.ts';
import type { AuthorizationServerMetadata, Discovery } from './oauth/discovery.ts';
import type { PendingLogin, PendingLogins } from './oauth/pending-login.ts';
import type { RefreshFlights } from './oauth/refresh-flights.ts';
import type { UsedStates } from './oauth/used-states.ts';

/** What every route receives: configuration, the network, the authorization server's metadata, and what this
 *  process remembers between requests beside the sessions. */
export interface ClientContext {
  config: Readonly<ClientConfig>;
  fetch: Fetch;
  discovery: Discovery;
  /** Logins in progress, kept in the browser's cookie. */
  logins: PendingLogins;
  /** Each `state` accepted once (RFC 6749 §10.12). */
  usedStates: UsedStates;
  /** One refresh at a time per session (RFC 9700 §4.14.2). */
  refreshes: RefreshFlights;
  /** Set by the security lab when it is on (lab/index.ts): finishes the authorizations the lab started. */
  lab?: {
    finish(req: Request, res: Response, response: CheckedResponse, story: { trace?: TraceEntry[] }): Promise<void>;
  };
}

/** An authorization response (RFC 6749 §4.1.2) whose state and iss the callback has checked. */
export interface CheckedResponse {
  /** The login it answers, taken from this browser's cookie. */
  pending: PendingLogin;
  metadata: AuthorizationServerMetadata;
  code?: string;
  error?: string;
  error_description?: string;
}
