import { describe, expect, it } from "vitest";
import type { UpdateStatus } from "./bindings/UpdateStatus";
import { waitingText } from "./updates";

function status(waiting: boolean, reasons: string[]): UpdateStatus {
  return {
    current_version: "0.1.0",
    enabled: true,
    available: { version: "0.2.0", notes: "", published: null },
    checked_at: null,
    waiting,
    installing: false,
    quiet: { quiet: reasons.length === 0, open_visits: 0, unsent_changes: 0, reasons },
    problem: null,
  };
}

describe("waitingText", () => {
  it("names every reason an install waits for", () => {
    expect(waitingText(status(true, ["a visit is in progress", "3 changes not yet sent"]))).toBe(
      'Waiting: a visit is in progress and 3 changes not yet sent. It installs at the next quiet moment, or now with "Install anyway".',
    );
  });

  it("says nothing when no install waits or it is quiet", () => {
    expect(waitingText(status(false, ["a visit is in progress"]))).toBe("");
    expect(waitingText(status(true, []))).toBe("");
    expect(waitingText(null)).toBe("");
  });
});
