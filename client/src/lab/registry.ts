// The experiments, in the order the lab page lists them (the numbers of issue 12 and of the README).
// To add one: a file in experiments/ exporting an `Experiment` (types.ts), and a line here.
import { clickjacking } from './experiments/clickjacking.ts';
import { codeReplay } from './experiments/code-replay.ts';
import { codeSubstitution } from './experiments/code-substitution.ts';
import { forgedState } from './experiments/forged-state.ts';
import { mixUp } from './experiments/mix-up.ts';
import { pkceDowngrade } from './experiments/pkce-downgrade.ts';
import { pkceVerifier } from './experiments/pkce-verifier.ts';
import { refreshReuse } from './experiments/refresh-reuse.ts';
import { tokenInQuery } from './experiments/token-in-query.ts';
import { unregisteredRedirect } from './experiments/unregistered-redirect.ts';
import type { Experiment } from './lab.ts';

export const EXPERIMENTS: readonly Experiment[] = [
  codeReplay,
  refreshReuse,
  pkceVerifier,
  codeSubstitution,
  forgedState,
  mixUp,
  unregisteredRedirect,
  tokenInQuery,
  pkceDowngrade,
  clickjacking,
];

export function findExperiment(id: string): Experiment | undefined {
  return EXPERIMENTS.find((experiment) => experiment.id === id);
}
