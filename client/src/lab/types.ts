// The security lab's vocabulary. An experiment is one attack; its attempts are the requests the attacker sends,
// each with the RFC section that forbids it and the code that refuses it. A run is what one click found out,
// kept in the session beside the flow inspector's trace, whose cards show the messages themselves.
import type { CheckedResponse } from '../app.ts';
import type { TraceEntry } from '../trace.ts';
import type { Lab } from './lab.ts';

/** A function in this repository (or in a library it uses), as the lab page names it. */
export interface CodeRef {
  /** From the repository's root, e.g. `provider/src/oauth/model.ts`. */
  file: string;
  function: string;
}

export interface Attempt {
  id: string;
  /** What the attacker sends, in a few words. */
  label: string;
  /** What must happen instead. */
  expected: string;
  rfc: string[];
  /** Where the refusal happens: the provider's code for attacks on the provider, the client's for the others. */
  stoppedBy: CodeRef[];
}

export interface Experiment {
  id: string;
  title: string;
  /** The attack in two or three sentences: what the attacker holds and what they try. */
  summary: string;
  /**
   * `authorization`: the lab starts a real authorization through this browser (you sign in and click Allow, as
   * in any flow), and misuses the code that comes back. `nothing`: the experiment runs at once.
   */
  needs: 'authorization' | 'nothing';
  /** What happens when you press Run, beside the button, when the default for `needs` does not say it. */
  hint?: string;
  /** Experiment 9's authorization request goes without its PKCE challenge. */
  withoutCodeChallenge?: boolean;
  attempts: Attempt[];
  /** Called by the Run button: returns where the browser goes next. */
  start(lab: Lab): Promise<string>;
  /** Called by the callback with the checked response of an authorization the experiment started. */
  finish?(lab: Lab, response: CheckedResponse & { code: string }): Promise<string>;
  /** The same, for a response without a code (an error): unless this is set, every attempt is recorded as not run. */
  finishWithoutCode?(lab: Lab, response: CheckedResponse): Promise<string>;
  /** For refusals recorded by the client's own routes (a refused callback): the results, read from the trace. */
  judge?(entries: readonly TraceEntry[]): Result[];
}

export interface Result {
  attempt: string;
  /** `refused`: the defence held. `accepted`: the attack worked (a vulnerability). `not run`: see `evidence`. */
  outcome: 'refused' | 'accepted' | 'not run';
  /** What was seen, in one sentence: status, error code, what happened to the tokens. */
  evidence: string;
  /** The flow inspector's card that shows it (`#step-N`). */
  seq?: number;
}

/** The last experiment run in this browser, kept in its session. */
export interface LabRun {
  experiment: string;
  /** The first trace entry of this run: the lab page shows the entries from here on. */
  from: number;
  results: Result[];
  /** Experiment 10: the page the lab page tries to frame. */
  frame?: string;
  /** Experiment 7: the request, for the reader to open in the browser. */
  link?: string;
}

declare module 'express-session' {
  interface SessionData {
    lab: LabRun;
  }
}
