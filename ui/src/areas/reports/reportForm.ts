// The report form's shapes shared by its parts.

/** The technician's text of a report, as typed (the server's copy is the `ServiceReport`). */
export type ReportText = {
  work_performed: string;
  findings: string;
  recommendations: string;
  customer_notes: string;
  follow_up_needed: boolean;
  follow_up_what: string;
  parts: PartRow[];
};

export type PartRow = { item: string; quantity: number | null; item_id: string | null };

export const NO_SIGNATURE_REASONS = ["Customer unavailable", "Customer declined", "Remote session"];
