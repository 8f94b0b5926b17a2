// A moment as people read it: "14:05:10 (in 59 min)" rather than an ISO timestamp. Rendered on the server,
// so the clock time is the server's local time; the <time datetime> element carries the exact instant.

export interface Moment {
  /** ISO 8601, for `<time datetime>`. */
  datetime: string;
  /** Local clock time, with the date when it is not today. */
  clock: string;
  /** "in 59 min", "in 1 h 5 min", "in 40 s", "2 min ago". */
  relative: string;
}

export function momentOf(at: number, now = Date.now()): Moment {
  const date = new Date(at);
  const sameDay = date.toDateString() === new Date(now).toDateString();
  const time = date.toLocaleTimeString('en-GB', { hour12: false });
  return {
    datetime: date.toISOString(),
    clock: sameDay ? time : `${date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })} ${time}`,
    relative: at >= now ? `in ${duration(at - now)}` : `${duration(now - at)} ago`,
  };
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}
