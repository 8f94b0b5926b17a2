// What the lab page shows: the experiments, and the last run's outcome beside the flow inspector's cards and
// diagram for the messages it sent. Each attempt's result is pinned to the card of the answer that decided it,
// with the RFC sections and the functions that refused it.
import type { Request } from 'express';
import type { ClientConfig } from '../config.ts';
import { rfcHref } from '../inspector/glossary.ts';
import { diagramOf } from '../inspector/diagram.ts';
import { card } from '../inspector/view.ts';
import { EXPERIMENTS, findExperiment } from './registry.ts';
import type { Attempt, LabRun, Result } from './types.ts';

const links = (references: string[]) => references.map((label) => ({ label, href: rfcHref(label) }));

/** On the arrow of the answer that decided an attempt. */
const ARROW_OUTCOME: Record<Result['outcome'], string | undefined> = {
  refused: 'attack stopped',
  accepted: 'attack worked',
  'not run': undefined,
};

const OUTCOME = {
  refused: { mark: '✓', text: 'Refused' },
  accepted: { mark: '✗', text: 'Accepted: the attack worked' },
  'not run': { mark: '–', text: 'Not run' },
  waiting: { mark: '…', text: 'No result yet' },
} as const;

const HINTS = {
  authorization: 'Sends your browser to the provider: sign in if asked, then click Allow.',
  nothing: 'Runs at once.',
};

export function labView(req: Request, config: Readonly<ClientConfig>) {
  const run = req.session.lab;
  return {
    authServer: config.authServer,
    otherClient: config.lab.otherClientId,
    experiments: EXPERIMENTS.map(({ id, title, summary, needs, hint, attempts }, i) => ({
      n: i + 1,
      id,
      title,
      summary,
      hint: hint ?? HINTS[needs],
      attempts: attempts.map((attempt) => attemptView(attempt)),
    })),
    result: run ? resultView(req, run) : undefined,
  };
}

function attemptView(attempt: Attempt, result?: Result) {
  return { ...attempt, rfc: links(attempt.rfc), result, outcome: OUTCOME[result?.outcome ?? 'waiting'] };
}

function resultView(req: Request, run: LabRun) {
  const index = EXPERIMENTS.findIndex((experiment) => experiment.id === run.experiment);
  const experiment = findExperiment(run.experiment);
  if (!experiment) return undefined;
  const entries = (req.session.trace ?? []).filter((entry) => entry.seq >= run.from);
  // Results the lab recorded as it went, and those it reads from the client's own cards (a refused callback).
  const results = [...run.results, ...(experiment.judge?.(entries) ?? [])];
  const attempts = experiment.attempts.map((attempt) =>
    attemptView(
      attempt,
      results.find(({ attempt: id }) => id === attempt.id),
    ),
  );
  // Each result on the card, and the arrow, of the answer that decided it.
  const decided = new Map(
    attempts.flatMap((attempt) => (attempt.result?.seq ? [[attempt.result.seq, attempt] as const] : [])),
  );

  const diagram = diagramOf(entries);
  for (const row of diagram.rows) {
    const attempt = row.kind === 'arrow' ? decided.get(row.seq) : undefined;
    if (row.kind !== 'arrow' || !attempt?.result) continue;
    const verdict = ARROW_OUTCOME[attempt.result.outcome];
    if (verdict) row.outcome = row.outcome ? `${row.outcome}, ${verdict}` : verdict;
  }
  return {
    n: index + 1,
    title: experiment.title,
    verdict: verdictOf(results),
    attempts,
    diagram,
    entries: entries.map((entry) => ({ ...card(entry), verdict: decided.get(entry.seq) })),
    frame: run.frame,
    link: run.link,
  };
}

function verdictOf(results: Result[]): { kind: 'stopped' | 'worked' | 'waiting'; text: string } {
  if (results.some((result) => result.outcome === 'accepted')) {
    return { kind: 'worked', text: 'The attack worked: a defence is missing.' };
  }
  if (!results.some((result) => result.outcome === 'refused')) {
    const text =
      'No attempt has an outcome yet: the authorization this experiment started has not come back, or could not be used.';
    return { kind: 'waiting', text };
  }
  return { kind: 'stopped', text: 'The attack was stopped.' };
}
