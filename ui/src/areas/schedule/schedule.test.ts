import { afterEach, describe, expect, it } from "vitest";
import type { AgendaAppointment } from "../../lib/bindings/AgendaAppointment";
import { endLabel, groupByLocalDay, rangeDays, rangeLabel, scheduleDueLabel } from "./schedule";

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

function appointment(id: string, startIso: string): AgendaAppointment {
  const start = Date.parse(startIso);
  return {
    id,
    kind: "on_site",
    start_at: startIso,
    end_at: new Date(start + 2 * 3_600_000).toISOString(),
    arrival_window_end: new Date(start + 3_600_000).toISOString(),
    customer_name: "Acme",
    site_name: "",
    site_address: "",
    description: "",
    tickets: [],
  };
}

describe("rangeDays", () => {
  it("gives local midnights of consecutive calendar days across DST", () => {
    inZone("Europe/Berlin");
    const days = rangeDays(new Date("2026-10-22T12:00:00Z"), 7);
    expect(days.map((day) => day.toISOString())).toEqual([
      "2026-10-21T22:00:00.000Z",
      "2026-10-22T22:00:00.000Z",
      "2026-10-23T22:00:00.000Z",
      "2026-10-24T22:00:00.000Z",
      "2026-10-25T23:00:00.000Z",
      "2026-10-26T23:00:00.000Z",
      "2026-10-27T23:00:00.000Z",
    ]);
  });
});

describe("groupByLocalDay", () => {
  it("puts appointments on the local day they start, in time order, keeping empty days", () => {
    inZone("America/New_York");
    const days = rangeDays(new Date("2026-11-20T15:00:00Z"), 3);
    const groups = groupByLocalDay(
      [
        appointment("late", "2026-11-21T02:00:00Z"), // 21:00 on the 20th in New York
        appointment("morning", "2026-11-20T14:00:00Z"),
        appointment("third", "2026-11-22T15:00:00Z"),
        appointment("outside", "2026-11-23T15:00:00Z"),
      ],
      days,
    );
    expect(groups.map((group) => [group.key, group.appointments.map((a) => a.id)])).toEqual([
      ["2026-11-20", ["morning", "late"]],
      ["2026-11-21", []],
      ["2026-11-22", ["third"]],
    ]);
  });

  it("does not change the list it is given", () => {
    inZone("Europe/London");
    const list = [appointment("b", "2026-11-20T15:00:00Z"), appointment("a", "2026-11-20T09:00:00Z")];
    groupByLocalDay(list, rangeDays(new Date("2026-11-20T12:00:00Z"), 1));
    expect(list.map((a) => a.id)).toEqual(["b", "a"]);
  });
});

describe("rangeLabel", () => {
  it("names the first and last day", () => {
    inZone("Europe/London");
    expect(rangeLabel(new Date("2026-11-20T12:00:00Z"), 7, "en-GB")).toBe("Fri 20 Nov – Thu 26 Nov");
  });
});

describe("labels", () => {
  it("says today for due times today and gives the date otherwise", () => {
    inZone("Europe/London");
    const now = new Date("2026-11-20T08:00:00Z");
    expect(scheduleDueLabel("2026-11-20T16:30:00Z", now, "en-GB")).toBe("today, 16:30");
    expect(scheduleDueLabel("2026-11-24T16:30:00Z", now, "en-GB")).toBe("24 Nov, 16:30");
    expect(scheduleDueLabel(null, now)).toBe("no due time");
  });

  it("gives the end time alone on the start day and with the date after midnight", () => {
    inZone("Europe/London");
    expect(endLabel({ start_at: "2026-11-20T09:00:00Z", end_at: "2026-11-20T11:30:00Z" }, "en-GB")).toBe("11:30");
    expect(endLabel({ start_at: "2026-11-20T22:00:00Z", end_at: "2026-11-21T01:00:00Z" }, "en-GB")).toBe("21 Nov, 01:00");
  });
});
