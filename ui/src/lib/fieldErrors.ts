// Field-level messages from the core, keyed by field path (`contacts.1.email`).
import type { FieldError } from "./bindings/FieldError";

export type FieldMessages = Record<string, string>;

export function fieldMessages(errors: FieldError[]): FieldMessages {
  const messages: FieldMessages = {};
  for (const error of errors) {
    messages[error.field] ??= error.message;
  }
  return messages;
}

/** A field path as a `data-testid` / element id fragment: `contacts.1.email` → `contacts-1-email`. */
export function fieldKey(path: string): string {
  return path.replace(/[^a-zA-Z0-9]+/g, "-");
}
