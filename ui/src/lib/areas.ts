// The app's areas, in navigation order, with their keyboard shortcuts (Alt+1…9).

export type AreaId = "today" | "tickets" | "schedule" | "time" | "reports" | "changes" | "stock" | "customers" | "settings" | "outbox" | "sync" | "visit";

export interface Area {
  id: AreaId;
  label: string;
  shortcut: string;
}

export const AREAS: Area[] = [
  { id: "today", label: "Today", shortcut: "1" },
  { id: "tickets", label: "Tickets", shortcut: "2" },
  { id: "schedule", label: "Schedule", shortcut: "3" },
  { id: "time", label: "Time", shortcut: "4" },
  { id: "reports", label: "Service reports", shortcut: "5" },
  { id: "changes", label: "Changes", shortcut: "6" },
  { id: "stock", label: "Stock", shortcut: "7" },
  { id: "customers", label: "Customers", shortcut: "8" },
  { id: "settings", label: "Settings", shortcut: "9" },
];

/** The area an Alt+digit key press selects, if any. */
export function areaForShortcut(event: Pick<KeyboardEvent, "altKey" | "ctrlKey" | "metaKey" | "key">): AreaId | null {
  if (!event.altKey || event.ctrlKey || event.metaKey) return null;
  return AREAS.find((area) => area.shortcut === event.key)?.id ?? null;
}

/** The next area for arrow-key movement inside the navigation. */
export function neighbourArea(current: AreaId, step: 1 | -1): AreaId {
  const index = AREAS.findIndex((area) => area.id === current);
  const next = (index + step + AREAS.length) % AREAS.length;
  return AREAS[next]!.id;
}
