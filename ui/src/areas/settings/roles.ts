// How resource roles read on the Settings page.
import type { ResourceRole } from "../../lib/bindings/ResourceRole";

export const roleNames: Record<ResourceRole, string> = {
  technician: "Technician",
  office_admin: "Office admin",
  senior_technician: "Senior technician",
};

/** The "I am" list's groups, in the order they are shown. */
export const roleGroups: { role: ResourceRole; label: string }[] = [
  { role: "technician", label: "Technicians" },
  { role: "senior_technician", label: "Senior technicians" },
  { role: "office_admin", label: "Office admin" },
];
