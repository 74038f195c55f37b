// Pure helpers for the Schedule area: the days of a range and the
// appointments of the agenda grouped by local calendar day.
import type { AgendaAppointment } from "../../lib/bindings/AgendaAppointment";
import { addLocalDays, localDateTime, localDayKey, localShortDate, localTime, sameLocalDay } from "../../lib/time";

/** How many days the Schedule shows at a time. */
export const SCHEDULE_DAYS = 7;

export interface ScheduleDay {
  /** Local midnight (or the day's first instant where midnight is skipped). */
  date: Date;
  /** "2026-11-20", the local calendar date. */
  key: string;
  /** That day's appointments, earliest first. */
  appointments: AgendaAppointment[];
}

/** Local midnight of each of the `count` calendar days from `first`'s day. */
export function rangeDays(first: Date, count: number): Date[] {
  return Array.from({ length: count }, (_, index) => addLocalDays(first, index));
}

/**
 * Each day of the range with its appointments in time order, by the local day
 * each appointment starts on. Days without appointments are kept (empty);
 * appointments outside the range are left out.
 */
export function groupByLocalDay(appointments: AgendaAppointment[], days: Date[]): ScheduleDay[] {
  const groups = days.map((date) => ({ date, key: localDayKey(date), appointments: [] as AgendaAppointment[] }));
  const byKey = new Map(groups.map((group) => [group.key, group]));
  const ordered = [...appointments].sort((a, b) => Date.parse(a.start_at) - Date.parse(b.start_at));
  for (const appointment of ordered) {
    byKey.get(localDayKey(new Date(appointment.start_at)))?.appointments.push(appointment);
  }
  return groups;
}

/** "Fri 20 Nov – Thu 26 Nov" for the range of `count` days from `first`. */
export function rangeLabel(first: Date, count: number, locale?: string): string {
  return `${localShortDate(addLocalDays(first, 0), locale)} – ${localShortDate(addLocalDays(first, count - 1), locale)}`;
}

/** A due time in a week's list: "today, 16:30" for today, else "18 Nov, 16:30". */
export function scheduleDueLabel(dueIso: string | null, now: Date, locale?: string): string {
  if (dueIso === null) return "no due time";
  return sameLocalDay(new Date(dueIso), now) ? `today, ${localTime(dueIso, locale)}` : localDateTime(dueIso, locale);
}

/** When an appointment ends: the time alone on its start day, else with the date. */
export function endLabel(appointment: Pick<AgendaAppointment, "start_at" | "end_at">, locale?: string): string {
  return sameLocalDay(new Date(appointment.start_at), new Date(appointment.end_at))
    ? localTime(appointment.end_at, locale)
    : localDateTime(appointment.end_at, locale);
}
