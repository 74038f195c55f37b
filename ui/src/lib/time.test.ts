import { afterEach, describe, expect, it } from "vitest";
import { dueLabel, isOverdue, localDayBounds, localTime, sameLocalDay, timeWindow } from "./time";

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
