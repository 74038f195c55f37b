// What the UI needs to know about the secrets vault from an error.
import type { ErrorPayload } from "./bindings/ErrorPayload";

/**
 * Whether an error means secrets must be unlocked (or set up) first, so the
 * vault dialog should open. Read from the message's words until the core
 * sends `vault_locked` / `vault_not_set_up` codes; then this one line changes.
 */
export function needsVault(error: Pick<ErrorPayload, "code" | "message">): boolean {
  const text = error.message.toLowerCase();
  return text.includes("locked") || text.includes("not set up");
}
