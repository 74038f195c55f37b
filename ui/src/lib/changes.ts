// Pure helpers for the change log: drafts, revision diffs, vault errors.
import type { CategoryForm } from "./bindings/CategoryForm";
import type { ChangeCategory } from "./bindings/ChangeCategory";
import type { ChangeDraft } from "./bindings/ChangeDraft";
import type { ChangeRecord } from "./bindings/ChangeRecord";
import type { SecretsReset } from "./bindings/SecretsReset";

/** How long a revealed secret stays on screen (a copied one: as long as the copy command says). */
export const SECRET_SECONDS = 30;

/** The shortest passphrase the vault dialog accepts. */
export const MIN_PASSPHRASE = 10;

/** The word the technician types to confirm a reset of secrets (the core checks it too). */
export const RESET_WORD = "RESET";

/** Whether the typed confirmation allows the reset. */
export function resetConfirmed(typed: string): boolean {
  return typed.trim() === RESET_WORD;
}

/** One line on what a reset loses, e.g. "3 passwords in the change log and the PSA credentials will be lost." */
export function resetHeadline(summary: SecretsReset): string {
  const parts: string[] = [];
  if (summary.change_secrets > 0) {
    parts.push(`${summary.change_secrets} ${summary.change_secrets === 1 ? "password" : "passwords"} in the change log`);
  }
  if (summary.psa_credentials) parts.push("the PSA credentials");
  if (summary.sealing_key) parts.push("the report sealing key");
  if (parts.length === 0) return "No stored secrets will be lost; secrets are set up afresh.";
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
  const text = `${list} will be lost.`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A client-side reason a new passphrase is refused, or null. */
export function passphraseProblem(passphrase: string, confirm: string): string | null {
  if (passphrase.length < MIN_PASSPHRASE) return `Use at least ${MIN_PASSPHRASE} characters.`;
  if (passphrase !== confirm) return "The two passphrases do not match.";
  return null;
}

export function emptyChangeDraft(
  customerId: string,
  forms: CategoryForm[],
  ticketId: string | null = null,
  deviceId: string | null = null,
): ChangeDraft {
  return {
    correcting: null,
    customer_id: customerId,
    site_id: null,
    device_id: deviceId,
    ticket_id: ticketId,
    category: forms[0]?.category ?? "other",
    summary: "",
    fields: {},
    secret: null,
  };
}

/** A correction of `record`: its current values, the secret left empty (kept). */
export function correctionDraft(record: ChangeRecord): ChangeDraft {
  const fields: Record<string, string> = {};
  for (const field of record.fields) fields[field.key] = field.value;
  return {
    correcting: record.record_id,
    customer_id: record.customer_id,
    site_id: record.site_id,
    device_id: record.device_id,
    ticket_id: record.ticket_id,
    category: record.category,
    summary: record.summary,
    fields,
    secret: null,
  };
}

/** The draft as sent: only the chosen category's fields; an empty secret as null. */
export function draftToSave(draft: ChangeDraft, form: CategoryForm | undefined, secret: string): ChangeDraft {
  const fields: Record<string, string> = {};
  for (const spec of form?.fields ?? []) fields[spec.key] = draft.fields[spec.key] ?? "";
  return {
    ...draft,
    fields,
    secret: form?.secret_label && secret !== "" ? secret : null,
  };
}

export function formFor(forms: CategoryForm[], category: ChangeCategory): CategoryForm | undefined {
  return forms.find((form) => form.category === category);
}

export interface FieldDiff {
  key: string;
  label: string;
  before: string;
  after: string;
}

/** The fields (and summary) of `next` that differ from `previous`; all set ones for the first revision. */
export function revisionDiff(previous: ChangeRecord | null, next: ChangeRecord): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  const before = new Map((previous?.fields ?? []).map((field) => [field.key, field]));
  const seen = new Set<string>();
  if (previous && previous.category !== next.category) {
    diffs.push({ key: "category", label: "Category", before: previous.category_label, after: next.category_label });
  }
  if (previous && previous.summary !== next.summary) {
    diffs.push({ key: "summary", label: "Summary", before: previous.summary, after: next.summary });
  }
  for (const field of next.fields) {
    seen.add(field.key);
    const old = before.get(field.key)?.value ?? "";
    if (old !== field.value) diffs.push({ key: field.key, label: field.label, before: old, after: field.value });
  }
  for (const field of previous?.fields ?? []) {
    if (!seen.has(field.key) && field.value !== "") {
      diffs.push({ key: field.key, label: field.label, before: field.value, after: "" });
    }
  }
  if (previous && previous.device_name !== next.device_name) {
    diffs.push({ key: "device", label: "Device", before: previous.device_name, after: next.device_name });
  }
  if (previous && previous.ticket_number !== next.ticket_number) {
    diffs.push({ key: "ticket", label: "Ticket", before: previous.ticket_number, after: next.ticket_number });
  }
  return diffs;
}

/** Current records, newest first. */
export function currentNewestFirst(rows: ChangeRecord[]): ChangeRecord[] {
  return rows.filter((row) => row.is_current).sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
}
