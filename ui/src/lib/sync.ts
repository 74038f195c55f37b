// Pure helpers for the sync status line and the Sync area.
import type { KindCount } from "./bindings/KindCount";
import type { SyncOverview } from "./bindings/SyncOverview";
import type { SyncSettings } from "./bindings/SyncSettings";
import type { SyncSettingsDraft } from "./bindings/SyncSettingsDraft";

/** "just now", "2 min ago", "3 h ago", "yesterday", or the date. */
export function relativeTime(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  if (hours < 48) return "yesterday";
  return at.toLocaleDateString(undefined, { dateStyle: "medium" });
}

const KINDS: Record<string, string> = {
  resources: "people",
  companies: "customers",
  locations: "sites",
  contacts: "contacts",
  devices: "devices",
  tickets: "tickets",
  secondary_resources: "ticket helpers",
  notes: "notes",
  service_calls: "appointments",
  service_call_tickets: "appointment tickets",
  service_call_resources: "appointment people",
  time_entries: "time entries",
};
export const recordKindLabel = (kind: string): string => KINDS[kind] ?? kind.replace(/_/g, " ");

export function progressTotal(counts: KindCount[]): number {
  return counts.reduce((sum, count) => sum + count.count, 0);
}

/** The status line: what the technician needs to know at a glance. */
export function statusText(overview: SyncOverview, now: Date): string {
  if (!overview.configured) return "Not connected to the PSA";
  if (overview.progress.running) return `Syncing… ${overview.progress.phase}`.trim();
  const run = overview.last_run;
  const failing = run?.error && (!overview.last_success_at || run.started_at > overview.last_success_at);
  // The first clause says it ("The PSA could not be reached"); the rest is for the Sync area.
  if (failing) return `Offline — ${run!.error!.split(":")[0]!.trim()}`;
  if (overview.last_success_at) return `Synced ${relativeTime(overview.last_success_at, now)}`;
  return "Not synced yet";
}

/** The form from the stored settings: the integration code and secret are never shown. */
export function draftFromSettings(settings: SyncSettings): SyncSettingsDraft {
  return {
    psa: settings.psa,
    tenant: settings.tenant,
    discovery_url: settings.discovery_url,
    api_user: settings.api_user,
    integration_code: "",
    secret: "",
    resource_id: settings.resource_id === null ? "" : String(settings.resource_id),
    queue_ids: [...settings.queue_ids],
    interval_minutes: settings.interval_minutes,
  };
}
