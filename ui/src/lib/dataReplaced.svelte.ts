// The data under the whole UI was replaced (a backup restored): the app
// shell remounts every area on a new `generation`, so each reads its data
// again; the outcome stays here for Settings to show after the remount.
import type { RestoreOutcome } from "./bindings/RestoreOutcome";
import { navigation } from "./navigation.svelte";

export const replacedData = $state<{ generation: number; restored: RestoreOutcome | null; unseen: boolean }>({
  generation: 0,
  restored: null,
  /** The outcome has not been scrolled into view yet (Settings does it once). */
  unseen: false,
});

/** Records a restore and makes every area load its data afresh. */
export function dataReplaced(outcome: RestoreOutcome) {
  replacedData.restored = outcome;
  replacedData.unseen = true;
  // A ticket or intent of the data replaced means nothing in the restored one.
  navigation.ticket = null;
  navigation.intent = null;
  replacedData.generation += 1;
}

/** "1.4 MB", "820 KB", "312 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000_000) return `${(bytes / 1_000_000_000).toFixed(1)} GB`;
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} KB`;
  return `${bytes} bytes`;
}
