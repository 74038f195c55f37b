// Where the technician is (area, welcome screen, the ticket open in Tickets)
// and what one area asked another to do: open a ticket, open a report, start
// a visit or remote session (the guided flow), start a service report on its
// own, or prefill a change record. The
// receiving area takes its intent once (`take`); moving to another area by
// the navigation drops an intent nobody took.
import type { AreaId } from "./areas";
import type { AppointmentKind } from "./bindings/AppointmentKind";
import type { TicketView } from "./bindings/TicketView";

export type ChangePrefill = { customerId: string; ticketId: string | null; deviceId: string | null };

export type Intent =
  | { kind: "open-ticket"; ticketId: string }
  | { kind: "open-view"; view: TicketView; logCall?: boolean }
  | { kind: "open-report"; reportId: string }
  | { kind: "new-report"; ticketId: string }
  | { kind: "start-visit"; ticketId: string; appointmentId: string | null; visitKind: AppointmentKind | null }
  | { kind: "open-visit"; visitId: string }
  | ({ kind: "prefill-change" } & ChangePrefill);

export type IntentKind = Intent["kind"];

const AREA_OF: Record<IntentKind, AreaId> = {
  "open-ticket": "tickets",
  "open-view": "tickets",
  "open-report": "reports",
  "new-report": "reports",
  "start-visit": "visit",
  "open-visit": "visit",
  "prefill-change": "changes",
};

export const navigation = $state<{
  area: AreaId;
  welcome: boolean;
  /** The ticket shown in Tickets; kept while the technician is elsewhere. */
  ticket: string | null;
  intent: Intent | null;
}>({ area: "today", welcome: false, ticket: null, intent: null });

/** Moves to an area (the navigation, a shortcut, a tile); an untaken intent is dropped. */
export function go(area: AreaId) {
  navigation.area = area;
  navigation.welcome = false;
  navigation.intent = null;
}

/** Moves to the area that carries out `intent` and leaves it there for that area. */
export function request(intent: Intent) {
  navigation.welcome = false;
  navigation.area = AREA_OF[intent.kind];
  if (intent.kind === "open-ticket") {
    // The open ticket is the Tickets area's own selection, not a one-off.
    navigation.ticket = intent.ticketId;
    navigation.intent = null;
  } else {
    navigation.intent = intent;
  }
}

export const openTicket = (ticketId: string) => request({ kind: "open-ticket", ticketId });
export const openView = (view: TicketView) => request({ kind: "open-view", view });
/** The office admin's view with "New ticket from a call" open. */
export const logCall = () => request({ kind: "open-view", view: "office_admin", logCall: true });
export const openReport = (reportId: string) => request({ kind: "open-report", reportId });
export const startReport = (ticketId: string) => request({ kind: "new-report", ticketId });
/** The guided visit (or remote session) on a ticket, from an appointment when there is one. */
export const startVisit = (ticketId: string, appointmentId: string | null = null, visitKind: AppointmentKind | null = null) =>
  request({ kind: "start-visit", ticketId, appointmentId, visitKind });
export const openVisit = (visitId: string) => request({ kind: "open-visit", visitId });
export const prefillChange = (prefill: ChangePrefill) => request({ kind: "prefill-change", ...prefill });

/** The waiting intent of this kind, taken (cleared) — or null. Reading it inside an `$effect` tracks it. */
export function take<K extends IntentKind>(kind: K): Extract<Intent, { kind: K }> | null {
  const intent = navigation.intent;
  if (intent?.kind !== kind) return null;
  navigation.intent = null;
  return intent as Extract<Intent, { kind: K }>;
}
