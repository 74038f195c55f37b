import { describe, expect, it } from "vitest";
import { customerToDraft, emptyContact, emptyCustomerDraft, emptySite, removeSite } from "./customerDrafts";
import type { Customer } from "./bindings/Customer";

describe("customer drafts", () => {
  it("a new customer starts with one primary site and fresh ids", () => {
    const draft = emptyCustomerDraft();
    expect(draft.id).toBeNull();
    expect(draft.sites).toHaveLength(1);
    expect(draft.sites[0]!.is_primary).toBe(true);
    expect(draft.sites[0]!.id).not.toBe(emptyCustomerDraft().sites[0]!.id);
  });

  it("removing the primary site promotes the next one and unlinks its contacts", () => {
    const first = { ...emptySite(true), name: "Main" };
    const second = { ...emptySite(false), name: "Annex" };
    const draft = { ...emptyCustomerDraft(), sites: [first, second], contacts: [emptyContact(first.id), emptyContact(second.id)] };
    const next = removeSite(draft, 0);
    expect(next.sites.map((site) => [site.name, site.is_primary])).toEqual([["Annex", true]]);
    expect(next.contacts.map((contact) => contact.site_id)).toEqual([null, second.id]);
  });

  it("a stored customer becomes a draft without PSA ids", () => {
    const customer: Customer = {
      id: "c1", psa_id: 42, name: "Harbor", phone: "", website: "", is_msa: true, notes: "",
      sites: [{ ...emptySite(true), psa_id: 7 }], contacts: [], created_at: "", updated_at: "",
    };
    const draft = customerToDraft(customer);
    expect(draft.id).toBe("c1");
    expect("psa_id" in draft.sites[0]!).toBe(false);
  });
});
