// The one module through which the UI talks to the Rust core. Every call is
// typed with the generated bindings; tests swap the implementation with
// `useBackend`.
import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import type { AboutApp } from "./bindings/AboutApp";
import type { Agenda } from "./bindings/Agenda";
import type { Badges } from "./bindings/Badges";
import type { TodayOverview } from "./bindings/TodayOverview";
import type { ChecklistItem } from "./bindings/ChecklistItem";
import type { UrlTemplates } from "./bindings/UrlTemplates";
import type { ContactChannel } from "./bindings/ContactChannel";
import type { AppointmentDraft } from "./bindings/AppointmentDraft";
import type { DayQuery } from "./bindings/DayQuery";
import type { DiscrepancyDraft } from "./bindings/DiscrepancyDraft";
import type { NoteDraft } from "./bindings/NoteDraft";
import type { NoticedTicketDraft } from "./bindings/NoticedTicketDraft";
import type { OutboxEntry } from "./bindings/OutboxEntry";
import type { PicklistValue } from "./bindings/PicklistValue";
import type { Settings } from "./bindings/Settings";
import type { NotificationSettings } from "./bindings/NotificationSettings";
import type { NoticeList } from "./bindings/NoticeList";
import type { NoticeOpened } from "./bindings/NoticeOpened";
import type { UpdateSettings } from "./bindings/UpdateSettings";
import type { UpdateStatus } from "./bindings/UpdateStatus";
import type { TicketDetail } from "./bindings/TicketDetail";
import type { TicketSummary } from "./bindings/TicketSummary";
import type { TicketPage } from "./bindings/TicketPage";
import type { TicketQuery } from "./bindings/TicketQuery";
import type { TicketSearchResults } from "./bindings/TicketSearchResults";
import type { ViewCount } from "./bindings/ViewCount";
import type { ServiceReport } from "./bindings/ServiceReport";
import type { Visit } from "./bindings/Visit";
import type { VisitStart } from "./bindings/VisitStart";
import type { VisitStarted } from "./bindings/VisitStarted";
import type { VisitWork } from "./bindings/VisitWork";
import type { CloseOut } from "./bindings/CloseOut";
import type { CloseOutPrefill } from "./bindings/CloseOutPrefill";
import type { ReportDraft } from "./bindings/ReportDraft";
import type { StockList } from "./bindings/StockList";
import type { StockItem } from "./bindings/StockItem";
import type { StockItemDraft } from "./bindings/StockItemDraft";
import type { ItemHistory } from "./bindings/ItemHistory";
import type { MovementDraft } from "./bindings/MovementDraft";
import type { MovementOutcome } from "./bindings/MovementOutcome";
import type { StockCount } from "./bindings/StockCount";
import type { ItemUsage } from "./bindings/ItemUsage";
import type { SyncSettings } from "./bindings/SyncSettings";
import type { SyncSettingsDraft } from "./bindings/SyncSettingsDraft";
import type { SyncOverview } from "./bindings/SyncOverview";
import type { Conflict } from "./bindings/Conflict";
import type { Choice } from "./bindings/Choice";
import type { Stamp } from "./bindings/Stamp";
import type { SignatureInput } from "./bindings/SignatureInput";
import type { Verification } from "./bindings/Verification";
import type { Paper } from "./bindings/Paper";
import type { SealKey } from "./bindings/SealKey";
import type { CategoryForm } from "./bindings/CategoryForm";
import type { ChangeDraft } from "./bindings/ChangeDraft";
import type { ChangeHistory } from "./bindings/ChangeHistory";
import type { ChangePage } from "./bindings/ChangePage";
import type { ChangeQuery } from "./bindings/ChangeQuery";
import type { ChangeRecord } from "./bindings/ChangeRecord";
import type { Device } from "./bindings/Device";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { SecretUse } from "./bindings/SecretUse";
import type { VaultStatus } from "./bindings/VaultStatus";
import type { SecretsReset } from "./bindings/SecretsReset";
import type { CopiedSecret } from "./bindings/CopiedSecret";
import type { MyWeek } from "./bindings/MyWeek";
import type { PlaceholderDraft } from "./bindings/PlaceholderDraft";
import type { RunningTimer } from "./bindings/RunningTimer";
import type { RunningTimerChoice } from "./bindings/RunningTimerChoice";
import type { SavedTime } from "./bindings/SavedTime";
import type { TimeEntry } from "./bindings/TimeEntry";
import type { TimeEntryDraft } from "./bindings/TimeEntryDraft";
import type { TimerStarted } from "./bindings/TimerStarted";
import type { TimerTarget } from "./bindings/TimerTarget";
import type { WeekQuery } from "./bindings/WeekQuery";
import type { WeeklyCheck } from "./bindings/WeeklyCheck";
import type { CallTicketDraft } from "./bindings/CallTicketDraft";
import type { Customer } from "./bindings/Customer";
import type { OfficeAdminMode } from "./bindings/OfficeAdminMode";
import type { OfficeAdminModeDraft } from "./bindings/OfficeAdminModeDraft";
import type { CustomerDraft } from "./bindings/CustomerDraft";
import type { CustomerQuery } from "./bindings/CustomerQuery";
import type { CustomerSummary } from "./bindings/CustomerSummary";
import type { DatabaseStatus } from "./bindings/DatabaseStatus";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { Exported } from "./bindings/Exported";
import type { SavedPdf } from "./bindings/SavedPdf";
import type { Resource } from "./bindings/Resource";
import type { SampleDataSummary } from "./bindings/SampleDataSummary";
import type { HelpRequestDraft } from "./bindings/HelpRequestDraft";
import type { SlackMessage } from "./bindings/SlackMessage";
import type { SlackSettings } from "./bindings/SlackSettings";
import type { SlackSettingsDraft } from "./bindings/SlackSettingsDraft";
import type { Assignee } from "./bindings/Assignee";
import type { EscalationDraft } from "./bindings/EscalationDraft";
import type { MeetingQuestion } from "./bindings/MeetingQuestion";
import type { MeetingQuestionDraft } from "./bindings/MeetingQuestionDraft";
import type { HandoffDraft } from "./bindings/HandoffDraft";
import type { HandoffOverview } from "./bindings/HandoffOverview";
import type { BackupSummary } from "./bindings/BackupSummary";
import type { DataLocation } from "./bindings/DataLocation";
import type { RestoreOutcome } from "./bindings/RestoreOutcome";

/** Calls made in the page's first seconds leave a `performance` measure (`ipc <command>`):
 * `fieldkit-footprint --timeline` prints them. Later calls leave nothing (no growing buffer). */
const TIMED_FOR_MS = 5000;

const invoke = ((command: string, args?: Record<string, unknown>) => {
  const start = performance.now();
  const call = tauriInvoke(command, args);
  if (start > TIMED_FOR_MS) return call;
  return call.finally(() => performance.measure(`ipc ${command}`, { start }));
}) as typeof tauriInvoke;

export interface Backend {
  /** The app's name and version (Settings, "About Fieldkit"). */
  appAbout(): Promise<AboutApp>;
  databaseStatus(): Promise<DatabaseStatus>;
  databaseMoveAside(): Promise<DatabaseStatus>;
  /** Where the data folder is and how much it holds. */
  dataLocation(): Promise<DataLocation>;
  /** Asks where to save (native dialog) and writes the backup; null when cancelled. */
  backupCreate(): Promise<BackupSummary | null>;
  /** Asks for a backup (native dialog) and restores it, the current data kept aside; null when cancelled. */
  backupRestore(): Promise<RestoreOutcome | null>;
  customersList(query: CustomerQuery): Promise<CustomerSummary[]>;
  /** How many customers the cache holds. */
  customerGet(id: string): Promise<Customer>;
  customerSave(draft: CustomerDraft): Promise<Customer>;
  resourcesList(): Promise<Resource[]>;
  sampleDataLoad(): Promise<SampleDataSummary>;
  contactOpen(id: string, channel: ContactChannel): Promise<void>;
  ticketsList(query: TicketQuery): Promise<TicketPage>;
  ticketViewCounts(): Promise<ViewCount[]>;
  ticketGet(id: string): Promise<TicketDetail>;
  ticketsSearch(text: string): Promise<TicketSearchResults>;
  ticketAddNote(draft: NoteDraft): Promise<TicketDetail>;
  ticketChangeStatus(id: string, status: number): Promise<TicketDetail>;
  ticketTake(id: string): Promise<TicketDetail>;
  ticketSchedule(draft: AppointmentDraft): Promise<TicketDetail>;
  /** Posts a customer-visible note with my scheduling link. */
  ticketSendSchedulingLink(id: string): Promise<TicketDetail>;
  ticketRaiseNoticed(draft: NoticedTicketDraft): Promise<TicketDetail>;
  /** Filling in for the office admin: a new ticket from a call or an e-mail (offline, through the outbox). */
  ticketLogCall(draft: CallTicketDraft): Promise<TicketDetail>;
  /** A contact's open tickets, newest first: shown before a duplicate is logged. */
  contactOpenTickets(contactId: string): Promise<TicketSummary[]>;
  officeAdminModeGet(): Promise<OfficeAdminMode>;
  officeAdminModeSave(draft: OfficeAdminModeDraft): Promise<OfficeAdminMode>;
  discrepancyReportFile(draft: DiscrepancyDraft): Promise<TicketDetail>;
  /** A ticket's checklist, in the PSA's order. */
  ticketChecklist(ticketId: string): Promise<ChecklistItem[]>;
  /** Ticks or unticks an item as me; sent to the PSA by the sync. */
  ticketChecklistSet(itemId: string, completed: boolean): Promise<ChecklistItem>;
  /** A discrepancy report naming an unticked item; the new ticket. */
  ticketChecklistReport(itemId: string): Promise<TicketDetail>;
  picklistsList(): Promise<PicklistValue[]>;
  scheduleAgenda(day: DayQuery): Promise<Agenda>;
  /** Everything Today shows, in one read. */
  todayOverview(day: DayQuery): Promise<TodayOverview>;
  /** The navigation's figures, in one read. */
  badges(): Promise<Badges>;
  outboxList(): Promise<OutboxEntry[]>;
  settingsGet(): Promise<Settings>;
  settingsSave(settings: Settings): Promise<Settings>;
  notificationSettingsGet(): Promise<NotificationSettings>;
  notificationSettingsSave(settings: NotificationSettings): Promise<NotificationSettings>;
  /** The app's notices list, newest first, and the unread count. */
  noticesList(): Promise<NoticeList>;
  /** Marks one notice read, or all of them with `null`. */
  noticesMarkRead(id: number | null): Promise<NoticeList>;
  /** Resolves when a desktop notification is clicked (or with null after a while: ask again). */
  noticeOpenedWait(): Promise<NoticeOpened | null>;
  updatesSettingsGet(): Promise<UpdateSettings>;
  updatesSettingsSave(settings: UpdateSettings): Promise<UpdateSettings>;
  updatesStatus(): Promise<UpdateStatus>;
  updatesCheck(): Promise<UpdateStatus>;
  /** Installing restarts the app; a wait for a quiet moment answers with its reasons. */
  updatesInstall(anyway: boolean): Promise<UpdateStatus>;
  timerGet(): Promise<RunningTimer | null>;
  timerStart(target: TimerTarget, ifRunning: RunningTimerChoice | null): Promise<TimerStarted>;
  timerPause(): Promise<RunningTimer>;
  timerResume(): Promise<RunningTimer>;
  timerStop(): Promise<TimeEntryDraft>;
  timeEntrySave(draft: TimeEntryDraft): Promise<SavedTime>;
  timePlaceholderSave(draft: PlaceholderDraft): Promise<TimeEntry>;
  timeWeek(query: WeekQuery): Promise<MyWeek>;
  timeWeeklyCheck(query: WeekQuery): Promise<WeeklyCheck>;
  vaultStatus(): Promise<VaultStatus>;
  /** No passphrase: use the system keychain. */
  vaultSetUp(passphrase: string | null): Promise<VaultStatus>;
  vaultUnlock(passphrase: string | null): Promise<VaultStatus>;
  vaultLock(): Promise<VaultStatus>;
  /** Minutes idle before a passphrase vault locks itself (0 = never). */
  vaultSetIdleLock(minutes: number): Promise<VaultStatus>;
  /** What a reset of secrets would lose. */
  vaultResetPreview(): Promise<SecretsReset>;
  /** Drops the vault and every secret encrypted with it; `confirmation` is the typed word. */
  vaultReset(confirmation: string): Promise<SecretsReset>;
  changeForms(): Promise<CategoryForm[]>;
  devicesList(customerId: string): Promise<Device[]>;
  changesList(query: ChangeQuery): Promise<ChangePage>;
  changeSave(draft: ChangeDraft): Promise<ChangeRecord>;
  changeHistory(recordId: string): Promise<ChangeHistory>;
  /** The only call that returns a secret, on the technician's request. */
  changeSecret(id: string, purpose: SecretUse): Promise<string>;
  /** Copies a secret to the clipboard in Rust (it never reaches the UI); cleared later. */
  changeCopySecret(id: string): Promise<CopiedSecret>;
  changePostToTicket(id: string): Promise<void>;
  changesExport(customerId: string, from: string | null, to: string | null, format: ExportFormat): Promise<Exported>;
  reportsList(ticketId: string | null): Promise<ServiceReport[]>;
  reportCreate(ticketId: string): Promise<ServiceReport>;
  reportGet(id: string): Promise<ServiceReport>;
  visitStart(start: VisitStart): Promise<VisitStarted>;
  visitGet(id: string): Promise<Visit>;
  visitsOpen(): Promise<Visit[]>;
  visitArrive(id: string, ifRunning: RunningTimerChoice | null): Promise<VisitStarted>;
  visitSaveWork(work: VisitWork): Promise<Visit>;
  visitDocumentChange(id: string, draft: ChangeDraft): Promise<Visit>;
  visitLeave(id: string): Promise<Visit>;
  visitCloseOutPrefill(id: string): Promise<CloseOutPrefill>;
  visitClose(close: CloseOut): Promise<Visit>;
  reportCorrect(id: string): Promise<ServiceReport>;
  reportSaveDraft(draft: ReportDraft): Promise<ServiceReport>;
  reportStamp(id: string, stamp: Stamp): Promise<ServiceReport>;
  reportSeal(id: string, signature: SignatureInput): Promise<ServiceReport>;
  reportVerify(id: string): Promise<Verification>;
  sealPublicKey(): Promise<SealKey | null>;
  reportPdf(id: string, paper: Paper): Promise<SavedPdf>;
  /** Asks where to save (system dialog) and opens the file; null when cancelled. */
  reportPdfSaveAs(id: string, paper: Paper): Promise<SavedPdf | null>;
  reportPdfOpen(path: string): Promise<void>;
  stockList(): Promise<StockList>;
  stockItemSave(draft: StockItemDraft): Promise<StockItem>;
  stockItemHistory(id: string, limit: number): Promise<ItemHistory>;
  stockRecord(draft: MovementDraft): Promise<MovementOutcome>;
  stockTake(counts: StockCount[]): Promise<MovementOutcome>;
  stockUsage(itemId: string | null, months: number): Promise<ItemUsage[]>;
  syncSettingsGet(): Promise<SyncSettings>;
  syncSettingsSave(draft: SyncSettingsDraft): Promise<SyncSettings>;
  syncTest(): Promise<string>;
  syncNow(): Promise<void>;
  syncOverview(): Promise<SyncOverview>;
  syncRetry(seq: number): Promise<void>;
  syncConflicts(): Promise<Conflict[]>;
  syncResolve(id: string, choice: Choice): Promise<void>;
  urlTemplatesGet(): Promise<UrlTemplates>;
  urlTemplatesSave(templates: UrlTemplates): Promise<UrlTemplates>;
  /** Opens the map at the customer's site (the core builds the link; the system opens it). */
  customerOpenDirections(customerId: string, siteId: string | null): Promise<void>;
  /** Launches remote tool number `tool` (Settings' order) for a device; the tool's name. */
  deviceLaunchRemoteTool(tool: number, deviceId: string, ticketId: string | null): Promise<string>;
  /** The prefilled "Ask for help" message for a ticket. */
  helpRequestDraft(ticketId: string): Promise<HelpRequestDraft>;
  /** Queues the message for Slack and notes it on the ticket; the sync posts it. */
  helpRequestSend(draft: HelpRequestDraft): Promise<SlackMessage>;
  /** A ticket's Slack messages, or (null) those waiting or needing me. */
  slackMessagesList(ticketId: string | null): Promise<SlackMessage[]>;
  slackMessageResend(id: string): Promise<SlackMessage>;
  slackMessageDiscard(id: string): Promise<SlackMessage>;
  slackSettingsGet(): Promise<SlackSettings>;
  slackSettingsSave(draft: SlackSettingsDraft): Promise<SlackSettings>;
  /** Posts a test message now; Slack's answer in words. */
  slackTest(): Promise<string>;
  /** The people a ticket can be handed to (senior technicians first). */
  assigneesList(): Promise<Assignee[]>;
  /** Escalates to a senior technician: primary changes, I stay as secondary, a note says why. */
  ticketEscalate(draft: EscalationDraft): Promise<TicketDetail>;
  ticketReassign(id: string, to: string): Promise<TicketDetail>;
  ticketChangePriority(id: string, priority: number): Promise<TicketDetail>;
  ticketChangeQueue(id: string, queue: number): Promise<TicketDetail>;
  /** "Add to my questions for the weekly meeting". */
  meetingQuestionAdd(draft: MeetingQuestionDraft): Promise<MeetingQuestion>;
  meetingQuestionsList(): Promise<MeetingQuestion[]>;
  meetingQuestionAnswer(id: string, answer: string): Promise<MeetingQuestion>;
  /** Writes a week's questions (its Monday, `2026-11-30`) as Markdown into exports/. */
  meetingQuestionsExport(week: string): Promise<Exported>;
  /** What I touched today, with the handoff note composed from it. */
  handoffOverview(): Promise<HandoffOverview>;
  /** Posts the note to the chosen tickets (internal) and/or Slack; answers how many. */
  handoffPost(draft: HandoffDraft): Promise<number>;
  handoffExport(note: string): Promise<Exported>;
}

export const tauriBackend: Backend = {
  appAbout: () => invoke("app_about"),
  databaseStatus: () => invoke("database_status"),
  databaseMoveAside: () => invoke("database_move_aside"),
  dataLocation: () => invoke("data_location"),
  backupCreate: () => invoke("backup_create"),
  backupRestore: () => invoke("backup_restore"),
  customersList: (query) => invoke("customers_list", { query }),
  customerGet: (id) => invoke("customer_get", { id }),
  customerSave: (draft) => invoke("customer_save", { draft }),
  resourcesList: () => invoke("resources_list"),
  sampleDataLoad: () => invoke("sample_data_load"),
  contactOpen: (id, channel) => invoke("contact_open", { id, channel }),
  ticketsList: (query) => invoke("tickets_list", { query }),
  ticketViewCounts: () => invoke("ticket_view_counts"),
  ticketGet: (id) => invoke("ticket_get", { id }),
  ticketsSearch: (text) => invoke("tickets_search", { text }),
  ticketAddNote: (draft) => invoke("ticket_add_note", { draft }),
  ticketChangeStatus: (id, status) => invoke("ticket_change_status", { id, status }),
  ticketTake: (id) => invoke("ticket_take", { id }),
  ticketSchedule: (draft) => invoke("ticket_schedule", { draft }),
  ticketSendSchedulingLink: (id) => invoke("ticket_post_scheduling_link", { id }),
  ticketRaiseNoticed: (draft) => invoke("ticket_raise_noticed", { draft }),
  ticketLogCall: (draft) => invoke("ticket_log_call", { draft }),
  contactOpenTickets: (contactId) => invoke("contact_open_tickets", { contactId }),
  officeAdminModeGet: () => invoke("office_admin_mode_get"),
  officeAdminModeSave: (draft) => invoke("office_admin_mode_save", { draft }),
  discrepancyReportFile: (draft) => invoke("discrepancy_report_file", { draft }),
  ticketChecklist: (ticketId) => invoke("ticket_checklist", { ticketId }),
  ticketChecklistSet: (itemId, completed) => invoke("ticket_checklist_set", { itemId, completed }),
  ticketChecklistReport: (itemId) => invoke("ticket_checklist_report", { itemId }),
  picklistsList: () => invoke("picklists_list"),
  scheduleAgenda: (day) => invoke("schedule_agenda", { day }),
  todayOverview: (day) => invoke("today_overview", { day }),
  badges: () => invoke("badges"),
  outboxList: () => invoke("outbox_list"),
  settingsGet: () => invoke("settings_get"),
  settingsSave: (settings) => invoke("settings_save", { settings }),
  notificationSettingsGet: () => invoke("notification_settings_get"),
  notificationSettingsSave: (settings) => invoke("notification_settings_save", { settings }),
  noticesList: () => invoke("notices_list"),
  noticesMarkRead: (id) => invoke("notices_mark_read", { id }),
  noticeOpenedWait: () => invoke("notice_opened_wait"),
  updatesSettingsGet: () => invoke("updates_settings_get"),
  updatesSettingsSave: (settings) => invoke("updates_settings_save", { settings }),
  updatesStatus: () => invoke("updates_status"),
  updatesCheck: () => invoke("updates_check"),
  updatesInstall: (anyway) => invoke("updates_install", { anyway }),
  timerGet: () => invoke("timer_get"),
  timerStart: (target, ifRunning) => invoke("timer_start", { target, ifRunning }),
  timerPause: () => invoke("timer_pause"),
  timerResume: () => invoke("timer_resume"),
  timerStop: () => invoke("timer_stop"),
  timeEntrySave: (draft) => invoke("time_entry_save", { draft }),
  timePlaceholderSave: (draft) => invoke("time_placeholder_save", { draft }),
  timeWeek: (query) => invoke("time_week", { query }),
  timeWeeklyCheck: (query) => invoke("time_weekly_check", { query }),
  vaultStatus: () => invoke("vault_status"),
  vaultSetUp: (passphrase) => invoke("vault_set_up", { passphrase }),
  vaultUnlock: (passphrase) => invoke("vault_unlock", { passphrase }),
  vaultLock: () => invoke("vault_lock"),
  vaultSetIdleLock: (minutes) => invoke("vault_set_idle_lock", { minutes }),
  vaultResetPreview: () => invoke("vault_reset_preview"),
  vaultReset: (confirmation) => invoke("vault_reset", { confirmation }),
  changeForms: () => invoke("change_forms"),
  devicesList: (customerId) => invoke("devices_list", { customerId }),
  changesList: (query) => invoke("changes_list", { query }),
  changeSave: (draft) => invoke("change_save", { draft }),
  changeHistory: (recordId) => invoke("change_history", { recordId }),
  changeSecret: (id, purpose) => invoke("change_reveal_secret", { id, purpose }),
  changeCopySecret: (id) => invoke("change_copy_secret", { id }),
  changePostToTicket: (id) => invoke("change_post_to_ticket", { id }),
  changesExport: (customerId, from, to, format) => invoke("changes_export", { customerId, from, to, format }),
  reportsList: (ticketId) => invoke("reports_list", { ticketId }),
  reportCreate: (ticketId) => invoke("report_create", { ticketId }),
  reportGet: (id) => invoke("report_get", { id }),
  visitStart: (start) => invoke("visit_start", { start }),
  visitGet: (id) => invoke("visit_get", { id }),
  visitsOpen: () => invoke("visits_open"),
  visitArrive: (id, ifRunning) => invoke("visit_arrive", { id, ifRunning }),
  visitSaveWork: (work) => invoke("visit_save_work", { work }),
  visitDocumentChange: (id, draft) => invoke("visit_document_change", { id, draft }),
  visitLeave: (id) => invoke("visit_leave", { id }),
  visitCloseOutPrefill: (id) => invoke("visit_close_out_prefill", { id }),
  visitClose: (close) => invoke("visit_close", { close }),
  reportCorrect: (id) => invoke("report_correct", { id }),
  reportSaveDraft: (draft) => invoke("report_save_draft", { draft }),
  reportStamp: (id, stamp) => invoke("report_stamp", { id, stamp }),
  reportSeal: (id, signature) => invoke("report_seal", { id, signature }),
  reportVerify: (id) => invoke("report_verify", { id }),
  sealPublicKey: () => invoke("seal_public_key"),
  reportPdf: (id, paper) => invoke("report_pdf", { id, paper }),
  reportPdfSaveAs: (id, paper) => invoke("report_pdf_save_as", { id, paper }),
  reportPdfOpen: (path) => invoke("report_pdf_open", { path }),
  stockList: () => invoke("stock_list"),
  stockItemSave: (draft) => invoke("stock_item_save", { draft }),
  stockItemHistory: (id, limit) => invoke("stock_item_history", { id, limit }),
  stockRecord: (draft) => invoke("stock_record", { draft }),
  stockTake: (counts) => invoke("stock_take", { counts }),
  stockUsage: (itemId, months) => invoke("stock_usage", { itemId, months }),
  syncSettingsGet: () => invoke("sync_settings_get"),
  syncSettingsSave: (draft) => invoke("sync_settings_save", { draft }),
  syncTest: () => invoke("sync_test"),
  syncNow: () => invoke("sync_now"),
  syncOverview: () => invoke("sync_overview"),
  syncRetry: (seq) => invoke("sync_retry", { seq }),
  syncConflicts: () => invoke("sync_conflicts"),
  syncResolve: (id, choice) => invoke("sync_resolve", { id, choice }),
  urlTemplatesGet: () => invoke("url_templates_get"),
  urlTemplatesSave: (templates) => invoke("url_templates_save", { templates }),
  customerOpenDirections: (customerId, siteId) => invoke("customer_open_directions", { customerId, siteId }),
  deviceLaunchRemoteTool: (tool, deviceId, ticketId) => invoke("device_launch_remote_tool", { tool, deviceId, ticketId }),
  helpRequestDraft: (ticketId) => invoke("help_request_draft", { ticketId }),
  helpRequestSend: (draft) => invoke("help_request_send", { draft }),
  slackMessagesList: (ticketId) => invoke("slack_messages_list", { ticketId }),
  slackMessageResend: (id) => invoke("slack_message_resend", { id }),
  slackMessageDiscard: (id) => invoke("slack_message_discard", { id }),
  slackSettingsGet: () => invoke("slack_settings_get"),
  slackSettingsSave: (draft) => invoke("slack_settings_save", { draft }),
  slackTest: () => invoke("slack_test"),
  assigneesList: () => invoke("assignees_list"),
  ticketEscalate: (draft) => invoke("ticket_escalate", { draft }),
  ticketReassign: (id, to) => invoke("ticket_reassign", { id, to }),
  ticketChangePriority: (id, priority) => invoke("ticket_change_priority", { id, priority }),
  ticketChangeQueue: (id, queue) => invoke("ticket_change_queue", { id, queue }),
  meetingQuestionAdd: (draft) => invoke("meeting_question_add", { draft }),
  meetingQuestionsList: () => invoke("meeting_questions_list"),
  meetingQuestionAnswer: (id, answer) => invoke("meeting_question_answer", { id, answer }),
  meetingQuestionsExport: (week) => invoke("meeting_questions_export", { week }),
  handoffOverview: () => invoke("handoff_overview"),
  handoffPost: (draft) => invoke("handoff_post", { draft }),
  handoffExport: (note) => invoke("handoff_export", { note }),
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
