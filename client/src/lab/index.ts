// The security lab, /lab on this client: ten experiments, each an attack on your own authorization server or on
// this client, run on a grant of its own. Each shows the messages it sent in the flow inspector's diagram and
// cards, which message was refused, the RFC section that requires the refusal and the function that performs it.
// Experiments that need a code start a real authorization through your browser: you sign in and click Allow as in
// any flow (the lab never fills in a password or a consent), then the lab misuses the code as an attacker would.
//
// It sends attacks, so it is on only where that is safe (config-values.ts, `lab`): by default while developing,
// never with NODE_ENV=production or LAB=off, and only against an authorization server on this machine unless
// LAB=on says the server is yours. When it is off, /lab is a 404 and the home page has no link to it.
//
// To remove the lab from a copy of this client: delete this folder, the views client/views/lab*.ejs, and the two
// lines marked "security lab" in client/src/app.ts (the import and the call). The client works the same without it.
//
// Files: registry.ts lists the experiments, one file each in experiments/; lab.ts is what an experiment gets (its
// authorizations and results), attacker.ts the requests it sends; routes.ts the pages; view.ts what they show.
import type { Express } from 'express';
import type { ClientContext } from '../context.ts';
import { finishAuthorization, labRoutes } from './routes.ts';

export function installLab(app: Express, ctx: ClientContext): void {
  if (!ctx.config.lab.enabled) return;
  // The callback (routes/callback.ts) hands over the authorizations the lab started, after its usual checks.
  ctx.lab = { finish: (req, res, response, story) => finishAuthorization(ctx, req, res, response, story) };
  // A refused callback during an experiment (5, 6) ends on the client's error page: it links back here.
  app.use((req, res, next) => {
    res.locals.labRun = req.session.lab !== undefined;
    next();
  });
  labRoutes(app, ctx);
}
