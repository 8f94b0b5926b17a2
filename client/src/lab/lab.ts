// What an experiment is (`Experiment`) and what it gets to work with (`Lab`): the attacker's requests (attacker.ts),
// real authorizations started through this browser, and the results of its attempts, kept in the session for the
// lab page (LabRun in types.ts).
import type { Request, Response } from 'express';
import type { ClientConfig } from '../config.ts';
import type { CheckedResponse, ClientContext } from '../context.ts';
import { traceMark } from '../inspector/landing.ts';
import type { TraceEntry } from '../inspector/trace.ts';
import type { AuthorizationServerMetadata } from '../oauth/discovery.ts';
import { randomToken } from '../oauth/oauth-client.ts';
import type { PendingLogin } from '../oauth/pending-login.ts';
import { authorizationUrl } from '../routes/login.ts';
import { Attacker } from './attacker.ts';
import type { Attempt, Result } from './types.ts';

/** One attack: what the lab page says about it, and what its Run button and the callback do. */
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

/** Where the browser goes when an experiment is over: the lab page, opened on the result. */
export const LAB_RESULT = '/lab#result';

export class Lab {
  readonly attacker: Attacker;

  constructor(
    private readonly ctx: ClientContext,
    private readonly req: Request,
    private readonly res: Response,
    readonly metadata: AuthorizationServerMetadata,
    readonly experiment: Experiment,
    /** In `finish`: the login that the authorization response answered. */
    readonly pending?: PendingLogin,
  ) {
    this.attacker = new Attacker(ctx, req, metadata, `client/src/lab/experiments/${experiment.id}.ts`);
  }

  get config(): Readonly<ClientConfig> {
    return this.ctx.config;
  }

  /** Which of the experiment's authorizations came back: 2 for the second one (experiment 3 needs two codes). */
  get step(): number {
    return parsePurpose(this.pending?.purpose ?? '').step;
  }

  /** The code_verifier of the authorization that came back: what the real client would send. */
  get code_verifier(): string {
    return this.pending?.code_verifier ?? '';
  }

  /**
   * Starts a real authorization through this browser, exactly as the Log in button does (routes/login.ts),
   * except that its pending login names this experiment: the callback checks the response as always, then
   * hands it to the lab instead of signing anyone in. Returns the authorization request's URL.
   */
  authorize(step = 1): string {
    const login = this.startLogin(step);
    return labAuthorizationUrl(this.config, this.metadata, login, this.experiment.withoutCodeChallenge).href;
  }

  /** A login in progress in this browser (its state and code_verifier in the cookie), for a response the lab forges. */
  startLogin(step = 1): { state: string; code_verifier: string } {
    const login = { state: randomToken(), code_verifier: randomToken() };
    this.ctx.logins.add(this.req, this.res, { ...login, purpose: purposeOf(this.experiment.id, step) });
    return login;
  }

  /** The number of the last message recorded: the card a result points to. */
  lastSeq(): number {
    return this.req.session.trace?.at(-1)?.seq ?? 0;
  }

  result(attempt: string, outcome: Result['outcome'], evidence: string, seq?: number): void {
    if (!evidence.endsWith('.')) evidence += '.';
    const run = this.req.session.lab;
    if (run)
      run.results = [
        ...run.results.filter((result) => result.attempt !== attempt),
        { attempt, outcome, evidence, seq },
      ];
  }

  /** Something the lab page shows with the result: a page to frame (experiment 10), a request to open (7). */
  show(extra: { frame?: string; link?: string }): void {
    if (this.req.session.lab) Object.assign(this.req.session.lab, extra);
  }
}

/** A new run of `experiment` in this browser: the lab page shows its results and the messages from here on. */
export function startRun(req: Request, experiment: Experiment): void {
  req.session.lab = { experiment: experiment.id, from: traceMark(req), results: [] };
}

/** The lab's authorization request: the client's own (RFC 6749 §4.1.1 with PKCE), or without its challenge. */
export function labAuthorizationUrl(
  config: Readonly<ClientConfig>,
  metadata: AuthorizationServerMetadata,
  login: { state: string; code_verifier: string },
  withoutCodeChallenge = false,
): URL {
  const url = authorizationUrl(config, metadata, login);
  if (withoutCodeChallenge) {
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
  }
  return url;
}

/** A pending login's purpose: the experiment's id, and `/2` for its second authorization. */
export function purposeOf(id: string, step: number): string {
  return step === 1 ? id : `${id}/${step}`;
}

export function parsePurpose(purpose: string): { id: string; step: number } {
  const [id = '', step] = purpose.split('/');
  return { id, step: step === undefined ? 1 : Number(step) };
}
