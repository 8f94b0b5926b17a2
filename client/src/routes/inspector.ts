// Showing or hiding the flow inspector on the home page. The choice is kept in the session, so it
// survives the redirects after Refresh, Reload and the login itself. Hidden until asked for: the home
// page stays short for someone who only wants to use the app.
import type { Express } from 'express';
import type { ClientContext } from '../context.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { singleParam } from '../http/errors.ts';

export default function inspector(app: Express, _ctx: ClientContext): void {
  app.post('/inspector', verifyCsrf, (req, res) => {
    req.session.inspector = singleParam(req.body, 'show') === 'yes';
    res.redirect(303, '/#inspector');
  });
}
