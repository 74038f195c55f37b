// Settings → Updates: what the section says about an install that waits.
import type { UpdateStatus } from "./bindings/UpdateStatus";

/** "Waiting: a visit is in progress and 3 changes not yet sent. …", or "" when nothing waits. */
export function waitingText(status: UpdateStatus | null): string {
  if (!status?.waiting || status.quiet.reasons.length === 0) return "";
  return `Waiting: ${status.quiet.reasons.join(" and ")}. It installs at the next quiet moment, or now with "Install anyway".`;
}
