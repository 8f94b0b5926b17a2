// The flow inspector's record: one entry per OAuth message this client sends or receives, kept in the
// server-side session so the home page can show the flow that just happened. It must never become a way
// to leak what the session protects, so masking happens here, when an entry is recorded, not in the view:
// the client secret is never kept, tokens, codes and verifiers only as their first few characters.
import type { Request } from 'express';
import type { WireObserver } from '../oauth/oauth-client.ts';

export interface TraceField {
  name: string;
  value: string;
}

export interface TraceCheck {
  label: string;
  ok: boolean;
}

/** Who sends or receives a message: the roles of RFC 6749 §1.1 (the browser is the user-agent of §4.1). */
export type Party = 'browser' | 'client' | 'authorization server' | 'resource server';

export interface TraceEntry {
  /** This message's number in the story (1 for the first), shared by its arrow and its card (`#step-N`). */
  seq: number;
  /** The step's letter in the RFC 6749 §4.1 diagram, for (A)–(E). */
  letter?: 'A' | 'C' | 'D' | 'E';
  title: string;
  /** Sender and receiver. Through the browser is the front channel; client to server is the back channel. */
  from: Party;
  to: Party;
  /** The HTTP message in one line, e.g. `POST https://as.example/oauth/token` or `HTTP 200`. */
  message: string;
  /** The HTTP status of a response, or of the answer to a request recorded together with it. */
  status?: number;
  fields: TraceField[];
  checks: TraceCheck[];
  /** A JSON body worth showing whole (the protected resource's answer). */
  json?: string;
  /** The repository path of the code that performs this step… */
  source: string;
  /** …and the function in it that sends or receives the message, when one does. */
  sourceFunction?: string;
  /** Sections that specify it, as `RFC 6749 §4.1.1`. */
  rfc: string[];
}

declare module 'express-session' {
  interface SessionData {
    trace: TraceEntry[];
    /** Whether this browser asked to see the flow inspector on the home page. */
    inspector: boolean;
  }
}

// Bounded, so a long session (many refreshes) or a crafted callback URL cannot grow the session store.
export const MAX_ENTRIES = 20;
const MAX_FIELDS = 12;
const MAX_VALUE = 200;
const MAX_JSON = 1000;

/** Names whose values are secrets, or were until used: only a prefix is kept. */
const MASKED = new Set(['code', 'code_verifier', 'state', 'access_token', 'refresh_token', 'id_token', 'token']);

export type NewEntry = Omit<TraceEntry, 'seq' | 'checks' | 'fields'> & { fields?: Iterable<[string, string]>; checks?: TraceCheck[] };

/**
 * Where entries are recorded: the request's session, or a story kept aside until the session may be written
 * (the callback's, until the code exchange has succeeded: see routes/callback.ts).
 */
export type TraceTarget = Request | { trace?: TraceEntry[] };

/** Appends an entry (oldest dropped beyond MAX_ENTRIES) and returns it, so a caller can add check results. */
export function record(target: TraceTarget, entry: NewEntry): TraceEntry {
  const holder = 'session' in target ? target.session : target;
  const trace = holder.trace ?? [];
  const stored: TraceEntry = {
    ...entry,
    seq: (trace.at(-1)?.seq ?? 0) + 1,
    message: truncate(entry.message, MAX_VALUE),
    fields: [...(entry.fields ?? [])].slice(0, MAX_FIELDS).map(([name, value]) => safeField(name, value)),
    checks: entry.checks ?? [],
    json: entry.json === undefined ? undefined : truncate(entry.json, MAX_JSON),
  };
  holder.trace = [...trace, stored].slice(-MAX_ENTRIES);
  return stored;
}

/** Adds entries recorded aside to the end of the session's story, numbered after its last one. */
export function appendTrace(req: Request, entries: readonly TraceEntry[]): void {
  const trace = req.session.trace ?? [];
  const first = (trace.at(-1)?.seq ?? 0) + 1;
  const added = entries.map((entry, i) => ({ ...entry, seq: first + i }));
  req.session.trace = [...trace, ...added].slice(-MAX_ENTRIES);
}

/** A new authorization request starts a new story. */
export function startTrace(req: Request): void {
  req.session.trace = [];
}

/** `3f9a…`: enough to recognise a value across steps, far too little to use it. */
export function mask(value: string): string {
  return value.length < 8 ? '••••' : `${value.slice(0, 4)}…`;
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function safeField(name: string, value: string): TraceField {
  name = truncate(name, 40);
  if (name === 'client_secret') return { name, value: '••••' };
  // RFC 6749 §2.3.1: Basic carries the client secret; RFC 6750 §2.1: Bearer carries the access token.
  if (name.toLowerCase() === 'authorization') {
    const [scheme = '', credentials = ''] = value.split(' ', 2);
    return { name: 'Authorization', value: scheme === 'Bearer' ? `Bearer ${mask(credentials)}` : `${truncate(scheme, 20)} ••••` };
  }
  return { name, value: MASKED.has(name) ? mask(value) : truncate(value, MAX_VALUE) };
}

/** Headings for the two entries a back-channel exchange with the authorization server produces. */
interface ExchangeHeadings {
  request: Pick<TraceEntry, 'letter' | 'title' | 'rfc'>;
  response: Pick<TraceEntry, 'letter' | 'title' | 'rfc'>;
  source: string;
  sourceFunction?: string;
}

/** Response members shown with their (masked) values; any other member is listed by name only. */
const KNOWN_MEMBERS = ['access_token', 'token_type', 'expires_in', 'refresh_token', 'scope', 'error', 'error_description'];

/** Records a token or revocation request as sent and its response as received (see oauth-client.ts). */
export function traceExchange(target: TraceTarget, headings: ExchangeHeadings): WireObserver {
  return {
    request({ method, url, headers, body }) {
      const shown = Object.entries(headers).filter(([name]) => name === 'authorization');
      const route = { from: 'client', to: 'authorization server' } as const;
      const { source, sourceFunction } = headings;
      record(target, { ...headings.request, ...route, source, sourceFunction, message: `${method} ${url}`, fields: [...shown, ...body] });
    },
    response({ status, body }) {
      const members = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.entries(body) : [];
      const fields: [string, string][] = members
        .filter(([name]) => KNOWN_MEMBERS.includes(name))
        .map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]);
      const extra = members.map(([name]) => name).filter((name) => !KNOWN_MEMBERS.includes(name));
      if (extra.length > 0) fields.push(['other members (values not kept)', extra.join(', ')]);
      const route = { from: 'authorization server', to: 'client', status } as const;
      const { source, sourceFunction } = headings;
      record(target, { ...headings.response, ...route, source, sourceFunction, message: `HTTP ${status}`, fields });
    },
  };
}
