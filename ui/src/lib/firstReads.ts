// The first screen's two reads (the database's status, Today's data), asked
// for by an inline script in index.html while the page loads: they are on
// their way ~25 ms before the modules have loaded and the shell has mounted.
// The shell takes them once, for the day it is about to show.
import type { DatabaseStatus } from "./bindings/DatabaseStatus";
import type { DayQuery } from "./bindings/DayQuery";
import type { TodayOverview } from "./bindings/TodayOverview";

export interface FirstReads {
  day: DayQuery;
  status: Promise<DatabaseStatus>;
  today: Promise<TodayOverview>;
}

declare global {
  /** Set by index.html's inline script (absent outside the app: tests, a plain browser). */
  var __fieldkitFirstReads: FirstReads | undefined;
}

/** The page's first reads if they were asked for `day`, once; null after that, or for another day. */
export function takeFirstReads(day: DayQuery): FirstReads | null {
  const reads = globalThis.__fieldkitFirstReads;
  delete globalThis.__fieldkitFirstReads;
  if (!reads) return null;
  if (reads.day.day_start === day.day_start && reads.day.day_end === day.day_end) return reads;
  // Midnight passed while the page loaded: read afresh, and let these go unreported.
  reads.status.catch(() => undefined);
  reads.today.catch(() => undefined);
  return null;
}
