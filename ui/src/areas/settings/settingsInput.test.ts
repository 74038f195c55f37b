import { describe, expect, it } from "vitest";
import { fromInput, hourOfDay, systemTimeZone, timeZoneSuggestions, toInput, wholeNumber } from "./settingsInput";
import type { Settings } from "../../lib/bindings/Settings";

const stored: Settings = {
  me: "6f1c2a9e-0000-4000-8000-000000000001",
  scheduling_link_template: "https://example.timezest.com/{ticket}",
  msa_response_hours: 2,
  other_response_hours: 8,
  follow_up_after_days: 3,
  time_zone: "America/Chicago",
  placeholder_due_hour: 9,
  company_name: "Fieldkit MSP",
  workstation_offline_rule: "workstation offline",
};

describe("settings form input", () => {
  it("round-trips stored settings", () => {
    expect(fromInput(toInput(stored))).toEqual({ settings: stored });
    expect(fromInput(toInput({ ...stored, me: null }))).toEqual({ settings: { ...stored, me: null } });
    expect(fromInput(toInput({ ...stored, time_zone: "", placeholder_due_hour: 0 }))).toEqual({
      settings: { ...stored, time_zone: "", placeholder_due_hour: 0 },
    });
  });

  it("accepts whole numbers that fit a u32 only", () => {
    expect(wholeNumber(" 12 ")).toBe(12);
    expect(wholeNumber("0")).toBe(0);
    for (const bad of ["", "abc", "1.5", "-1", "1e3", "4294967296"]) expect(wholeNumber(bad)).toBeNull();
  });

  it("accepts hours of the day from 0 to 23 only", () => {
    expect(hourOfDay("0")).toBe(0);
    expect(hourOfDay(" 23 ")).toBe(23);
    for (const bad of ["", "24", "-1", "9.5", "nine"]) expect(hourOfDay(bad)).toBeNull();
  });

  it("trims the time zone", () => {
    const result = fromInput({ ...toInput(stored), time_zone: "  Europe/Berlin " });
    expect(result).toEqual({ settings: { ...stored, time_zone: "Europe/Berlin" } });
  });

  it("names each field that is not a number and sends nothing", () => {
    const result = fromInput({ ...toInput(stored), msa_response_hours: "two", follow_up_after_days: "" });
    expect(result).toEqual({
      errors: { msa_response_hours: "Enter a whole number, such as 2.", follow_up_after_days: "Enter a whole number, such as 2." },
    });
  });

  it("names an hour outside the day", () => {
    expect(fromInput({ ...toInput(stored), placeholder_due_hour: "24" })).toEqual({
      errors: { placeholder_due_hour: "Enter an hour from 0 to 23." },
    });
  });
});

describe("time zones", () => {
  it("suggests the engine's zones including UTC", () => {
    const zones = timeZoneSuggestions();
    expect(zones).toContain("Europe/Berlin");
    expect(zones).toContain("UTC");
  });

  it("names this computer's zone", () => {
    expect(systemTimeZone()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});
