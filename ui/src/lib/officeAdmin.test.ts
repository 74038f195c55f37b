import { describe, expect, it } from "vitest";
import type { Contact } from "./bindings/Contact";
import { contactName, matchContacts, reminderLine } from "./officeAdmin";

const contact = (first_name: string, last_name: string, phone = "", email = ""): Contact => ({
  id: `${first_name}-${last_name}`,
  psa_id: null,
  site_id: null,
  first_name,
  last_name,
  title: "",
  phone,
  mobile: "",
  email,
});

describe("matchContacts", () => {
  const people = [contact("Zoë", "Müller", "+49 30 1234567", "zoe@example.com"), contact("Anna", "Schmidt", "030 999")];
  it("matches every typed word, ignoring case and accents", () => {
    expect(matchContacts(people, "zoe mul").map(contactName)).toEqual(["Zoë Müller"]);
    expect(matchContacts(people, "SCHM").map(contactName)).toEqual(["Anna Schmidt"]);
    expect(matchContacts(people, "").length).toBe(2);
    expect(matchContacts(people, "nobody")).toEqual([]);
  });
  it("matches a phone number by its digits", () => {
    expect(matchContacts(people, "1234567").map(contactName)).toEqual(["Zoë Müller"]);
  });
});

describe("reminderLine", () => {
  it("is empty while the mode is off and counts down while on", () => {
    const now = new Date("2026-11-24T09:00:00Z");
    expect(reminderLine({ on: false, since: null, reminder_minutes: 60, next_reminder_at: null }, now)).toBe("");
    const on = { on: true, since: "2026-11-24T08:30:00Z", reminder_minutes: 60, next_reminder_at: "2026-11-24T09:30:00Z" };
    expect(reminderLine(on, now)).toContain("every 60 min — next in 30 min");
  });
});
