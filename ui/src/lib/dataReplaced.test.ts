import { describe, expect, it } from "vitest";
import { dataReplaced, formatBytes, replacedData } from "./dataReplaced.svelte";
import { navigation } from "./navigation.svelte";
import type { RestoreOutcome } from "./bindings/RestoreOutcome";

describe("dataReplaced", () => {
  it("keeps the outcome, drops the open ticket and starts a new generation", () => {
    navigation.ticket = "t-1";
    const before = replacedData.generation;
    const outcome = { restored_from: "/b.fkbackup", kept_aside_at: "/d/before-restore-x" } as RestoreOutcome;
    dataReplaced(outcome);
    expect(replacedData.generation).toBe(before + 1);
    expect(replacedData.restored).toBe(outcome);
    expect(replacedData.unseen).toBe(true);
    expect(navigation.ticket).toBeNull();
  });

  it("words sizes", () => {
    expect(formatBytes(312)).toBe("312 bytes");
    expect(formatBytes(820_400)).toBe("820 KB");
    expect(formatBytes(1_400_000)).toBe("1.4 MB");
    expect(formatBytes(2_500_000_000)).toBe("2.5 GB");
  });
});
