// Pure helpers for the Stock area: labels, filters, the stock-take order and
// the usage chart's scale.
import type { ItemUsage } from "./bindings/ItemUsage";
import type { MovementKind } from "./bindings/MovementKind";
import type { StockCategory } from "./bindings/StockCategory";
import type { StockItem } from "./bindings/StockItem";
import type { StockLocation } from "./bindings/StockLocation";

const MINUS = "\u2212";

/** "+10", "−2" (a true minus sign), "0". */
export function formatDelta(delta: number): string {
  if (delta > 0) return `+${delta}`;
  if (delta < 0) return `${MINUS}${-delta}`;
  return "0";
}

const KINDS: Record<MovementKind, string> = {
  received: "Received",
  used: "Used",
  returned: "Returned",
  adjusted: "Adjusted",
  counted: "Counted",
};
export const movementKindLabel = (kind: MovementKind): string => KINDS[kind];

export const CATEGORIES: { value: StockCategory; label: string }[] = [
  { value: "forms", label: "Forms" },
  { value: "cables", label: "Cables" },
  { value: "adapters", label: "Adapters" },
  { value: "storage", label: "Storage" },
  { value: "other", label: "Other" },
];
export const LOCATIONS: { value: StockLocation; label: string }[] = [
  { value: "car", label: "Car" },
  { value: "bag", label: "Bag" },
  { value: "office", label: "Office" },
];
export const categoryLabel = (category: StockCategory): string =>
  CATEGORIES.find((entry) => entry.value === category)?.label ?? category;
export const locationLabel = (location: StockLocation): string =>
  LOCATIONS.find((entry) => entry.value === location)?.label ?? location;

export interface StockFilter {
  search: string;
  category: StockCategory | "";
  location: StockLocation | "";
}

/** Keeps the list's order (low first); matches every typed word in the name. */
export function filterItems(items: StockItem[], filter: StockFilter): StockItem[] {
  const words = filter.search.toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter(
    (item) =>
      (filter.category === "" || item.category === filter.category) &&
      (filter.location === "" || item.location === filter.location) &&
      words.every((word) => item.name.toLowerCase().includes(word)),
  );
}

const LOCATION_ORDER: StockLocation[] = ["car", "bag", "office"];

/** A stock-take walks the car, then the bag, then the office, by name. */
export function stockTakeOrder(items: StockItem[]): StockItem[] {
  return [...items].sort(
    (a, b) => LOCATION_ORDER.indexOf(a.location) - LOCATION_ORDER.indexOf(b.location) || a.name.localeCompare(b.name),
  );
}

/** What a typed count changes: null while empty or not a whole number ≥ 0. */
export function countDifference(onHand: number, typed: string): number | null {
  const text = typed.trim();
  if (!/^\d+$/.test(text)) return null;
  return Number(text) - onHand;
}

/** "2026-11" → "Nov". */
export function monthLabel(month: string): string {
  const [year, number] = month.split("-").map(Number);
  if (!year || !number) return month;
  return new Intl.DateTimeFormat(undefined, { month: "short", timeZone: "UTC" }).format(new Date(Date.UTC(year, number - 1, 1)));
}

/** The tallest bar of a chart (at least 1, so an empty chart still draws). */
export function chartScale(usage: ItemUsage[]): number {
  return Math.max(1, ...usage.flatMap((item) => item.months.map((month) => month.used)));
}
