/**
 * Counts what a provider process sends to PostgreSQL: every `query` of every `pg` client (the store's pool,
 * connect-pg-simple on the same pool, transactions on checked-out clients alike). One `query` call is one round
 * trip: `pg` sends parse, bind, execute and sync together and waits for the answer. A text holding several
 * statements (`BEGIN; …; COMMIT`) is one round trip and several statements.
 *
 * Installed by the bench's provider entry before the store is opened, in the child process only.
 */
import pg from 'pg';

export interface SqlCount {
  roundTrips: number;
  statements: number;
  /** Round trips per statement: its prepared-statement name, or the start of its text. */
  byStatement: Record<string, number>;
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

export function countSql(): { take(): SqlCount } {
  let count: SqlCount = { roundTrips: 0, statements: 0, byStatement: {} };
  const prototype = pg.Client.prototype as unknown as { query: Query };
  const original = prototype.query;
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first] = args;
    const config = typeof first === 'string' ? { text: first } : (first as { text?: string; name?: string } | undefined);
    const text = config?.text ?? '';
    const label = config?.name ?? text.replace(/\s+/g, ' ').trim().slice(0, 60);
    count.roundTrips++;
    count.statements += Math.max(1, text.split(';').filter((part) => part.trim() !== '').length);
    count.byStatement[label] = (count.byStatement[label] ?? 0) + 1;
    return original.apply(this, args);
  };
  return {
    /** What was sent since the last call. */
    take() {
      const taken = count;
      count = { roundTrips: 0, statements: 0, byStatement: {} };
      return taken;
    },
  };
}
