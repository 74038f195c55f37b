import { afterEach, describe, expect, it } from "vitest";
import {
  addLocalDays,
  dateFromDayKey,
  dueLabel,
  isOverdue,
  localDayBounds,
  localDayKey,
  localRangeBounds,
  localRangeLabel,
  localShortDate,
  localTime,
  sameLocalDay,
  startOfLocalWeek,
  timeWindow,
  weekDays,
  weekRangeLabel,
} from "./time";

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

describe("localDayBounds", () => {
  it("gives local midnight to the next local midnight in UTC", () => {
    inZone("America/New_York");
    expect(localDayBounds(new Date("2026-11-20T15:30:00Z"))).toEqual({
      day_start: "2026-11-20T05:00:00.000Z",
      day_end: "2026-11-21T05:00:00.000Z",
    });
  });

  it("uses the local date, not the UTC date, late in the evening", () => {
    inZone("America/New_York");
    // 02:00 UTC on the 21st is still the evening of the 20th in New York.
    expect(localDayBounds(new Date("2026-11-21T02:00:00Z")).day_start).toBe("2026-11-20T05:00:00.000Z");
  });

  it("is 23 hours long on the day the clocks go forward", () => {
    inZone("Europe/Berlin");
    expect(localDayBounds(new Date("2026-03-29T12:00:00Z"))).toEqual({
      day_start: "2026-03-28T23:00:00.000Z",
      day_end: "2026-03-29T22:00:00.000Z",
    });
  });

  it("is 25 hours long on the day the clocks go back", () => {
    inZone("Europe/Berlin");
    expect(localDayBounds(new Date("2026-10-25T12:00:00Z"))).toEqual({
      day_start: "2026-10-24T22:00:00.000Z",
      day_end: "2026-10-25T23:00:00.000Z",
    });
  });

  it("starts at local midnight and contains the given moment in any zone", () => {
    const now = new Date();
    const { day_start, day_end } = localDayBounds(now);
    const start = new Date(day_start);
    expect([start.getHours(), start.getMinutes(), start.getSeconds()]).toEqual([0, 0, 0]);
    expect(start.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(new Date(day_end).getTime()).toBeGreaterThan(now.getTime());
  });
});

describe("times for people", () => {
  it("shows an arrival window in local time", () => {
    inZone("Europe/London");
    expect(timeWindow("2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z", "en-GB")).toBe("09:00–10:00");
    expect(localTime("2026-07-01T09:00:00Z", "en-GB")).toBe("10:00");
  });

  it("compares local calendar days", () => {
    inZone("America/New_York");
    expect(sameLocalDay(new Date("2026-11-21T02:00:00Z"), new Date("2026-11-20T14:00:00Z"))).toBe(true);
    expect(sameLocalDay(new Date("2026-11-21T06:00:00Z"), new Date("2026-11-20T14:00:00Z"))).toBe(false);
  });

  it("marks only past due times as overdue", () => {
    const now = new Date("2026-11-20T12:00:00Z");
    expect(isOverdue("2026-11-20T11:59:00Z", now)).toBe(true);
    expect(isOverdue("2026-11-20T12:01:00Z", now)).toBe(false);
    expect(isOverdue(null, now)).toBe(false);
  });

  it("labels today's due times with the time alone and others with the date", () => {
    inZone("Europe/London");
    const now = new Date("2026-11-20T08:00:00Z");
    expect(dueLabel("2026-11-20T16:30:00Z", now, "en-GB")).toBe("16:30");
    expect(dueLabel("2026-11-18T16:30:00Z", now, "en-GB")).toBe("18 Nov, 16:30");
    expect(dueLabel(null, now)).toBe("no due time");
  });
});

describe("localRangeBounds", () => {
  it("spans seven local days from local midnight in UTC", () => {
    inZone("America/New_York");
    expect(localRangeBounds(new Date("2026-11-20T15:30:00Z"), 7)).toEqual({
      day_start: "2026-11-20T05:00:00.000Z",
      day_end: "2026-11-27T05:00:00.000Z",
    });
  });

  it("starts on the local date, not the UTC date, late in the evening", () => {
    inZone("America/New_York");
    expect(localRangeBounds(new Date("2026-11-21T02:00:00Z"), 7).day_start).toBe("2026-11-20T05:00:00.000Z");
  });

  it("crosses a month and a year end on calendar dates", () => {
    inZone("America/New_York");
    expect(localRangeBounds(new Date("2026-12-29T12:00:00Z"), 7)).toEqual({
      day_start: "2026-12-29T05:00:00.000Z",
      day_end: "2027-01-05T05:00:00.000Z",
    });
  });

  it("is an hour short across the clocks going forward", () => {
    inZone("Europe/Berlin");
    expect(localRangeBounds(new Date("2026-03-26T12:00:00Z"), 7)).toEqual({
      day_start: "2026-03-25T23:00:00.000Z",
      day_end: "2026-04-01T22:00:00.000Z",
    });
  });

  it("is an hour long across the clocks going back", () => {
    inZone("Europe/Berlin");
    expect(localRangeBounds(new Date("2026-10-22T12:00:00Z"), 7)).toEqual({
      day_start: "2026-10-21T22:00:00.000Z",
      day_end: "2026-10-28T23:00:00.000Z",
    });
  });

  it("handles the clocks going back in the southern hemisphere", () => {
    inZone("Pacific/Auckland");
    // New Zealand leaves daylight time (UTC+13 to UTC+12) on 5 April 2026.
    expect(localRangeBounds(new Date("2026-04-02T12:00:00Z"), 7)).toEqual({
      day_start: "2026-04-02T11:00:00.000Z",
      day_end: "2026-04-09T12:00:00.000Z",
    });
  });

  it("handles a half-hour DST shift", () => {
    inZone("Australia/Lord_Howe");
    // Lord Howe Island goes from UTC+11 to UTC+10:30 on 5 April 2026.
    expect(localRangeBounds(new Date("2026-04-01T01:00:00Z"), 7)).toEqual({
      day_start: "2026-03-31T13:00:00.000Z",
      day_end: "2026-04-07T13:30:00.000Z",
    });
  });

  it("starts at the first instant of a day whose midnight is skipped", () => {
    inZone("America/Santiago");
    // Chile's clocks jump from 00:00 to 01:00 on 6 September 2026.
    expect(localRangeBounds(new Date("2026-09-01T12:00:00Z"), 7)).toEqual({
      day_start: "2026-09-01T04:00:00.000Z",
      day_end: "2026-09-08T03:00:00.000Z",
    });
    const { day_start } = localRangeBounds(new Date("2026-09-06T12:00:00Z"), 7);
    expect(day_start).toBe("2026-09-06T04:00:00.000Z");
    expect(new Date(day_start).getHours()).toBe(1);
  });

  it("is localDayBounds for a single day", () => {
    for (const zone of ["Europe/Berlin", "America/New_York", "Asia/Kolkata"]) {
      inZone(zone);
      for (const iso of ["2026-03-29T12:00:00Z", "2026-10-25T12:00:00Z", "2026-11-20T15:30:00Z"]) {
        expect(localRangeBounds(new Date(iso), 1)).toEqual(localDayBounds(new Date(iso)));
      }
    }
  });

  it("rejects ranges that are not a whole number of days", () => {
    expect(() => localRangeBounds(new Date(), 0)).toThrow(RangeError);
    expect(() => localRangeBounds(new Date(), -7)).toThrow(RangeError);
    expect(() => localRangeBounds(new Date(), 1.5)).toThrow(RangeError);
  });
});

describe("local calendar days", () => {
  it("moves by calendar days and keeps local midnight across DST", () => {
    inZone("Europe/Berlin");
    const before = new Date("2026-03-28T15:00:00Z");
    const after = addLocalDays(before, 2);
    expect(localDayKey(after)).toBe("2026-03-30");
    expect([after.getHours(), after.getMinutes()]).toEqual([0, 0]);
    expect(localDayKey(addLocalDays(after, -7))).toBe("2026-03-23");
  });

  it("keys a moment by its local date", () => {
    inZone("America/New_York");
    expect(localDayKey(new Date("2026-11-21T02:00:00Z"))).toBe("2026-11-20");
    inZone("Asia/Tokyo");
    expect(localDayKey(new Date("2026-11-20T16:00:00Z"))).toBe("2026-11-21");
  });

  it("shows a short date with the weekday", () => {
    inZone("Europe/London");
    expect(localShortDate(new Date("2026-11-20T12:00:00Z"), "en-GB")).toBe("Fri 20 Nov");
  });
});

describe("weeks", () => {
  it("start on Monday at local midnight, from any day of the week", () => {
    inZone("America/New_York");
    // Friday 20 November 2026, and late Sunday evening 22 November (already Monday in UTC).
    expect(localDayKey(startOfLocalWeek(new Date("2026-11-20T15:00:00Z")))).toBe("2026-11-16");
    expect(localDayKey(startOfLocalWeek(new Date("2026-11-23T03:00:00Z")))).toBe("2026-11-16");
    const monday = startOfLocalWeek(new Date("2026-11-16T05:00:00Z"));
    expect(monday.toISOString()).toBe("2026-11-16T05:00:00.000Z");
  });

  it("gives the core's inclusive first and last day across a month end", () => {
    inZone("Europe/Berlin");
    expect(weekDays(startOfLocalWeek(new Date("2026-12-31T12:00:00Z")))).toEqual({ first: "2026-12-28", last: "2027-01-03" });
  });

  it("moves a week at a time across the clocks going back", () => {
    inZone("Europe/Berlin");
    const monday = startOfLocalWeek(new Date("2026-10-21T12:00:00Z"));
    const next = addLocalDays(monday, 7);
    expect(localDayKey(next)).toBe("2026-10-26");
    expect([next.getHours(), next.getMinutes()]).toEqual([0, 0]);
    expect(weekDays(monday)).toEqual({ first: "2026-10-19", last: "2026-10-25" });
  });

  it("labels the week in local time", () => {
    inZone("Europe/London");
    expect(weekRangeLabel(startOfLocalWeek(new Date("2026-11-20T12:00:00Z")), "en-GB")).toBe("Mon 16 Nov – Sun 22 Nov 2026");
  });
});

describe("dateFromDayKey", () => {
  it("reads a day key as local midnight", () => {
    inZone("Asia/Tokyo");
    const date = dateFromDayKey("2026-11-20");
    expect(date?.toISOString()).toBe("2026-11-19T15:00:00.000Z");
    expect(localDayKey(date as Date)).toBe("2026-11-20");
  });

  it("keeps the date on a day whose midnight is skipped", () => {
    inZone("America/Santiago");
    expect(localDayKey(dateFromDayKey("2026-09-06") as Date)).toBe("2026-09-06");
  });

  it("rejects what is not a calendar date", () => {
    for (const bad of ["", "2026-11-31", "2026-13-01", "20-11-2026", "2026-11-20T00:00"]) expect(dateFromDayKey(bad)).toBeNull();
  });
});

describe("localRangeLabel", () => {
  it("shows one date for a range within a local day", () => {
    inZone("Europe/London");
    expect(localRangeLabel("2026-11-20T09:00:00Z", "2026-11-20T10:30:00Z", "en-GB")).toBe("Fri 20 Nov, 09:00–10:30");
  });

  it("shows both dates when the range ends on the next local day", () => {
    inZone("Europe/London");
    expect(localRangeLabel("2026-11-20T23:00:00Z", "2026-11-21T01:00:00Z", "en-GB")).toBe("Fri 20 Nov 23:00 – Sat 21 Nov 01:00");
  });
});
