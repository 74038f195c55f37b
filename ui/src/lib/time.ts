// Small pure date helpers: the local day as UTC bounds, and UTC ISO times
// shown in the technician's local time.

/** Local midnight of `date`'s day and of the next day, as UTC ISO strings. */
export function localDayBounds(date: Date): { day_start: string; day_end: string } {
  const start = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  // Built from the calendar date (not +24h) so days with a DST change come out right.
  const end = new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1);
  return { day_start: start.toISOString(), day_end: end.toISOString() };
}

/** "09:00" in local time (the locale decides 24-hour or AM/PM). */
export function localTime(iso: string, locale?: string): string {
  return new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

/** "Friday, 20 November" in local time. */
export function localLongDate(date: Date, locale?: string): string {
  return date.toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long" });
}

/** "20 Nov, 09:00" in local time. */
export function localDateTime(iso: string, locale?: string): string {
  return new Date(iso).toLocaleString(locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

/** An arrival window such as "09:00–10:00". */
export function timeWindow(startIso: string, endIso: string, locale?: string): string {
  return `${localTime(startIso, locale)}–${localTime(endIso, locale)}`;
}

/** Whether two instants fall on the same local calendar day. */
export function sameLocalDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Whether a due time has passed. A missing due time is never overdue. */
export function isOverdue(dueIso: string | null, now: Date): boolean {
  return dueIso !== null && new Date(dueIso).getTime() < now.getTime();
}

/** A due time for a list: the time alone when it is today, else date and time. */
export function dueLabel(dueIso: string | null, now: Date, locale?: string): string {
  if (dueIso === null) return "no due time";
  return sameLocalDay(new Date(dueIso), now) ? localTime(dueIso, locale) : localDateTime(dueIso, locale);
}

/** Local midnight of the day `days` calendar days after `date`'s day (negative goes back). */
export function addLocalDays(date: Date, days: number): Date {
  // Calendar arithmetic, not days * 24h, so a DST change in between does not shift the time of day.
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

/**
 * Local midnight of `start`'s day to local midnight `days` calendar days later,
 * as UTC ISO strings (a multi-day `localDayBounds`). Days with a DST change are
 * 23 or 25 hours long; where midnight itself is skipped the range starts at the
 * day's first instant.
 */
export function localRangeBounds(start: Date, days: number): { day_start: string; day_end: string } {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`a range needs a whole number of days (at least 1), got ${days}`);
  return { day_start: addLocalDays(start, 0).toISOString(), day_end: addLocalDays(start, days).toISOString() };
}

/** The local calendar day as "2026-11-20", for grouping and keys. */
export function localDayKey(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "Fri 20 Nov" in local time. */
export function localShortDate(date: Date, locale?: string): string {
  return date.toLocaleDateString(locale, { weekday: "short", day: "numeric", month: "short" });
}

/** Local midnight of the Monday of `date`'s week (weeks start on Monday). */
export function startOfLocalWeek(date: Date): Date {
  // getDay(): Sunday 0 … Saturday 6; Monday is 0 days back, Sunday 6.
  return addLocalDays(date, -((date.getDay() + 6) % 7));
}

/** The seven local days from `monday`'s day, as the core's inclusive `{first, last}` day keys. */
export function weekDays(monday: Date): { first: string; last: string } {
  return { first: localDayKey(monday), last: localDayKey(addLocalDays(monday, 6)) };
}

/** Local midnight of a "2026-11-20" day key, or null when it is not a calendar date. */
export function dateFromDayKey(key: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(2000, 0, 1);
  date.setFullYear(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  // Where local midnight is skipped the day starts later; the date is still right.
  return addLocalDays(date, 0);
}

/** "Mon 16 Nov – Sun 22 Nov 2026": the week starting at `monday`, in local time. */
export function weekRangeLabel(monday: Date, locale?: string): string {
  const sunday = addLocalDays(monday, 6);
  return `${localShortDate(monday, locale)} – ${localShortDate(sunday, locale)} ${sunday.getFullYear()}`;
}

/** "Fri 20 Nov, 09:00–10:30", or both dates when the range ends on another local day. */
export function localRangeLabel(startIso: string, endIso: string, locale?: string): string {
  const start = new Date(startIso);
  const end = new Date(endIso);
  if (sameLocalDay(start, end)) return `${localShortDate(start, locale)}, ${timeWindow(startIso, endIso, locale)}`;
  return `${localShortDate(start, locale)} ${localTime(startIso, locale)} – ${localShortDate(end, locale)} ${localTime(endIso, locale)}`;
}

/** A timestamp in this computer's time zone (medium date, short time); the text as given when it is no date. */
export function localWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
