import { afterEach, describe, expect, it } from "vitest";
import type { PicklistValue } from "./bindings/PicklistValue";
import type { TimeEntry } from "./bindings/TimeEntry";
import type { TimeEntryDraft } from "./bindings/TimeEntryDraft";
import {
  crossesUtcMidnight,
  draftForAppointment,
  draftForPlaceholder,
  durationLabel,
  entryDraft,
  entryInput,
  hoursLabel,
  initialWorkType,
  instantFromInput,
  isoToLocalInput,
  localInputToIso,
  minutesBetween,
  nextUtcMidnight,
  placeholderTimes,
  withoutPlaceholderMarker,
  workTypeOptions,
} from "./timeEntry";

// Node re-reads TZ when it is assigned, so each test can pick its zone.
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
const originalZone = env.TZ;
function inZone(zone: string) {
  env.TZ = zone;
}
afterEach(() => {
  if (originalZone === undefined) delete env.TZ;
  else env.TZ = originalZone;
});

const draft: TimeEntryDraft = {
  id: null,
  ticket_id: "7d3b2a10-0000-4000-8000-000000000001",
  ticket_number: "T20261120.0001",
  appointment_id: "7d3b2a10-0000-4000-8000-0000000000aa",
  start_at: "2026-11-20T14:00:00Z",
  end_at: "2026-11-20T15:25:00Z",
  work_type: 0,
  billable: true,
  summary_notes: "",
  internal_notes: "",
  split_at_midnight: false,
  from_timer: true,
};

function workType(value: number, label: string, meaning: string | null, extra: Partial<PicklistValue> = {}): PicklistValue {
  return { kind: "work_type", value, label, meaning, is_active: true, sort_order: value, ...extra };
}

describe("datetime-local values", () => {
  it("show a UTC instant in local time", () => {
    inZone("America/Chicago");
    expect(isoToLocalInput("2026-11-20T14:05:00Z")).toBe("2026-11-20T08:05");
    // The local date, not the UTC date, in the evening.
    expect(isoToLocalInput("2026-11-21T03:30:00Z")).toBe("2026-11-20T21:30");
    expect(isoToLocalInput("not a date")).toBe("");
  });

  it("read back as the same UTC instant", () => {
    inZone("Asia/Kolkata");
    expect(localInputToIso("2026-11-20T08:05")).toBe("2026-11-20T02:35:00.000Z");
    expect(localInputToIso(isoToLocalInput("2026-11-20T02:35:00Z"))).toBe("2026-11-20T02:35:00.000Z");
    expect(localInputToIso("2026-11-20T08:05:30")).toBe("2026-11-20T02:35:30.000Z");
  });

  it("reject what is not a date and time", () => {
    for (const bad of ["", "2026-11-20", "2026-11-31T09:00", "2026-02-29T09:00", "2026-13-01T09:00", "2026-11-20T24:00", "09:00"]) {
      expect(localInputToIso(bad)).toBeNull();
    }
    expect(localInputToIso("2028-02-29T09:00")).not.toBeNull();
  });

  it("handle the day the clocks go forward", () => {
    inZone("Europe/Berlin");
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    expect(localInputToIso("2026-03-29T01:30")).toBe("2026-03-29T00:30:00.000Z");
    expect(localInputToIso("2026-03-29T03:30")).toBe("2026-03-29T01:30:00.000Z");
    // 02:30 does not exist that day: it moves forward by the gap.
    expect(localInputToIso("2026-03-29T02:30")).toBe("2026-03-29T01:30:00.000Z");
    // 01:00 to 04:00 on the clock is two hours of work.
    const start = localInputToIso("2026-03-29T01:00") as string;
    const end = localInputToIso("2026-03-29T04:00") as string;
    expect(minutesBetween(start, end)).toBe(120);
    expect(isoToLocalInput(end)).toBe("2026-03-29T04:00");
  });

  it("handle the day the clocks go back", () => {
    inZone("Europe/Berlin");
    // 25 October 2026: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice.
    expect(localInputToIso("2026-10-25T02:30")).toBe("2026-10-25T00:30:00.000Z");
    expect(isoToLocalInput("2026-10-25T01:30:00Z")).toBe("2026-10-25T02:30");
    expect(minutesBetween(localInputToIso("2026-10-25T01:00") as string, localInputToIso("2026-10-25T04:00") as string)).toBe(240);
    // Untouched, the second 02:30 stays the second one.
    expect(instantFromInput("2026-10-25T02:30", "2026-10-25T01:30:00Z")).toBe("2026-10-25T01:30:00Z");
  });

  it("keep an untouched original instant, seconds and all", () => {
    inZone("America/New_York");
    expect(instantFromInput("2026-11-20T09:00", "2026-11-20T14:00:42Z")).toBe("2026-11-20T14:00:42Z");
    expect(instantFromInput("2026-11-20T09:05", "2026-11-20T14:00:42Z")).toBe("2026-11-20T14:05:00.000Z");
    expect(instantFromInput("", "2026-11-20T14:00:42Z")).toBeNull();
  });
});

describe("durations and hours", () => {
  it("read as hours and minutes", () => {
    expect(durationLabel(85)).toBe("1 h 25 min");
    expect(durationLabel(45)).toBe("45 min");
    expect(durationLabel(120)).toBe("2 h");
    expect(durationLabel(0)).toBe("0 min");
    expect(durationLabel(-5)).toBe("0 min");
    expect(minutesBetween(draft.start_at, draft.end_at)).toBe(85);
  });

  it("show at most two decimals", () => {
    expect(hoursLabel(1.25)).toBe("1.25 h");
    expect(hoursLabel(8)).toBe("8 h");
    expect(hoursLabel(0.5)).toBe("0.5 h");
    expect(hoursLabel(1 / 3)).toBe("0.33 h");
    expect(hoursLabel(0)).toBe("0 h");
  });
});

describe("crossesUtcMidnight", () => {
  it("is true only when a UTC midnight lies inside the range", () => {
    expect(crossesUtcMidnight("2026-11-20T23:00:00Z", "2026-11-21T01:00:00Z")).toBe(true);
    expect(crossesUtcMidnight("2026-11-20T22:00:00Z", "2026-11-21T00:00:00Z")).toBe(false);
    expect(crossesUtcMidnight("2026-11-21T00:00:00Z", "2026-11-21T02:00:00Z")).toBe(false);
    expect(crossesUtcMidnight("2026-11-20T09:00:00Z", "2026-11-20T17:00:00Z")).toBe(false);
    expect(crossesUtcMidnight("bad", "2026-11-20T17:00:00Z")).toBe(false);
  });

  it("names the midnight that is crossed", () => {
    expect(nextUtcMidnight("2026-11-20T23:00:00Z")).toBe("2026-11-21T00:00:00.000Z");
    expect(nextUtcMidnight("2026-12-31T00:00:00Z")).toBe("2027-01-01T00:00:00.000Z");
    expect(nextUtcMidnight("")).toBeNull();
  });

  it("can be true for an afternoon in a zone west of UTC", () => {
    inZone("America/Los_Angeles");
    // 15:00–18:00 Pacific is 23:00–02:00 UTC.
    const start = localInputToIso("2026-11-20T15:00") as string;
    const end = localInputToIso("2026-11-20T18:00") as string;
    expect(crossesUtcMidnight(start, end)).toBe(true);
  });
});

describe("placeholder notes", () => {
  it("lose the marker sentence the core wrote", () => {
    expect(
      withoutPlaceholderMarker("[PLACEHOLDER - do not approve yet] To be completed by Tue 24 Nov 17:05 (America/Chicago)."),
    ).toBe("");
    expect(withoutPlaceholderMarker("[PLACEHOLDER - do not approve yet] To be completed by Mon 30 Nov 09:00 (Etc/GMT+5).\nRouter swapped.")).toBe(
      "Router swapped.",
    );
    expect(withoutPlaceholderMarker("[PLACEHOLDER - do not approve yet] Check the UPS.")).toBe("Check the UPS.");
  });

  it("keep notes without the marker as they are", () => {
    expect(withoutPlaceholderMarker("Replaced the switch. [PLACEHOLDER - do not approve yet]")).toBe(
      "Replaced the switch. [PLACEHOLDER - do not approve yet]",
    );
    expect(withoutPlaceholderMarker("")).toBe("");
  });
});

describe("work types", () => {
  const values: PicklistValue[] = [
    { kind: "status", value: 1, label: "New", meaning: null, is_active: true, sort_order: 0 },
    workType(30, "Internal", null, { sort_order: 1 }),
    workType(10, "Remote support", "billable", { sort_order: 2 }),
    workType(20, "On site", "billable", { sort_order: 3 }),
    workType(40, "Old travel", null, { is_active: false, sort_order: 4 }),
  ];

  it("offer active work types in list order, and an inactive one only when kept", () => {
    expect(workTypeOptions(values, 0).map((value) => value.value)).toEqual([30, 10, 20]);
    expect(workTypeOptions(values, 40).map((value) => value.value)).toEqual([30, 10, 20, 40]);
  });

  it("start with the draft's type, else the first billable one with its default", () => {
    const options = workTypeOptions(values, 0);
    expect(initialWorkType(options, 30, false)).toEqual({ work_type: 30, billable: false });
    expect(initialWorkType(options, 30, true)).toEqual({ work_type: 30, billable: true });
    expect(initialWorkType(options, 0, false)).toEqual({ work_type: 10, billable: true });
    expect(initialWorkType(options, 99, false)).toEqual({ work_type: 10, billable: true });
    expect(initialWorkType([workType(30, "Internal", null)], 0, true)).toEqual({ work_type: 30, billable: false });
    expect(initialWorkType([], 0, true)).toEqual({ work_type: 0, billable: true });
  });
});

describe("the time-entry draft", () => {
  it("round-trips through the form untouched", () => {
    inZone("America/Chicago");
    expect(entryDraft(draft, entryInput(draft))).toEqual({ draft });
  });

  it("takes what was typed and keeps the rest as given", () => {
    inZone("America/Chicago");
    const input = { ...entryInput(draft), end: "2026-11-20T10:00", work_type: 20, billable: false, summary_notes: "Fixed it", split_at_midnight: true };
    expect(entryDraft(draft, input)).toEqual({
      draft: {
        ...draft,
        end_at: "2026-11-20T16:00:00.000Z",
        work_type: 20,
        billable: false,
        summary_notes: "Fixed it",
        split_at_midnight: true,
      },
    });
  });

  it("names a time that cannot be read", () => {
    expect(entryDraft(draft, { ...entryInput(draft), start: "", end: "2026-11-31T10:00" })).toEqual({
      errors: { start_at: "Enter the start date and time.", end_at: "Enter the end date and time." },
    });
  });

  it("is made for a service call without time", () => {
    const appointment = {
      id: "a1",
      start_at: "2026-11-18T15:00:00Z",
      end_at: "2026-11-18T16:00:00Z",
      customer_name: "Acme",
      ticket_id: "t1",
      ticket_number: "T1",
    };
    expect(draftForAppointment(appointment)).toEqual({
      id: null,
      ticket_id: "t1",
      ticket_number: "T1",
      appointment_id: "a1",
      start_at: "2026-11-18T15:00:00Z",
      end_at: "2026-11-18T16:00:00Z",
      work_type: 0,
      billable: true,
      summary_notes: "",
      internal_notes: "",
      split_at_midnight: false,
      from_timer: false,
    });
    expect(draftForAppointment({ ...appointment, ticket_id: null })).toBeNull();
  });

  it("is made from a placeholder to complete it", () => {
    const entry: TimeEntry = {
      id: "e1",
      ticket_id: "t1",
      ticket_number: "T1",
      ticket_title: "Printer",
      customer_name: "Acme",
      appointment_id: null,
      start_at: "2026-11-18T15:00:00Z",
      end_at: "2026-11-18T16:30:00Z",
      hours: 1.5,
      work_type: 20,
      billable: true,
      work_type_label: "On site",
      summary_notes: "Printer fixed",
      internal_notes: "[PLACEHOLDER - do not approve yet] To be completed by Thu 19 Nov 09:00 (Europe/Berlin).",
      is_placeholder: true,
      placeholder_due_at: "2026-11-19T08:00:00Z",
      overdue: false,
    };
    expect(draftForPlaceholder(entry)).toEqual({
      id: "e1",
      ticket_id: "t1",
      ticket_number: "T1",
      appointment_id: null,
      start_at: "2026-11-18T15:00:00Z",
      end_at: "2026-11-18T16:30:00Z",
      work_type: 20,
      billable: true,
      summary_notes: "Printer fixed",
      internal_notes: "",
      split_at_midnight: false,
      from_timer: false,
    });
  });
});

describe("placeholderTimes", () => {
  it("is the hour up to now, rounded down to five minutes, in local time", () => {
    inZone("Asia/Kathmandu");
    // 10:07:42 UTC is 15:52:42 in Kathmandu (UTC+05:45).
    expect(placeholderTimes(new Date("2026-11-20T10:07:42Z"))).toEqual({ start: "2026-11-20T14:50", end: "2026-11-20T15:50" });
  });

  it("goes back across local midnight", () => {
    inZone("Europe/London");
    expect(placeholderTimes(new Date("2026-11-20T00:32:00Z"))).toEqual({ start: "2026-11-19T23:30", end: "2026-11-20T00:30" });
  });
});
