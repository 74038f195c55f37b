import { describe, expect, it } from "vitest";
import { Task } from "./task.svelte";

describe("Task", () => {
  it("is busy while the call runs and clear after it succeeds", async () => {
    const task = new Task();
    let release!: () => void;
    const running = task.run(() => new Promise<void>((resolve) => (release = resolve)));
    expect(task.busy).toBe(true);
    expect(await task.run(async () => {})).toBe(false); // one run at a time
    release();
    expect(await running).toBe(true);
    expect(task.busy).toBe(false);
    expect(task.error).toBe("");
  });

  it("keeps the error payload, its message and field messages", async () => {
    const task = new Task();
    const ok = await task.run(() =>
      Promise.reject({ code: "validation", message: "1 field needs attention.", fields: [{ field: "name", message: "Required." }] }),
    );
    expect(ok).toBe(false);
    expect(task.error).toBe("1 field needs attention.");
    expect(task.fields).toEqual({ name: "Required." });
    await task.run(async () => {});
    expect(task.failure).toBeNull();
  });

  it("lets the caller take a failure instead", async () => {
    const task = new Task();
    let seen = "";
    await task.run(
      () => Promise.reject(new Error("Secrets are locked")),
      (payload) => {
        seen = payload.message;
        return true;
      },
    );
    expect(seen).toBe("Secrets are locked");
    expect(task.failure).toBeNull();
    task.fail("Choose a date and time.");
    expect(task.error).toBe("Choose a date and time.");
  });
});
