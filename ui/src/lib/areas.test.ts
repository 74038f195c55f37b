import { describe, expect, it } from "vitest";
import { AREAS, areaForShortcut, neighbourArea } from "./areas";

describe("areas", () => {
  it("lists every area of the product once, each with its own Alt shortcut", () => {
    expect(AREAS.map((area) => area.id)).toEqual([
      "today", "tickets", "schedule", "time", "reports", "changes", "stock", "customers", "settings",
    ]);
    expect(new Set(AREAS.map((area) => area.shortcut)).size).toBe(AREAS.length);
  });

  it("maps Alt+digit to an area and ignores other chords", () => {
    expect(areaForShortcut({ altKey: true, ctrlKey: false, metaKey: false, key: "8" })).toBe("customers");
    expect(areaForShortcut({ altKey: false, ctrlKey: false, metaKey: false, key: "7" })).toBeNull();
    expect(areaForShortcut({ altKey: true, ctrlKey: true, metaKey: false, key: "7" })).toBeNull();
    expect(areaForShortcut({ altKey: true, ctrlKey: false, metaKey: false, key: "0" })).toBeNull();
  });

  it("wraps around when moving with the arrow keys", () => {
    expect(neighbourArea("settings", 1)).toBe("today");
    expect(neighbourArea("today", -1)).toBe("settings");
    expect(neighbourArea("today", 1)).toBe("tickets");
  });
});
