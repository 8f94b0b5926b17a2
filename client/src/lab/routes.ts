// The lab's pages: GET /lab lists the experiments and shows the last run; POST /lab/:id runs one; and the
// callback (routes/callback.ts) hands over the authorizations the lab started, once it has checked them.
import type { Express, Request, Response } from 'express';
import type { CheckedResponse, ClientContext } from '../context.ts';
import { HttpError } from '../http/errors.ts';
import { authorizationRequestCard } from '../routes/login.ts';
import { sameOriginOnly } from '../http/same-origin.ts';
import { appendTrace, record, type TraceEntry } from '../inspector/trace.ts';
import { Lab, LAB_RESULT, labAuthorizationUrl, parsePurpose, startRun } from './lab.ts';
import { findExperiment } from './registry.ts';
import { labView } from './view.ts';

const REFUSED = 'An experiment can only be started with its Run button on the lab page. Go back to /lab and press it.';

export function labRoutes(app: Express, ctx: ClientContext): void {
  const provider = new URL(ctx.config.authServer).origin;

  app.get('/lab', (req, res) => {
    // Experiment 10 frames the provider's page, so this page, and no other, allows frames from the provider.
    // Whether the frame is shown is the provider's decision (its frame-ancestors), which is the experiment.
    res.set('Content-Security-Policy', `${res.get('Content-Security-Policy') ?? ''}; frame-src ${provider}`);
    res.render('lab', { title: 'Security lab', ...labView(req, ctx.config) });
  });

  app.post('/lab/:id', sameOriginOnly(new URL(ctx.config.redirect_uri).origin, REFUSED), async (req, res) => {
    const experiment = findExperiment(String(req.params.id));
    if (!experiment) throw new HttpError(404, 'There is no such experiment.');
    const metadata = await ctx.discovery.get();
    startRun(req, experiment);
    res.redirect(303, await experiment.start(new Lab(ctx, req, res, metadata, experiment)));
  });
}

/** Finishes an authorization the lab started: records its request and response, then lets the experiment misuse it. */
export async function finishAuthorization(
  ctx: ClientContext,
  req: Request,
  res: Response,
  response: CheckedResponse,
  story: { trace?: TraceEntry[] },
): Promise<void> {
  const { id } = parsePurpose(response.pending.purpose ?? '');
  const experiment = findExperiment(id);
  if (!experiment)
    throw new HttpError(400, 'This response answers a lab experiment that does not exist. Go back to /lab.');
  // An authorization of an earlier run, finished after another run started: it becomes the current run again.
  if (req.session.lab?.experiment !== id) startRun(req, experiment);

  // The request as the lab sent it (experiment 9's has no code_challenge), then the response the callback checked.
  const request: { trace?: TraceEntry[] } = {};
  const url = labAuthorizationUrl(ctx.config, response.metadata, response.pending, experiment.withoutCodeChallenge);
  record(request, {
    ...authorizationRequestCard(url),
    source: 'client/src/lab/lab.ts',
    sourceFunction: 'labAuthorizationUrl',
  });
  appendTrace(req, [...(request.trace ?? []), ...(story.trace ?? [])]);
  story.trace = []; // now in the session: the callback must not add them a second time

  const lab = new Lab(ctx, req, res, response.metadata, experiment, response.pending);
  const { code } = response;
  if (code !== undefined && experiment.finish) {
    return res.redirect(303, await experiment.finish(lab, { ...response, code }));
  }
  if (code === undefined && experiment.finishWithoutCode) {
    return res.redirect(303, await experiment.finishWithoutCode(lab, response));
  }
  // No code to misuse: you clicked Deny, say, and the provider said so.
  const why = `No code came back: error=${response.error ?? 'none'}.`;
  for (const attempt of experiment.attempts) lab.result(attempt.id, 'not run', why, lab.lastSeq());
  res.redirect(303, LAB_RESULT);
}
