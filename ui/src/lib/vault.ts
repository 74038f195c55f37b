// What the UI needs to know about the secrets vault from an error.
import type { ErrorPayload } from "./bindings/ErrorPayload";

/**
 * Whether an error means secrets must be unlocked (or set up) first, so the
 * vault dialog should open: the core says so by code, never in words.
 */
export function needsVault(error: Pick<ErrorPayload, "code">): boolean {
  return error.code === "vault_locked" || error.code === "vault_not_set_up";
}
