// The ticket views in navigation order, with the names the technician knows.
import type { TicketView } from "./bindings/TicketView";
import type { TicketSort } from "./bindings/TicketSort";

export interface ViewInfo {
  id: TicketView;
  label: string;
  sort: TicketSort;
}

export const TICKET_VIEWS: ViewInfo[] = [
  { id: "my_todo", label: "My todo", sort: "priority" },
  { id: "technicians_queue", label: "Technicians' queue", sort: "priority" },
  { id: "patch_issues", label: "Patch Issues", sort: "priority" },
  { id: "backup_checks_due", label: "Backup checks due this month", sort: "due" },
  { id: "primary_resource", label: "Where I'm primary", sort: "priority" },
  { id: "needs_attention", label: "New, need attention", sort: "newest" },
  { id: "high_priority_alerts", label: "High priority alerts", sort: "priority" },
  { id: "office_admin", label: "Filling in for office admin", sort: "newest" },
  { id: "aging_without_update", label: "Aging without a customer update", sort: "activity" },
  { id: "workstation_offline", label: "Workstation offline", sort: "newest" },
  { id: "all", label: "All tickets", sort: "activity" },
];

export const SORTS: { id: TicketSort; label: string }[] = [
  { id: "priority", label: "Priority" },
  { id: "due", label: "Due date" },
  { id: "newest", label: "Newest" },
  { id: "activity", label: "Last activity" },
];

export function viewLabel(view: TicketView): string {
  return TICKET_VIEWS.find((item) => item.id === view)?.label ?? view;
}
