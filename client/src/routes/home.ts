// The home page: a "Log in" link when logged out; the protected resource, token expiry and granted scopes
// when logged in; the flow inspector. It never shows a token: those stay in the server-side session.
import type { Express, Request } from 'express';
import type { ClientContext } from '../app.ts';
import { csrfToken } from '../csrf.ts';
import { singleParam } from '../errors.ts';
import { meaningOf, rfcHref } from '../glossary.ts';

// Set by POST /logout on its redirect: the session that could carry a message is gone by then.
const logoutNotices: Record<string, string> = {
  done: 'You are logged out.',
  revocation_failed:
    'You are logged out here, but the authorization server could not revoke the tokens. They stay valid until they expire.',
  revocation_unsupported:
    'You are logged out here. The authorization server does not offer token revocation (RFC 7009), so the tokens stay valid until they expire.',
};

export default function home(app: Express, _ctx: ClientContext): void {
  app.get('/', (req, res) => {
    const logout = singleParam(req.query, 'logout');
    const flash = req.session.flash;
    if (flash !== undefined) delete req.session.flash; // shown once
    const notice = flash ?? (logout && Object.hasOwn(logoutNotices, logout) ? logoutNotices[logout] : undefined);

    const tokens = req.session.tokens;
    const inspector = inspectorView(req);
    if (!tokens) return res.render('home', { title: 'Home', notice, tokens: undefined, inspector });

    res.render('home', {
      title: 'Home',
      notice,
      inspector,
      tokens: {
        expires_at: tokens.expires_at === undefined ? undefined : new Date(tokens.expires_at).toISOString(),
        expires_in_words: tokens.expires_at === undefined ? undefined : inWords(tokens.expires_at - Date.now()),
        scopes: tokens.scope.split(' ').filter(Boolean),
        has_refresh_token: tokens.refresh_token !== undefined,
      },
      resource: resourceView(req.session.resource),
      csrf_token: csrfToken(req),
    });
  });
}

/** The flow inspector: absent until there is a trace; shown unless this browser chose to hide it. */
function inspectorView(req: Request) {
  const trace = req.session.trace;
  if (!trace?.length) return undefined; // also: a first visit creates no session (no CSRF token needed)
  const shown = req.session.inspector !== false;
  const entries = trace.map((entry) => ({
    ...entry,
    fields: entry.fields.map((field) => ({ ...field, meaning: meaningOf(field.name) })),
    rfc: entry.rfc.map((label) => ({ label, href: rfcHref(label) })),
  }));
  return { shown, entries: shown ? entries : [], count: trace.length, csrf_token: csrfToken(req) };
}

/** Renders any JSON: a flat list of members for an object (such as { sub, username }), else formatted JSON. */
function resourceView(data: unknown): { entries?: { name: string; value: string }[]; json?: string } | undefined {
  if (data === undefined) return undefined;
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const entries = Object.entries(data).map(([name, value]) => ({
      name,
      value: typeof value === 'string' ? value : JSON.stringify(value, null, 2),
    }));
    return { entries };
  }
  return { json: typeof data === 'string' ? data : JSON.stringify(data, null, 2) };
}

function inWords(ms: number): string {
  if (ms <= 0) return 'expired';
  const minutes = Math.round(ms / 60_000);
  return minutes < 1 ? 'in less than a minute' : minutes === 1 ? 'in 1 minute' : `in ${minutes} minutes`;
}
