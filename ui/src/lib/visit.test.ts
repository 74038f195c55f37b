import { describe, expect, it } from "vitest";
import type { Visit } from "./bindings/Visit";
import { addStockPart, closeOutInput, closeOutOf, missingChoice, removeOnePart } from "./visit";

const cable = { id: "c1", name: "Cat6 cable 2 m" };

const visit = (kind: "on_site" | "remote"): Visit =>
  ({ id: "v1", kind, step: "close_out" }) as unknown as Visit;

const prefill = {
  summary: "Replaced cables.",
  start_at: "2026-12-06T09:00:00Z",
  end_at: "2026-12-06T10:00:00Z",
  work_type: 3,
  billable: true,
  internal_notes: "Change documented: Password change: admin",
};

describe("parts from stock", () => {
  it("counts a second click on the same item as a second part", () => {
    const once = addStockPart([], cable);
    const twice = addStockPart(once, cable);
    expect(twice).toEqual([{ item: "Cat6 cable 2 m", quantity: 2, item_id: "c1" }]);
    expect(addStockPart(twice, { id: "a1", name: "USB-C adapter" })).toHaveLength(2);
  });

  it("takes one away, and the line when none is left", () => {
    const two = addStockPart(addStockPart([], cable), cable);
    expect(removeOnePart(two, 0)[0]?.quantity).toBe(1);
    expect(removeOnePart(removeOnePart(two, 0), 0)).toEqual([]);
    expect(removeOnePart(two, 5)).toBe(two);
  });
});

describe("the close-out", () => {
  it("asks for the outcome, and for the user's confirmation after a remote session", () => {
    const input = closeOutInput(prefill);
    expect(missingChoice(visit("on_site"), input)?.field).toBe("outcome");
    input.outcome = "complete";
    expect(missingChoice(visit("on_site"), input)).toBeNull();
    expect(missingChoice(visit("remote"), input)?.field).toBe("confirmed_working");
  });

  it("sends the follow-up only with that outcome, the signature only on site", () => {
    const input = { ...closeOutInput(prefill), outcome: "complete" as const, followUpWhat: "typed then changed mind" };
    const signature = { strokes: [], signer_name: "Dana", signer_title: "", no_signature_reason: "", record_anyway: false };
    const onSite = closeOutOf(visit("on_site"), input, signature);
    expect(onSite.follow_up_what).toBe("");
    expect(onSite.signature).toBe(signature);
    expect(onSite.internal_notes).toContain("Password change");
    const remote = closeOutOf(visit("remote"), { ...input, confirmedWorking: true }, signature);
    expect(remote.signature).toBeNull();
    expect(remote.confirmed_working).toBe(true);
  });
});
