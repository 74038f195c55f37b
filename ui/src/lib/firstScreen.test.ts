import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LONGEST_WAIT_MS, SETTLE_MS, afterFirstScreen, firstScreenShown, resetFirstScreen } from "./firstScreen";

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

beforeEach(() => {
  vi.useFakeTimers();
  resetFirstScreen();
});
afterEach(() => vi.useRealTimers());

describe("what waits for the first screen", () => {
  it("waits until the first screen is shown, then a moment more", async () => {
    const waiting = afterFirstScreen();
    await vi.advanceTimersByTimeAsync(500);
    expect(await settled(waiting)).toBe(false);
    firstScreenShown();
    await vi.advanceTimersByTimeAsync(SETTLE_MS - 1);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(waiting)).toBe(true);
    // Later callers (a remounted shell) do not wait again.
    expect(await settled(afterFirstScreen())).toBe(true);
  });

  it("is not held back for good when no first screen is ever shown", async () => {
    const waiting = afterFirstScreen();
    await vi.advanceTimersByTimeAsync(LONGEST_WAIT_MS - 1);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(waiting)).toBe(true);
  });
});
