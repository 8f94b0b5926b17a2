// What the home page needs to show the flow inspector: the cards (one per message, each parameter
// explained), the sequence diagram above them, and which story the trace tells (a login, or a logout).
// Explanations are looked up here, when the page is rendered, so the session keeps only names and
// (masked) values.
import type { Request } from 'express';
import { csrfToken } from '../http/csrf.ts';
import { meaningOf, rfcHref } from './glossary.ts';
import type { TraceEntry } from './trace.ts';
import { diagramOf, isFailed } from './diagram.ts';

/** The flow inspector: absent until there is a trace; shown unless this browser chose to hide it. */
export function inspectorView(req: Request, authServer: string) {
  const trace = req.session.trace;
  if (!trace?.length) return undefined; // also: a first visit creates no session (no CSRF token needed)
  const shown = req.session.inspector !== false;
  return {
    shown,
    count: trace.length,
    csrf_token: csrfToken(req),
    // After a logout the trace holds only the revocations, told on a page with nobody logged in.
    story: !req.session.tokens && trace.every(isRevocation) ? ('logout' as const) : ('flow' as const),
    authServer,
    // Entries beyond MAX_ENTRIES were dropped from the start of the story: say so rather than renumber.
    dropped: (trace[0]?.seq ?? 1) - 1,
    entries: shown ? trace.map(card) : [],
    diagram: shown ? diagramOf(trace) : undefined,
  };
}

export function card(entry: TraceEntry) {
  return {
    ...entry,
    failed: isFailed(entry),
    fields: entry.fields.map((field) => ({ ...field, meaning: meaningOf(field.name, field.value) })),
    rfc: entry.rfc.map((label) => ({ label, href: rfcHref(label) })),
  };
}

/** A revocation request or response (RFC 7009), the only messages a logout sends. */
function isRevocation(entry: TraceEntry): boolean {
  return entry.rfc.some((reference) => reference.startsWith('RFC 7009'));
}
