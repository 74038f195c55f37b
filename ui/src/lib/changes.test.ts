import { describe, expect, it } from "vitest";
import type { CategoryForm } from "./bindings/CategoryForm";
import type { ChangeRecord } from "./bindings/ChangeRecord";
import {
  correctionDraft,
  currentNewestFirst,
  draftToSave,
  emptyChangeDraft,
  resetConfirmed,
  resetHeadline,
  passphraseProblem,
  revisionDiff,
} from "./changes";

const forms: CategoryForm[] = [
  {
    category: "password_change",
    label: "Password change",
    fields: [
      { key: "system", label: "System", required: true, flag: false },
      { key: "admin", label: "Admin rights", required: false, flag: true },
    ],
    secret_label: "New password",
  },
  { category: "other", label: "Other", fields: [{ key: "details", label: "Details", required: false, flag: false }], secret_label: null },
];

function record(overrides: Partial<ChangeRecord> = {}): ChangeRecord {
  return {
    id: "rev1", record_id: "rec1", revision: 1, is_current: true, customer_id: "c1", customer_name: "Harbor",
    site_id: null, site_name: "", device_id: null, device_name: "", ticket_id: null, ticket_number: "", author_name: "Ana",
    category: "password_change", category_label: "Password change", summary: "Reset admin",
    fields: [{ key: "system", label: "System", value: "M365" }], has_secret: true,
    created_at: "2025-03-01T10:00:00Z", ...overrides,
  };
}

describe("change helpers", () => {
  it("resets secrets only after the typed word", () => {
    expect(resetConfirmed("")).toBe(false);
    expect(resetConfirmed("reset")).toBe(false);
    expect(resetConfirmed("yes")).toBe(false);
    expect(resetConfirmed(" RESET ")).toBe(true);
  });

  it("says in plain words what a reset loses", () => {
    const none = { change_secrets: 0, psa_credentials: false, sealing_key: false, lost: [] };
    expect(resetHeadline(none)).toMatch(/No stored secrets/);
    expect(resetHeadline({ ...none, change_secrets: 3, psa_credentials: true })).toBe(
      "3 passwords in the change log and the PSA credentials will be lost.",
    );
    expect(resetHeadline({ ...none, change_secrets: 1 })).toBe("1 password in the change log will be lost.");
    expect(resetHeadline({ ...none, psa_credentials: true, sealing_key: true })).toBe(
      "The PSA credentials and the report sealing key will be lost.",
    );
  });

  it("refuses short or mismatched passphrases", () => {
    expect(passphraseProblem("short", "short")).toMatch(/at least 10/);
    expect(passphraseProblem("long enough one", "long enough two")).toMatch(/do not match/);
    expect(passphraseProblem("long enough one", "long enough one")).toBeNull();
  });

  it("a new draft takes the first category and the preset ticket and device", () => {
    const draft = emptyChangeDraft("c1", forms, "t1", "d1");
    expect(draft).toMatchObject({ customer_id: "c1", category: "password_change", ticket_id: "t1", device_id: "d1", correcting: null, secret: null });
  });

  it("a correction carries the record's values but never a secret", () => {
    const draft = correctionDraft(record({ device_id: "d1", ticket_id: "t1" }));
    expect(draft.correcting).toBe("rec1");
    expect(draft.fields).toEqual({ system: "M365" });
    expect(draft.secret).toBeNull();
    expect(draft.device_id).toBe("d1");
  });

  it("saves only the chosen category's fields and an empty secret as null", () => {
    const draft = { ...emptyChangeDraft("c1", forms), fields: { system: "VPN", details: "left over" } };
    const saved = draftToSave(draft, forms[0], "");
    expect(saved.fields).toEqual({ system: "VPN", admin: "" });
    expect(saved.secret).toBeNull();
    expect(draftToSave(draft, forms[0], "hunter22").secret).toBe("hunter22");
    expect(draftToSave({ ...draft, category: "other" }, forms[1], "hunter22").secret).toBeNull();
  });

  it("shows what a revision changed", () => {
    const first = record();
    const second = record({
      id: "rev2", revision: 2, summary: "Reset admin password",
      fields: [{ key: "system", label: "System", value: "Entra" }, { key: "admin", label: "Admin rights", value: "yes" }],
    });
    expect(revisionDiff(null, first).map((diff) => [diff.label, diff.after])).toEqual([["System", "M365"]]);
    expect(revisionDiff(first, second).map((diff) => [diff.label, diff.before, diff.after])).toEqual([
      ["Summary", "Reset admin", "Reset admin password"],
      ["System", "M365", "Entra"],
      ["Admin rights", "", "yes"],
    ]);
    expect(revisionDiff(second, second)).toEqual([]);
  });

  it("lists current records newest first", () => {
    const rows = [
      record({ id: "a", created_at: "2025-03-01T10:00:00Z" }),
      record({ id: "b", created_at: "2025-03-02T10:00:00Z" }),
      record({ id: "old", is_current: false, created_at: "2025-03-03T10:00:00Z" }),
    ];
    expect(currentNewestFirst(rows).map((row) => row.id)).toEqual(["b", "a"]);
  });
});
