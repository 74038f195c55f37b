// Pure helpers for time entries: UTC ISO instants to and from `datetime-local`
// values in the computer's zone, durations, work-type defaults, and drafts
// made from the weekly check's rows.
import type { PicklistValue } from "./bindings/PicklistValue";
import type { TimeEntry } from "./bindings/TimeEntry";
import type { TimeEntryDraft } from "./bindings/TimeEntryDraft";
import type { UntimedAppointment } from "./bindings/UntimedAppointment";
import type { FieldMessages } from "./fieldErrors";

/** The marker the core puts at the start of a placeholder's internal notes. */
export const PLACEHOLDER_MARKER = "[PLACEHOLDER - do not approve yet]";

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** A UTC ISO instant as a `datetime-local` value ("2026-11-20T09:05") in local time; "" when unreadable. */
export function isoToLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/**
 * A `datetime-local` value read as local time, as a UTC ISO string; null when
 * it is empty or not a real date and time. A time the clocks skip (spring
 * forward) moves forward by the gap; a time that happens twice (fall back)
 * is the first of the two.
 */
export function localInputToIso(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (!match) return null;
  const part = (index: number) => Number(match[index] ?? 0);
  const [year, month, day, hour, minute, second] = [part(1), part(2), part(3), part(4), part(5), part(6)];
  const millisecond = Number((match[7] ?? "0").padEnd(3, "0"));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(2000, 0, 1);
  // setFullYear, not the constructor: the constructor reads years 0–99 as 1900–1999.
  date.setFullYear(year, month - 1, day);
  // 31 November or 29 February in a common year roll over into the next month.
  if (date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  date.setHours(hour, minute, second, millisecond);
  return date.toISOString();
}

/**
 * The instant a `datetime-local` value stands for. When it still shows
 * `original` (untouched), `original` itself is kept, so seconds and the second
 * of two repeated fall-back hours are not lost.
 */
export function instantFromInput(value: string, original: string): string | null {
  if (original !== "" && isoToLocalInput(original) === value) return original;
  return localInputToIso(value);
}

/** Whole minutes from one instant to another (negative when the end is first). */
export function minutesBetween(startIso: string, endIso: string): number {
  return Math.round((Date.parse(endIso) - Date.parse(startIso)) / 60_000);
}

/** "1 h 25 min", "45 min", "2 h". */
export function durationLabel(minutes: number): string {
  const total = Math.max(0, Math.round(minutes));
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Hours for tables: "1.25 h", "8 h", "0.5 h" (at most two decimals). */
export function hoursLabel(hours: number): string {
  return `${Number(hours.toFixed(2))} h`;
}

/** The first midnight UTC after the start of `startIso`'s UTC day, as a UTC ISO string (null when unreadable). */
export function nextUtcMidnight(startIso: string): string | null {
  const start = new Date(startIso);
  if (Number.isNaN(start.getTime())) return null;
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 1)).toISOString();
}

/** Whether `[start, end)` contains a midnight UTC, which the PSA refuses in one entry. */
export function crossesUtcMidnight(startIso: string, endIso: string): boolean {
  const midnight = nextUtcMidnight(startIso);
  const end = Date.parse(endIso);
  return midnight !== null && !Number.isNaN(end) && end > Date.parse(midnight);
}

/**
 * Internal notes without the placeholder marker sentence the core wrote
 * ("[PLACEHOLDER - do not approve yet] To be completed by Tue 24 Nov 17:05
 * (America/Chicago)."). Anything the technician added after it stays.
 */
export function withoutPlaceholderMarker(internal: string): string {
  const trimmed = internal.trimStart();
  if (!trimmed.startsWith(PLACEHOLDER_MARKER)) return internal;
  const rest = trimmed.slice(PLACEHOLDER_MARKER.length);
  return rest.replace(/^\s*(To be completed by [^\n]*?\.(?=\s|$))?\s*/, "");
}

/** The work types to offer, in list order: active ones, plus `keep` when it is an inactive one. */
export function workTypeOptions(values: PicklistValue[], keep: number): PicklistValue[] {
  return values
    .filter((value) => value.kind === "work_type" && (value.is_active || value.value === keep))
    .sort((a, b) => a.sort_order - b.sort_order || a.label.localeCompare(b.label));
}

/** Whether time of this work type is billable unless the technician says otherwise. */
export function billableByDefault(value: PicklistValue | undefined): boolean {
  return value?.meaning === "billable";
}

/**
 * The work type to start the form with: the draft's own when it is one of the
 * options, else (0 or unknown) the first billable type, else the first; the
 * billable box then follows the chosen type's default.
 */
export function initialWorkType(
  options: PicklistValue[],
  workType: number,
  billable: boolean,
): { work_type: number; billable: boolean } {
  if (workType !== 0 && options.some((option) => option.value === workType)) return { work_type: workType, billable };
  const pick = options.find((option) => billableByDefault(option)) ?? options[0];
  return pick ? { work_type: pick.value, billable: billableByDefault(pick) } : { work_type: workType, billable };
}

/** The time-entry form as typed: times as `datetime-local` values, the rest as the draft has them. */
export interface TimeEntryInput {
  start: string;
  end: string;
  work_type: number;
  billable: boolean;
  summary_notes: string;
  internal_notes: string;
  split_at_midnight: boolean;
}

export function entryInput(draft: TimeEntryDraft): TimeEntryInput {
  return {
    start: isoToLocalInput(draft.start_at),
    end: isoToLocalInput(draft.end_at),
    work_type: draft.work_type,
    billable: draft.billable,
    summary_notes: draft.summary_notes,
    internal_notes: draft.internal_notes,
    split_at_midnight: draft.split_at_midnight,
  };
}

/** The start and end the inputs stand for (null when a value is not a date and time). */
export function inputRange(input: { start: string; end: string }, base: { start_at: string; end_at: string }) {
  return { start_at: instantFromInput(input.start, base.start_at), end_at: instantFromInput(input.end, base.end_at) };
}

/**
 * The draft to send: `base` (id, ticket, appointment, from_timer kept as
 * given) with what was typed; or messages when a time cannot be read. The
 * core checks everything else.
 */
export function entryDraft(base: TimeEntryDraft, input: TimeEntryInput): { draft: TimeEntryDraft } | { errors: FieldMessages } {
  const { start_at, end_at } = inputRange(input, base);
  const errors: FieldMessages = {};
  if (start_at === null) errors.start_at = "Enter the start date and time.";
  if (end_at === null) errors.end_at = "Enter the end date and time.";
  if (start_at === null || end_at === null) return { errors };
  return {
    draft: {
      ...base,
      start_at,
      end_at,
      work_type: input.work_type,
      billable: input.billable,
      summary_notes: input.summary_notes,
      internal_notes: input.internal_notes,
      split_at_midnight: input.split_at_midnight,
    },
  };
}

/** A draft for a service call without time, or null when no ticket is linked to it. */
export function draftForAppointment(appointment: UntimedAppointment): TimeEntryDraft | null {
  if (appointment.ticket_id === null) return null;
  return {
    id: null,
    ticket_id: appointment.ticket_id,
    ticket_number: appointment.ticket_number,
    appointment_id: appointment.id,
    start_at: appointment.start_at,
    end_at: appointment.end_at,
    work_type: 0,
    billable: true,
    summary_notes: "",
    internal_notes: "",
    split_at_midnight: false,
    from_timer: false,
  };
}

/** A draft that completes a placeholder: its times and notes, the marker sentence removed. */
export function draftForPlaceholder(entry: TimeEntry): TimeEntryDraft {
  return {
    id: entry.id,
    ticket_id: entry.ticket_id,
    ticket_number: entry.ticket_number,
    appointment_id: entry.appointment_id,
    start_at: entry.start_at,
    end_at: entry.end_at,
    work_type: entry.work_type,
    billable: entry.billable,
    summary_notes: entry.summary_notes,
    internal_notes: withoutPlaceholderMarker(entry.internal_notes),
    split_at_midnight: false,
    from_timer: false,
  };
}

/** A placeholder's default times as `datetime-local` values: the hour up to now, rounded down to 5 minutes. */
export function placeholderTimes(now: Date): { start: string; end: string } {
  const end = new Date(now.getTime());
  end.setSeconds(0, 0);
  end.setMinutes(end.getMinutes() - (end.getMinutes() % 5));
  const start = new Date(end.getTime() - 60 * 60_000);
  return { start: isoToLocalInput(start.toISOString()), end: isoToLocalInput(end.toISOString()) };
}
