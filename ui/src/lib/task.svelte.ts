// "Busy + error payload" for one kind of backend call in a component: run
// the call, show it is busy meanwhile, keep the core's error (message, code,
// field messages) when it fails. Replaces the hand-written
// `busy = true; try { … } catch { error = … } finally { busy = false }`.
import { untrack } from "svelte";
import { asErrorPayload } from "./backend";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import { fieldMessages, type FieldMessages } from "./fieldErrors";

export class Task {
  busy = $state(false);
  /** Whether a run is refused while one is under way (the default), or runs alongside it. */
  readonly exclusive: boolean;
  /** The last failure, cleared when the next run starts. */
  failure = $state<ErrorPayload | null>(null);

  constructor({ exclusive = true }: { exclusive?: boolean } = {}) {
    this.exclusive = exclusive;
  }

  /** The last failure's message, or "". */
  get error(): string {
    return this.failure?.message ?? "";
  }

  /** The last failure's field messages (empty unless it was a validation error). */
  get fields(): FieldMessages {
    return fieldMessages(this.failure?.fields ?? []);
  }

  /**
   * Runs `call` unless an exclusive task's run is under way (then returns false at once). True
   * when it succeeded; on failure the payload is kept and `onfailure`, if
   * given, sees it first (return true from it to keep `failure` empty, e.g.
   * when the error opens the vault dialog instead).
   */
  async run(call: () => Promise<unknown>, onfailure?: (payload: ErrorPayload) => boolean | void): Promise<boolean> {
    // Untracked: a run started from an $effect must not make the effect depend
    // on its own busy flag (it would run again when the call finishes).
    if (untrack(() => this.busy) && this.exclusive) return false;
    this.busy = true;
    this.failure = null;
    try {
      await call();
      return true;
    } catch (thrown) {
      const payload = asErrorPayload(thrown);
      if (onfailure?.(payload) !== true) this.failure = payload;
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Shows a message found before any call (a check in the form itself). */
  fail(message: string) {
    this.failure = { code: "validation", message, fields: [] };
  }

  /** Clears a shown failure (e.g. when the form is edited or closed). */
  clear() {
    this.failure = null;
  }
}
