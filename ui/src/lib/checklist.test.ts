import { describe, expect, it } from "vitest";
import { checklistProgress, importantOpen, replaceItem } from "./checklist";
import type { ChecklistItem } from "./bindings/ChecklistItem";

const item = (id: string, done: boolean, important = false): ChecklistItem => ({
  id,
  position: Number(id),
  name: `Item ${id}`,
  is_important: important,
  is_completed: done,
  completed_by_name: done ? "Alex Morgan" : "",
  completed_at: done ? "2026-11-24T09:00:00Z" : null,
  is_waiting: false,
});

describe("checklist", () => {
  it("says how much is done", () => {
    expect(checklistProgress([])).toBe("");
    expect(checklistProgress([item("1", true), item("2", false), item("3", false)])).toBe("1 of 3 done");
    expect(checklistProgress([item("1", true), item("2", true)])).toBe("all 2 done");
  });

  it("replaces a ticked item in place, keeping the order", () => {
    const list = [item("1", false), item("2", false), item("3", false)];
    const ticked = { ...item("2", true), is_waiting: true };
    const after = replaceItem(list, ticked);
    expect(after.map((i) => i.id)).toEqual(["1", "2", "3"]);
    expect(after[1]).toEqual(ticked);
    expect(list[1]?.is_completed).toBe(false);
  });

  it("lists the important items still open", () => {
    expect(importantOpen([item("1", false, true), item("2", true, true), item("3", false)]).map((i) => i.id)).toEqual(["1"]);
  });
});
