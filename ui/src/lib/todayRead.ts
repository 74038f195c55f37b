// Today's one read, started early: the shell asks for it together with the
// database status, so at start the answer is on its way (or there) when
// Today mounts, instead of being asked for after the shell's first paint.
import { backend } from "./backend";
import type { DayQuery } from "./bindings/DayQuery";
import type { TodayOverview } from "./bindings/TodayOverview";

let early: { day: string; read: Promise<TodayOverview> } | null = null;
/** The last early read, taken or not: what the shell waits for before its own reads. */
let lastEarly: Promise<unknown> = Promise.resolve();

/**
 * Starts Today's read for `day` now (or adopts `started`, one already on its
 * way for that day); the next `readToday` of that day takes it.
 */
export function readTodayEarly(day: DayQuery, started?: Promise<TodayOverview>): void {
  const read = started ?? backend().todayOverview(day);
  // Nobody may take it (the welcome shows instead): its failure is not reported twice.
  read.catch(() => {});
  early = { day: JSON.stringify(day), read };
  lastEarly = read;
}

/** Settles when the last early read has (whether it succeeded or not). */
export function waitForTodayRead(): Promise<void> {
  return lastEarly.then(
    () => undefined,
    () => undefined,
  );
}

/** Forgets an early read nobody took (the data changes before Today shows). */
export function dropEarlyToday(): void {
  early = null;
}

/** Today's data for `day`: the early read once, a fresh one after that. */
export function readToday(day: DayQuery): Promise<TodayOverview> {
  const taken = early;
  early = null;
  if (taken && taken.day === JSON.stringify(day)) return taken.read;
  return backend().todayOverview(day);
}
