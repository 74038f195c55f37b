import { describe, expect, it } from "vitest";
import type { ItemUsage } from "./bindings/ItemUsage";
import type { StockItem } from "./bindings/StockItem";
import { chartScale, countDifference, filterItems, formatDelta, movementKindLabel, locationLabel, categoryLabel, monthLabel, stockTakeOrder } from "./stock";

function item(name: string, extra: Partial<StockItem> = {}): StockItem {
  return {
    id: name,
    name,
    category: "cables",
    unit: "pcs",
    location: "car",
    reorder_level: 2,
    reorder_quantity: 5,
    notes: "",
    on_hand: 4,
    low: false,
    requested: false,
    updated_at: "2026-11-24T10:00:00Z",
    ...extra,
  };
}

describe("stock helpers", () => {
  it("formats deltas with a true minus sign", () => {
    expect(formatDelta(10)).toBe("+10");
    expect(formatDelta(-2)).toBe("\u22122");
    expect(formatDelta(0)).toBe("0");
  });

  it("labels kinds, categories and locations", () => {
    expect(movementKindLabel("used")).toBe("Used");
    expect(movementKindLabel("counted")).toBe("Counted");
    expect(categoryLabel("adapters")).toBe("Adapters");
    expect(locationLabel("office")).toBe("Office");
  });

  it("filters by every typed word, category and location, keeping the order", () => {
    const items = [
      item("Cat6 patch cable 2 m", { low: true }),
      item("HDMI cable 2 m", { location: "bag" }),
      item("USB-C adapter", { category: "adapters", location: "bag" }),
    ];
    expect(filterItems(items, { search: "cable 2", category: "", location: "" }).map((i) => i.name)).toEqual([
      "Cat6 patch cable 2 m",
      "HDMI cable 2 m",
    ]);
    expect(filterItems(items, { search: "", category: "adapters", location: "" })).toHaveLength(1);
    expect(filterItems(items, { search: "CABLE", category: "", location: "bag" }).map((i) => i.name)).toEqual(["HDMI cable 2 m"]);
    expect(filterItems(items, { search: "zebra", category: "", location: "" })).toEqual([]);
  });

  it("walks a stock-take by place, then name", () => {
    const order = stockTakeOrder([item("b", { location: "office" }), item("z"), item("a", { location: "bag" }), item("c")]);
    expect(order.map((i) => i.name)).toEqual(["c", "z", "a", "b"]);
  });

  it("shows the difference a typed count makes, and nothing for bad input", () => {
    expect(countDifference(4, "6")).toBe(2);
    expect(countDifference(4, " 4 ")).toBe(0);
    expect(countDifference(4, "1")).toBe(-3);
    expect(countDifference(4, "")).toBeNull();
    expect(countDifference(4, "-1")).toBeNull();
    expect(countDifference(4, "1.5")).toBeNull();
    expect(countDifference(4, "two")).toBeNull();
  });

  it("names months and scales charts", () => {
    expect(monthLabel("2026-11")).toMatch(/nov/i);
    expect(monthLabel("nonsense")).toBe("nonsense");
    const usage: ItemUsage[] = [
      { item_id: "a", name: "a", unit: "pcs", total: 5, months: [{ month: "2026-10", used: 2 }, { month: "2026-11", used: 3 }] },
    ];
    expect(chartScale(usage)).toBe(3);
    expect(chartScale([])).toBe(1);
  });
});
