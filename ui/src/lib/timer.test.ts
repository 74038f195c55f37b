import { describe, expect, it } from "vitest";
import { formatElapsed } from "./timer.svelte";

describe("timer", () => {
  it("shows elapsed time as h:mm:ss", () => {
    expect(formatElapsed(0)).toBe("0:00:00");
    expect(formatElapsed(3909)).toBe("1:05:09");
    expect(formatElapsed(-5)).toBe("0:00:00");
    expect(formatElapsed(36_000.9)).toBe("10:00:00");
  });
});
