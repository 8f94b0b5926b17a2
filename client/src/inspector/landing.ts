// After an action (Refresh, Reload the resource), the page opens on what that action added to the flow
// inspector: the redirect carries the fragment of its first new card, which the browser scrolls to and
// styles as :target. No script needed.
import type { Request } from 'express';

/** The number the next recorded message will get: take it before the action, pass it to `landingAfter`. */
export function traceMark(req: Request): number {
  return (req.session.trace?.at(-1)?.seq ?? 0) + 1;
}

/** `/#step-N` for the first message recorded since `mark`, or `/` when there is none to show. */
export function landingAfter(req: Request, mark: number): string {
  const added = req.session.trace?.find((entry) => entry.seq >= mark);
  return added && req.session.inspector !== false ? `/#step-${added.seq}` : '/';
}
