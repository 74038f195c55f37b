// The one module through which the UI talks to the Rust core. Every call is
// typed with the generated bindings; tests swap the implementation with
// `useBackend`.
import { invoke } from "@tauri-apps/api/core";
import type { Customer } from "./bindings/Customer";
import type { CustomerDraft } from "./bindings/CustomerDraft";
import type { CustomerQuery } from "./bindings/CustomerQuery";
import type { CustomerSummary } from "./bindings/CustomerSummary";
import type { DatabaseStatus } from "./bindings/DatabaseStatus";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { Resource } from "./bindings/Resource";
import type { SampleDataSummary } from "./bindings/SampleDataSummary";

export interface Backend {
  databaseStatus(): Promise<DatabaseStatus>;
  databaseMoveAside(): Promise<DatabaseStatus>;
  customersList(query: CustomerQuery): Promise<CustomerSummary[]>;
  customerGet(id: string): Promise<Customer>;
  customerSave(draft: CustomerDraft): Promise<Customer>;
  resourcesList(): Promise<Resource[]>;
  sampleDataLoad(): Promise<SampleDataSummary>;
}

export const tauriBackend: Backend = {
  databaseStatus: () => invoke("database_status"),
  databaseMoveAside: () => invoke("database_move_aside"),
  customersList: (query) => invoke("customers_list", { query }),
  customerGet: (id) => invoke("customer_get", { id }),
  customerSave: (draft) => invoke("customer_save", { draft }),
  resourcesList: () => invoke("resources_list"),
  sampleDataLoad: () => invoke("sample_data_load"),
};

let current: Backend = tauriBackend;

export function backend(): Backend {
  return current;
}

/** Replaces the backend (tests). */
export function useBackend(replacement: Backend): void {
  current = replacement;
}

/** Whatever a call rejected with, as the `{code, message, fields}` shape. */
export function asErrorPayload(error: unknown): ErrorPayload {
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    const payload = error as Partial<ErrorPayload>;
    return {
      code: payload.code ?? "internal",
      message: String(payload.message ?? ""),
      fields: Array.isArray(payload.fields) ? payload.fields : [],
    };
  }
  return { code: "internal", message: error instanceof Error ? error.message : String(error), fields: [] };
}
