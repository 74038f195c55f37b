import { describe, expect, it } from "vitest";
import type { SyncOverview } from "./bindings/SyncOverview";
import { draftFromSettings, recordKindLabel, progressTotal, relativeTime, statusText } from "./sync";

const now = new Date("2026-11-24T12:00:00Z");

function overview(extra: Partial<SyncOverview> = {}): SyncOverview {
  return {
    configured: true,
    last_run: null,
    last_success_at: null,
    pending: 0,
    failed: [],
    conflicts: 0,
    progress: { running: false, first: false, phase: "", counts: [] },
    ...extra,
  };
}

describe("sync helpers", () => {
  it("says how long ago", () => {
    expect(relativeTime("2026-11-24T11:59:40Z", now)).toBe("just now");
    expect(relativeTime("2026-11-24T11:58:00Z", now)).toBe("2 min ago");
    expect(relativeTime("2026-11-24T09:00:00Z", now)).toBe("3 h ago");
    expect(relativeTime("2026-11-23T10:00:00Z", now)).toBe("yesterday");
    expect(relativeTime("nonsense", now)).toBe("nonsense");
  });

  it("names kinds and adds up progress", () => {
    expect(recordKindLabel("notes")).toBe("notes");
    expect(recordKindLabel("service_calls")).toBe("appointments");
    expect(recordKindLabel("new_kind")).toBe("new kind");
    expect(progressTotal([{ kind: "tickets", count: 500 }, { kind: "notes", count: 1500 }])).toBe(2000);
  });

  it("writes the status line", () => {
    expect(statusText(overview({ configured: false }), now)).toBe("Not connected to the PSA");
    expect(statusText(overview(), now)).toBe("Not synced yet");
    expect(statusText(overview({ progress: { running: true, first: true, phase: "Receiving", counts: [] } }), now)).toBe("Syncing… Receiving");
    expect(statusText(overview({ last_success_at: "2026-11-24T11:55:00Z" }), now)).toBe("Synced 5 min ago");
    const offline = overview({
      last_success_at: "2026-11-24T11:00:00Z",
      last_run: { started_at: "2026-11-24T11:50:00Z", finished_at: "2026-11-24T11:50:01Z", error: "The PSA could not be reached: connection refused", pushed: 0, pulled: 0 },
    });
    expect(statusText(offline, now)).toMatch(/^Offline — The PSA could not be reached/);
  });

  it("never puts the stored secret back into the form", () => {
    const labels = { name: "HaloPSA", open_in: "Open in HaloPSA", ticket_number: "HaloPSA ticket number", url: "Halo URL", user: "Client id", code: "Tenant", secret: "Client secret", resource: "Your agent id", queues: "Teams to keep" };
    const draft = draftFromSettings({
      psa: "halopsa", labels, choices: [{ psa: "halopsa", labels }], tenant: "acme",
      discovery_url: "https://x", api_user: "u", has_credentials: true, resource_id: 7, queue_ids: [1], interval_minutes: 5,
    });
    expect(draft.psa).toBe("halopsa");
    expect(draft.tenant).toBe("acme");
    expect(draft.secret).toBe("");
    expect(draft.integration_code).toBe("");
    expect(draft.resource_id).toBe("7");
  });
});
