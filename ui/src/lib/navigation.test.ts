import { beforeEach, describe, expect, it } from "vitest";
import { go, navigation, openReport, openTicket, openView, prefillChange, startVisit, take } from "./navigation.svelte";

describe("navigation", () => {
  beforeEach(() => go("today"));

  it("opens a ticket in Tickets and keeps it open across areas", () => {
    navigation.welcome = true;
    openTicket("t-1");
    expect(navigation).toMatchObject({ area: "tickets", welcome: false, ticket: "t-1", intent: null });
    go("stock");
    go("tickets");
    expect(navigation.ticket).toBe("t-1");
  });

  it("opens the view a tile on Today names", () => {
    openView("high_priority_alerts");
    expect(navigation.area).toBe("tickets");
    expect(take("open-view")).toEqual({ kind: "open-view", view: "high_priority_alerts" });
    expect(take("open-view")).toBeNull();
  });

  it("hands each intent to its area once", () => {
    startVisit("t-2", "a-1", "on_site");
    expect(navigation.area).toBe("visit");
    expect(take("open-report")).toBeNull();
    expect(take("start-visit")).toEqual({ kind: "start-visit", ticketId: "t-2", appointmentId: "a-1", visitKind: "on_site" });
    expect(take("start-visit")).toBeNull();

    openReport("r-1");
    expect(navigation.area).toBe("reports");
    expect(take("open-report")?.reportId).toBe("r-1");

    prefillChange({ customerId: "c-1", ticketId: "t-3", deviceId: null });
    expect(navigation.area).toBe("changes");
    expect(take("prefill-change")).toEqual({ kind: "prefill-change", customerId: "c-1", ticketId: "t-3", deviceId: null });
  });

  it("drops an intent nobody took when the technician moves on", () => {
    openReport("r-2");
    go("tickets");
    expect(take("open-report")).toBeNull();
  });
});
