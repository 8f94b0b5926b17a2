// The security lab's vocabulary (the experiment itself is in lab.ts). An attempt is a request the attacker sends,
// with the RFC section that forbids it and the code that refuses it. A run is what one click found out, kept in
// the session beside the flow inspector's trace, whose cards show the messages themselves.

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
