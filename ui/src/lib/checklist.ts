// A ticket's checklist as the UI shows it: progress words and an item
// replaced by its new state after a tick.
import type { ChecklistItem } from "./bindings/ChecklistItem";

/** "2 of 5 done", or "" for an empty checklist. */
export function checklistProgress(items: ChecklistItem[]): string {
  if (items.length === 0) return "";
  const done = items.filter((item) => item.is_completed).length;
  return done === items.length ? `all ${items.length} done` : `${done} of ${items.length} done`;
}

/** The list with `updated` in place of the item with its id (order kept). */
export function replaceItem(items: ChecklistItem[], updated: ChecklistItem): ChecklistItem[] {
  return items.map((item) => (item.id === updated.id ? updated : item));
}

/** Important items not ticked yet: what the close-out should ask about. */
export function importantOpen(items: ChecklistItem[]): ChecklistItem[] {
  return items.filter((item) => item.is_important && !item.is_completed);
}
