// Filling in for the office admin: the contact search as you type within the
// chosen customer, and the in-app line of the shared-mailbox reminder.
import type { Contact } from "./bindings/Contact";
import type { OfficeAdminMode } from "./bindings/OfficeAdminMode";

const fold = (text: string) => text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

/** Contacts whose name, e-mail or phone contains every typed word (at most `limit`). */
export function matchContacts(contacts: Contact[], text: string, limit = 8): Contact[] {
  const words = fold(text).split(/\s+/).filter(Boolean);
  const digits = text.replace(/\D/g, "");
  return contacts
    .filter((contact) => {
      const haystack = fold(`${contact.first_name} ${contact.last_name} ${contact.email}`);
      const phones = `${contact.phone} ${contact.mobile}`.replace(/\D/g, " ");
      return words.every((word) => haystack.includes(word) || (digits.length >= 3 && phones.replace(/ /g, "").includes(digits)));
    })
    .slice(0, limit);
}

export function contactName(contact: Contact): string {
  return `${contact.first_name} ${contact.last_name}`.trim();
}

/** The reminder line shown while the mode is on ("" when off). */
export function reminderLine(mode: OfficeAdminMode, now: Date): string {
  if (!mode.on || !mode.next_reminder_at) return "";
  const next = new Date(mode.next_reminder_at);
  const minutes = Math.max(0, Math.ceil((next.getTime() - now.getTime()) / 60000));
  const when = minutes <= 1 ? "in a minute" : `in ${minutes} min`;
  return `Filling in for office admin: check the shared mailbox every ${mode.reminder_minutes} min — next ${when}.`;
}
