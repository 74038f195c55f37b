import { afterEach, describe, expect, it } from "vitest";
import { tauriBackend, useBackend, type Backend } from "./backend";
import type { DayQuery } from "./bindings/DayQuery";
import type { TodayOverview } from "./bindings/TodayOverview";
import { dropEarlyToday, readToday, readTodayEarly, waitForTodayRead } from "./todayRead";

const day: DayQuery = { day_start: "2026-12-06T23:00:00.000Z", day_end: "2026-12-07T23:00:00.000Z" };

/** A backend whose Today reads are numbered, so a test can tell them apart. */
function countingBackend(): { reads: DayQuery[] } {
  const reads: DayQuery[] = [];
  const fake = {
    ...tauriBackend,
    todayOverview: async (query: DayQuery) => {
      reads.push(query);
      return { customers: reads.length } as unknown as TodayOverview;
    },
  } satisfies Backend;
  useBackend(fake);
  return { reads };
}

afterEach(() => {
  dropEarlyToday();
  useBackend(tauriBackend);
});

describe("Today's early read", () => {
  it("is taken once by the first Today of that day; later ones read afresh", async () => {
    const { reads } = countingBackend();
    readTodayEarly(day);
    expect(reads).toHaveLength(1);
    expect((await readToday(day)).customers).toBe(1);
    expect(reads).toHaveLength(1);
    expect((await readToday(day)).customers).toBe(2);
  });

  it("is not used for another day or once dropped", async () => {
    const { reads } = countingBackend();
    readTodayEarly(day);
    const tomorrow = { day_start: day.day_end, day_end: "2026-12-08T23:00:00.000Z" };
    expect((await readToday(tomorrow)).customers).toBe(2);
    readTodayEarly(day);
    dropEarlyToday();
    expect((await readToday(day)).customers).toBe(4);
    expect(reads.map((query) => query.day_start)).toEqual([day.day_start, tomorrow.day_start, day.day_start, day.day_start]);
  });

  it("keeps a failed early read from being reported unless Today takes it", async () => {
    useBackend({ ...tauriBackend, todayOverview: () => Promise.reject(new Error("closed")) } satisfies Backend);
    readTodayEarly(day);
    await expect(waitForTodayRead()).resolves.toBeUndefined();
    await expect(readToday(day)).rejects.toThrow("closed");
  });
});
