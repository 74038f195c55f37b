// Turning stored customers into editable drafts and back.
import type { ContactDraft } from "./bindings/ContactDraft";
import type { Customer } from "./bindings/Customer";
import type { CustomerDraft } from "./bindings/CustomerDraft";
import type { SiteDraft } from "./bindings/SiteDraft";

export function newId(): string {
  return crypto.randomUUID();
}

export function emptySite(isPrimary = false): SiteDraft {
  return {
    id: newId(),
    name: "",
    address1: "",
    address2: "",
    city: "",
    state: "",
    postal_code: "",
    country: "",
    phone: "",
    is_primary: isPrimary,
  };
}

export function emptyContact(siteId: string | null = null): ContactDraft {
  return { id: newId(), site_id: siteId, first_name: "", last_name: "", title: "", phone: "", mobile: "", email: "" };
}

export function emptyCustomerDraft(): CustomerDraft {
  return {
    id: null,
    name: "",
    phone: "",
    website: "",
    is_msa: false,
    notes: "",
    sites: [{ ...emptySite(true), name: "Main office" }],
    contacts: [],
  };
}

export function customerToDraft(customer: Customer): CustomerDraft {
  return {
    id: customer.id,
    name: customer.name,
    phone: customer.phone,
    website: customer.website,
    is_msa: customer.is_msa,
    notes: customer.notes,
    sites: customer.sites.map(({ psa_id: _psa, ...site }) => ({ ...site })),
    contacts: customer.contacts.map(({ psa_id: _psa, ...contact }) => ({ ...contact })),
  };
}

/** Removes a site and unlinks the contacts that pointed at it. */
export function removeSite(draft: CustomerDraft, index: number): CustomerDraft {
  const removed = draft.sites[index];
  if (!removed) return draft;
  const sites = draft.sites.filter((_, i) => i !== index);
  if (removed.is_primary && sites[0] && !sites.some((site) => site.is_primary)) {
    sites[0] = { ...sites[0], is_primary: true };
  }
  const contacts = draft.contacts.map((contact) =>
    contact.site_id === removed.id ? { ...contact, site_id: null } : contact,
  );
  return { ...draft, sites, contacts };
}
