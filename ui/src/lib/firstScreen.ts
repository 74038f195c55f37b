// What waits for the first screen: the navigation's figures, the timer, the
// sync line and the notices are read once the first screen (Today or the
// welcome) has painted and the page has had a moment for input. At start
// every answer and every re-render queues behind the first screen's layout
// and paint in the web view; reading them after it makes the first screen
// drivable sooner (fieldkit-footprint --timeline, README "Installing").

/** How long after the first screen's frame the secondary reads start. */
export const SETTLE_MS = 60;
/** The secondary reads never wait longer than this for the first screen. */
export const LONGEST_WAIT_MS = 1500;

let shown!: () => void;
let firstScreen: Promise<void> = fresh();

function fresh(): Promise<void> {
  const promise = new Promise<void>((resolve) => (shown = resolve));
  // Whatever happens to the first screen, the shell's status is not lost.
  setTimeout(() => shown(), LONGEST_WAIT_MS);
  return promise;
}

/** Settles once the first screen has painted (at once afterwards). */
export function afterFirstScreen(): Promise<void> {
  return firstScreen;
}

/** The first screen's data is in the page: settle after its frame is painted. */
export function firstScreenShown(): void {
  mark("first screen: data");
  const settle = () => {
    mark("first screen: painted");
    setTimeout(() => {
      mark("first screen: what waited starts");
      shown();
    }, SETTLE_MS);
  };
  // Two frames: the first runs before the paint, the second after it.
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(() => requestAnimationFrame(settle));
  else settle();
}

/** A mark for `fieldkit-footprint --timeline`. */
function mark(name: string): void {
  if (typeof performance !== "undefined" && typeof performance.mark === "function") performance.mark(name);
}

/** For tests: a new start. */
export function resetFirstScreen(): void {
  firstScreen = fresh();
}
