// The flow inspector's sequence diagram: the trace drawn as arrows between three lanes (the browser, this
// client, the authorization and resource server), one arrow per recorded message, lettered as in the
// diagram of RFC 6749 §4.1. This file only decides what to draw; views/_diagram.ejs draws it with HTML and
// CSS (no script), and each arrow links to its card (`#step-N`).
import { STATUS_CODES } from 'node:http';
import type { Party, TraceEntry } from './trace.ts';

export type Channel = 'front' | 'back';

export interface Arrow {
  kind: 'arrow';
  /** The message's number in the story, shared with its card: the arrow links to `#step-${seq}`. */
  seq: number;
  letter?: string;
  /** "Client → Authorization server": what a screen reader says instead of drawing the arrow. */
  route: string;
  /**
   * Front channel: the message travels through the browser (redirects), where the user, extensions and
   * history can see it. Back channel: this server calls the other one directly (RFC 6749 §1.3.1, §10.3).
   */
  channel: Channel;
  direction: 'right' | 'left';
  /** The grid lines of the two lanes' centres, left one first: 2 (browser), 4 (client), 6 (servers). */
  start: number;
  end: number;
  /** The message in a few words: `POST /oauth/token`, `200 OK`, `400 invalid_grant`. */
  text: string;
  /** What a request to a shared endpoint is for: `grant_type=refresh_token`, `token_type_hint=access_token`. */
  detail?: string;
  /** For a request recorded with its answer (the resource call), or a message this client refused. */
  outcome?: string;
  failed: boolean;
}

/** Step (B), which this client never sees: drawn as a note between the browser and the server. */
export interface Note {
  kind: 'note';
  letter: 'B';
  start: number;
  end: number;
}

export interface Diagram {
  rows: (Arrow | Note)[];
  arrows: number;
}

const PARTY_NAMES: Record<Party, string> = {
  browser: 'Browser',
  client: 'Client',
  'authorization server': 'Authorization server',
  'resource server': 'Resource server',
};

/** Lane of each party, left to right; the authorization and resource servers share one (one provider). */
const LANE: Record<Party, number> = { browser: 0, client: 1, 'authorization server': 2, 'resource server': 2 };

/** The grid line through the middle of a lane, in a grid of two columns per lane. */
const centre = (party: Party) => 2 + 2 * LANE[party];

/** Parameters that tell apart the requests sent to one endpoint (the token endpoint serves two grants). */
const PURPOSE = ['grant_type', 'token_type_hint'];

/** A message failed when its answer is an HTTP error (4xx/5xx) or when a check on it was refused. */
export function isFailed(entry: TraceEntry): boolean {
  return (entry.status !== undefined && entry.status >= 400) || entry.checks.some((check) => !check.ok);
}

export function diagramOf(trace: readonly TraceEntry[]): Diagram {
  const rows: (Arrow | Note)[] = [];
  for (const entry of trace) {
    rows.push(arrowOf(entry));
    // RFC 6749 §4.1 (B): between the authorization request and the response, the user signs in and
    // decides at the authorization server; this client only sees the outcome, in (C).
    if (entry.letter === 'A') rows.push({ kind: 'note', letter: 'B', start: centre('browser'), end: centre('authorization server') });
  }
  return { rows, arrows: trace.length };
}

function arrowOf(entry: TraceEntry): Arrow {
  const [from, to] = [centre(entry.from), centre(entry.to)];
  const { text, outcome } = describe(entry);
  const purpose = entry.fields.find((field) => PURPOSE.includes(field.name));
  return {
    kind: 'arrow',
    seq: entry.seq,
    letter: entry.letter,
    route: `${PARTY_NAMES[entry.from]} → ${PARTY_NAMES[entry.to]}`,
    channel: entry.from === 'browser' || entry.to === 'browser' ? 'front' : 'back',
    direction: to >= from ? 'right' : 'left',
    start: Math.min(from, to),
    end: Math.max(from, to),
    text,
    detail: purpose && `${purpose.name}=${purpose.value}`,
    outcome,
    failed: isFailed(entry),
  };
}

/** The arrow's words, from the one-line message: a response by its status, a request by method and path. */
function describe(entry: TraceEntry): { text: string; outcome?: string } {
  const [method = '', target = ''] = entry.message.split(' ');
  const refused = entry.checks.find((check) => !check.ok);
  if (method === 'HTTP' && entry.status !== undefined) {
    // RFC 6749 §5.2: an error response names its error code, which says more than the status line.
    const error = entry.fields.find((field) => field.name === 'error')?.value;
    return { text: error ? `${entry.status} ${error}` : statusLine(entry.status) };
  }
  const text = `${method} ${pathOf(target)}`;
  if (refused) return { text, outcome: 'refused' };
  return { text, outcome: entry.status === undefined ? undefined : statusLine(entry.status) };
}

function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/** `https://as.example/oauth/token` → `/oauth/token`: the lanes already say which server. */
function pathOf(target: string): string {
  if (!URL.canParse(target)) return target;
  return new URL(target).pathname;
}
