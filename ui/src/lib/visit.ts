// Pure helpers of the guided visit: parts picked from stock with one click
// each, the outcome choices, and the close-out sent to the core.
import type { CloseOut } from "./bindings/CloseOut";
import type { CloseOutPrefill } from "./bindings/CloseOutPrefill";
import type { PartLine } from "./bindings/PartLine";
import type { SignatureInput } from "./bindings/SignatureInput";
import type { Visit } from "./bindings/Visit";
import type { VisitOutcome } from "./bindings/VisitOutcome";
import type { VisitStep } from "./bindings/VisitStep";

/** One more of a stock item: its line's quantity goes up, or a new line starts at 1. */
export function addStockPart(parts: PartLine[], item: { id: string; name: string }): PartLine[] {
  const index = parts.findIndex((line) => line.item_id === item.id);
  if (index < 0) return [...parts, { item: item.name, quantity: 1, item_id: item.id }];
  return parts.map((line, at) => (at === index ? { ...line, quantity: line.quantity + 1 } : line));
}

/** One less of a line; the line goes when none is left. */
export function removeOnePart(parts: PartLine[], index: number): PartLine[] {
  const line = parts[index];
  if (!line) return parts;
  if (line.quantity <= 1) return parts.filter((_, at) => at !== index);
  return parts.map((row, at) => (at === index ? { ...row, quantity: row.quantity - 1 } : row));
}

export const OUTCOMES: { value: VisitOutcome; label: string }[] = [
  { value: "complete", label: "Complete" },
  { value: "follow_up", label: "Follow-up needed" },
  { value: "waiting_customer", label: "Waiting for the customer" },
];

export const STEP_LABELS: Record<VisitStep, string> = {
  before: "Before",
  during: "Working",
  close_out: "Close-out",
  closed: "Closed",
};

/** What the close-out form holds, as typed. */
export interface CloseOutInput {
  summary: string;
  outcome: VisitOutcome | null;
  followUpWhat: string;
  confirmedWorking: boolean | null;
  startAt: string;
  endAt: string;
  workType: number;
  billable: boolean;
  internalNotes: string;
}

export function closeOutInput(prefill: CloseOutPrefill): CloseOutInput {
  return {
    summary: prefill.summary,
    outcome: null,
    followUpWhat: "",
    confirmedWorking: null,
    startAt: prefill.start_at,
    endAt: prefill.end_at,
    workType: prefill.work_type,
    billable: prefill.billable,
    internalNotes: prefill.internal_notes,
  };
}

/** A field message for a choice the core cannot check (none made yet), else null. */
export function missingChoice(visit: Visit, input: CloseOutInput): { field: string; message: string } | null {
  if (input.outcome === null) return { field: "outcome", message: "Choose what the ticket is now." };
  if (visit.kind === "remote" && input.confirmedWorking === null) {
    return { field: "confirmed_working", message: "Say whether the user confirmed that it works." };
  }
  return null;
}

export function closeOutOf(visit: Visit, input: CloseOutInput, signature: SignatureInput | null): CloseOut {
  return {
    visit_id: visit.id,
    summary: input.summary,
    outcome: input.outcome ?? "complete",
    follow_up_what: input.outcome === "follow_up" ? input.followUpWhat : "",
    confirmed_working: visit.kind === "remote" ? input.confirmedWorking : null,
    signature: visit.kind === "on_site" ? signature : null,
    start_at: input.startAt,
    end_at: input.endAt,
    work_type: input.workType,
    billable: input.billable,
    internal_notes: input.internalNotes,
  };
}
