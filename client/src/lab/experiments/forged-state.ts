// Experiment 5: login CSRF (RFC 6749 §10.12). The attacker signs in with their own account, stops before the
// callback, and makes the victim's browser open that callback URL: the victim's client would sign the victim in
// as the attacker, and whatever they then upload lands in the attacker's account. `state` prevents it: the
// client accepts only a response to a login started in this very browser, and refuses before any token request.
import type { TraceEntry } from '../../inspector/trace.ts';
import type { Experiment } from '../lab.ts';
import type { Result } from '../types.ts';

export const forgedState: Experiment = {
  id: 'forged-state',
  title: 'A callback with a forged state (login CSRF)',
  summary:
    'The lab plays an attacker who obtains a genuine code (you click Allow, as the attacker would for their ' +
    'own account), then sends your browser to this client’s callback with that code and a state your browser ' +
    'never issued. The client must refuse it before any token request, and the code stays unused.',
  needs: 'authorization',
  attempts: [
    {
      id: 'forged-state',
      label: 'The attacker’s code with a state this browser never issued',
      expected: 'HTTP 400 from the client, and no token request',
      rfc: ['RFC 6749 §10.12'],
      stoppedBy: [
        { file: 'client/src/routes/callback.ts', function: 'receive' },
        { file: 'client/src/oauth/pending-login.ts', function: 'take' },
      ],
    },
  ],

  start: async (lab) => lab.authorize(),

  // The attacker's genuine code, sent back to the callback through your browser with a state of the attacker's.
  async finish(lab, { code, metadata }) {
    const forged = new URL(lab.config.redirect_uri);
    forged.search = new URLSearchParams({ code, state: 'the-attackers-own-state', iss: metadata.issuer }).toString();
    return forged.pathname + forged.search;
  },

  // The client's own callback refused it and recorded the refusal (routes/callback.ts): read it from the trace.
  judge: (entries) => judgeCallback(entries, 'forged-state', /^state\b/),
};

/** The result for a callback refused by the check whose label matches `check`, and no token request after it. */
export function judgeCallback(entries: readonly TraceEntry[], attempt: string, check: RegExp): Result[] {
  const refused = [...entries]
    .reverse()
    .find((entry) => entry.letter === 'C' && entry.checks.some((c) => !c.ok && check.test(c.label)));
  if (!refused) return [];
  const exchanged = entries.some((entry) => entry.seq > refused.seq && entry.letter === 'D');
  const failed = refused.checks.find((c) => !c.ok)?.label ?? '';
  const evidence = `The client answered HTTP 400 (check failed: ${failed})${exchanged ? ', but a token request followed' : ' and sent no token request'}.`;
  return [{ attempt, outcome: exchanged ? 'accepted' : 'refused', evidence, seq: refused.seq }];
}
