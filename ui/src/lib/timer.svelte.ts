// The technician's timer as the whole app sees it: the shell shows it, a
// ticket starts it, stopping it opens the prefilled entry (`draft`), which
// the shell's entry form saves. The timer itself lives in the database.
import { backend } from "./backend";
import type { RunningTimer } from "./bindings/RunningTimer";
import type { RunningTimerChoice } from "./bindings/RunningTimerChoice";
import type { TimeEntryDraft } from "./bindings/TimeEntryDraft";
import type { TimerTarget } from "./bindings/TimerTarget";

export const timerState = $state({
  timer: null as RunningTimer | null,
  /** When `timer` was read, to count on from `elapsed_seconds`. */
  readAt: 0,
  /** An entry waiting in the shell's form (from Stop, or a replaced timer). */
  draft: null as TimeEntryDraft | null,
});

export async function refreshTimer(): Promise<void> {
  timerState.timer = await backend().timerGet();
  timerState.readAt = Date.now();
}

/** Starts a timer; with `ifRunning` for the one already running. */
export async function startTimer(target: TimerTarget, ifRunning: RunningTimerChoice | null = null): Promise<void> {
  const started = await backend().timerStart(target, ifRunning);
  timerState.timer = started.timer;
  timerState.readAt = Date.now();
  if (started.replaced) timerState.draft = started.replaced;
}

/** Starts the timer on an appointment and one of its tickets; a running timer
 * is stopped and its prefilled entry opened, so no time is lost. */
export async function startOnAppointment(appointmentId: string, ticketId: string): Promise<void> {
  await startTimer({ ticket_id: ticketId, appointment_id: appointmentId }, timerState.timer ? "stop" : null);
}

export async function pauseTimer(): Promise<void> {
  timerState.timer = await backend().timerPause();
  timerState.readAt = Date.now();
}

export async function resumeTimer(): Promise<void> {
  timerState.timer = await backend().timerResume();
  timerState.readAt = Date.now();
}

/** Pauses the timer and opens its prefilled entry; saving the entry ends it. */
export async function stopTimer(): Promise<void> {
  timerState.draft = await backend().timerStop();
  await refreshTimer();
}

/** "1:05:09" for a number of seconds. */
export function formatElapsed(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}
