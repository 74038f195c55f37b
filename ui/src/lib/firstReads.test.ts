import { afterEach, describe, expect, it } from "vitest";
import type { DatabaseStatus } from "./bindings/DatabaseStatus";
import type { DayQuery } from "./bindings/DayQuery";
import type { TodayOverview } from "./bindings/TodayOverview";
import { takeFirstReads } from "./firstReads";
import { localDayBounds } from "./time";
import indexHtml from "../../index.html?raw";

const day: DayQuery = { day_start: "2026-12-06T23:00:00.000Z", day_end: "2026-12-07T23:00:00.000Z" };

function pageAsked(forDay: DayQuery, failing = false) {
  const status = failing ? Promise.reject(new Error("closed")) : Promise.resolve({ state: "open" } as DatabaseStatus);
  const today = failing ? Promise.reject(new Error("closed")) : Promise.resolve({ customers: 3 } as unknown as TodayOverview);
  globalThis.__fieldkitFirstReads = { day: forDay, status, today };
  return { status, today };
}

afterEach(() => {
  delete globalThis.__fieldkitFirstReads;
});

describe("the page's first reads", () => {
  it("are taken once, for the day they were asked for", async () => {
    const asked = pageAsked(day);
    const reads = takeFirstReads(day);
    expect(reads?.status).toBe(asked.status);
    expect((await reads!.today).customers).toBe(3);
    expect(takeFirstReads(day)).toBeNull();
  });

  it("are not used for another day (midnight passed while the page loaded), and their failure is not reported", async () => {
    // Vitest fails the run on an unhandled rejection.
    pageAsked(day, true);
    expect(takeFirstReads({ day_start: day.day_end, day_end: "2026-12-08T23:00:00.000Z" })).toBeNull();
    expect(globalThis.__fieldkitFirstReads).toBeUndefined();
    await new Promise((done) => setTimeout(done, 10));
  });

  it("are absent outside the app (a plain browser, the tests): the shell reads itself", () => {
    expect(takeFirstReads(day)).toBeNull();
  });
});

describe("index.html's inline script", () => {
  it("asks for the status and Today's data of the day localDayBounds gives, through Tauri's invoke", async () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(indexHtml)?.[1];
    expect(script).toBeTruthy();
    const invoked: [string, unknown][] = [];
    const page: Record<string, unknown> = {
      __TAURI_INTERNALS__: {
        invoke: (command: string, args: unknown) => {
          invoked.push([command, args]);
          return Promise.resolve(command);
        },
      },
    };
    new Function("window", "performance", script!)(page, { now: () => 0, measure: () => undefined });
    const day = localDayBounds(new Date());
    expect(invoked).toEqual([
      ["database_status", {}],
      ["today_overview", { day }],
    ]);
    const reads = page.__fieldkitFirstReads as { day: DayQuery; status: Promise<unknown>; today: Promise<unknown> };
    expect(reads.day).toEqual(day);
    expect([await reads.status, await reads.today]).toEqual(["database_status", "today_overview"]);
  });

  it("warms date formatting only when the status says Today comes (not for the first run's welcome)", async () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(indexHtml)![1]!;
    const warmedFor = async (status: Partial<DatabaseStatus>) => {
      const measured: string[] = [];
      const page: Record<string, unknown> = {
        __TAURI_INTERNALS__: {
          invoke: (command: string) => Promise.resolve(command === "database_status" ? status : null),
        },
      };
      new Function("window", "performance", script)(page, {
        now: () => 0,
        measure: (name: string) => measured.push(name),
      });
      await (page.__fieldkitFirstReads as { status: Promise<unknown> }).status;
      await Promise.resolve();
      return measured.includes("date formatting warmed");
    };
    expect(await warmedFor({ state: "open", first_run: false })).toBe(true);
    expect(await warmedFor({ state: "open", first_run: true })).toBe(false);
    expect(await warmedFor({ state: "unreadable", first_run: false })).toBe(false);
  });

  it("does nothing outside the app", () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(indexHtml)![1]!;
    const page: Record<string, unknown> = {};
    new Function("window", "performance", script)(page, {});
    expect(page).toEqual({});
  });
});
