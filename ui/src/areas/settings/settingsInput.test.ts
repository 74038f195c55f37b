import { describe, expect, it } from "vitest";
import { fromInput, toInput, wholeNumber } from "./settingsInput";
import type { Settings } from "../../lib/bindings/Settings";

const stored: Settings = {
  me: "6f1c2a9e-0000-4000-8000-000000000001",
  scheduling_link_template: "https://example.timezest.com/{ticket}",
  msa_response_hours: 2,
  other_response_hours: 8,
  follow_up_after_days: 3,
};

describe("settings form input", () => {
  it("round-trips stored settings", () => {
    expect(fromInput(toInput(stored))).toEqual({ settings: stored });
    expect(fromInput(toInput({ ...stored, me: null }))).toEqual({ settings: { ...stored, me: null } });
  });

  it("accepts whole numbers that fit a u32 only", () => {
    expect(wholeNumber(" 12 ")).toBe(12);
    expect(wholeNumber("0")).toBe(0);
    for (const bad of ["", "abc", "1.5", "-1", "1e3", "4294967296"]) expect(wholeNumber(bad)).toBeNull();
  });

  it("names each field that is not a number and sends nothing", () => {
    const result = fromInput({ ...toInput(stored), msa_response_hours: "two", follow_up_after_days: "" });
    expect(result).toEqual({
      errors: { msa_response_hours: "Enter a whole number, such as 2.", follow_up_after_days: "Enter a whole number, such as 2." },
    });
  });
});
