//! The ticket cache: tickets with their notes, the technician's views over
//! them, response clocks, changes made in the field (each written with its
//! outbox entry), tickets raised from the field, and full-text search.

mod actions;
pub(crate) mod checklist;
mod clock;
mod detail;
mod office_admin;
mod office_admin_mode;
mod raise;
mod search;
pub(crate) mod search_index;
pub(crate) mod store;
mod views;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::DbError;
use crate::error::ErrorPayload;
use crate::validation::FieldError;

pub(crate) use actions::change_status_in;
pub(crate) use actions::write_note as write_note_in;
pub use actions::{add_note, change_status, post_scheduling_link_note, schedule_appointment, take_ticket};
pub use checklist::{
    report_unticked_checklist_item, set_checklist_item, ticket_checklist, unticked_item_text, ChecklistItem,
};
pub use clock::{response_clock, ClockState, ResponseClock};
pub use detail::get_ticket;
pub use office_admin::{contact_open_tickets, log_call_ticket, CallSource, CallTicketDraft};
pub use office_admin_mode::{
    get_office_admin_mode, next_reminder, save_office_admin_mode, OfficeAdminMode, OfficeAdminModeDraft,
    DEFAULT_REMINDER_MINUTES,
};
pub use raise::{file_discrepancy_report, raise_noticed_ticket, DiscrepancyKind};
pub use search::search_tickets;
pub use search_index::catch_up as catch_up_search;
pub(crate) use views::sql_time;
pub use views::{list_tickets, view_counts, view_counts_of};

/// The technician's lists of tickets. Every view but `All` holds open tickets only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TicketView {
    /// Open tickets where I am primary or secondary resource.
    MyTodo,
    /// The shared technicians' queue.
    TechniciansQueue,
    /// Status "follow-up needed".
    PatchIssues,
    /// Backup-check tickets assigned to me (primary or secondary) due this month, or overdue.
    BackupChecksDue,
    /// Open tickets where I am the primary resource.
    PrimaryResource,
    /// Status "new": nobody has looked at them yet.
    NeedsAttention,
    /// Critical and high priority.
    HighPriorityAlerts,
    /// Filling in for the office admin: new unassigned tickets, and tickets
    /// with a note from the customer in the last day.
    OfficeAdmin,
    /// My open tickets (primary or secondary) without a customer-visible
    /// update for `follow_up_after_days`: the follow-up flag, as a list.
    AgingWithoutUpdate,
    /// Open "workstation offline" alerts: the title contains the rule in
    /// Settings, or the issue type is named by it.
    WorkstationOffline,
    /// Every ticket in the cache, open or not.
    All,
}

impl TicketView {
    pub const ALL: [TicketView; 11] = [
        TicketView::MyTodo,
        TicketView::TechniciansQueue,
        TicketView::PatchIssues,
        TicketView::BackupChecksDue,
        TicketView::PrimaryResource,
        TicketView::NeedsAttention,
        TicketView::HighPriorityAlerts,
        TicketView::OfficeAdmin,
        TicketView::AgingWithoutUpdate,
        TicketView::WorkstationOffline,
        TicketView::All,
    ];
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TicketSort {
    /// Highest priority first, then the earliest due.
    #[default]
    Priority,
    /// Earliest due first; tickets without a due date last.
    Due,
    /// Newest first.
    Newest,
    /// Most recent activity first.
    Activity,
}

/// One page of one view, optionally filtered.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct TicketQuery {
    pub view: TicketView,
    pub sort: TicketSort,
    pub customer_id: Option<Uuid>,
    pub priority: Option<i64>,
    pub status: Option<i64>,
    pub offset: u32,
    /// At most 200.
    pub limit: u32,
}

/// A page of a view, and how many rows the whole view holds.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketPage {
    pub rows: Vec<TicketSummary>,
    pub total: u32,
    pub offset: u32,
}

/// How many tickets each view holds, for the navigation.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ViewCount {
    pub view: TicketView,
    pub count: u32,
}

/// A picklist value as shown on a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Label {
    pub value: i64,
    pub label: String,
    pub meaning: Option<String>,
}

/// One row of a ticket list.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketSummary {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub status: Label,
    pub priority: Label,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub customer_is_msa: bool,
    pub contact_name: String,
    pub contact_phone: String,
    pub primary_resource_name: String,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub clock: ResponseClock,
}

/// A ticket with everything the detail page shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketDetail {
    pub summary: TicketSummary,
    pub psa_id: Option<i64>,
    pub description: String,
    pub queue: Option<Label>,
    pub issue_type: Option<Label>,
    pub source: Option<Label>,
    pub site: Option<TicketSite>,
    pub contact: Option<TicketContact>,
    pub device: Option<TicketDevice>,
    pub primary_resource_id: Option<Uuid>,
    pub secondary_resources: Vec<TicketPerson>,
    pub notes: Vec<TicketNote>,
    pub appointments: Vec<TicketAppointment>,
    /// The ticket this one was raised from, while working on it.
    pub noticed_on: Option<TicketLink>,
    /// Whether "I" am the primary resource.
    pub is_mine: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketLink {
    pub id: Uuid,
    pub number: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketSite {
    pub id: Uuid,
    pub name: String,
    pub address: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketContact {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    pub phone: String,
    pub mobile: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketDevice {
    pub id: Uuid,
    pub name: String,
    pub device_type: String,
    pub serial_number: String,
    pub rmm_agent_installed: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketPerson {
    pub id: Uuid,
    pub name: String,
    pub role: crate::resources::ResourceRole,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketNote {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub is_customer_visible: bool,
    pub from_customer: bool,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
    /// Written here and not yet known to the PSA.
    pub is_local: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketAppointment {
    pub id: Uuid,
    pub kind: AppointmentKind,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub resource_names: Vec<String>,
}

/// A visit at the customer's site, or a remote session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AppointmentKind {
    OnSite,
    Remote,
}

impl AppointmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentKind::OnSite => "on_site",
            AppointmentKind::Remote => "remote",
        }
    }

    pub(crate) fn parse(text: &str) -> Self {
        if text == "on_site" {
            AppointmentKind::OnSite
        } else {
            AppointmentKind::Remote
        }
    }
}

/// A note typed by the technician.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NoteDraft {
    pub ticket_id: Uuid,
    pub body: String,
    pub is_customer_visible: bool,
}

/// A service call to book on a ticket.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct AppointmentDraft {
    pub ticket_id: Uuid,
    pub kind: AppointmentKind,
    pub start_at: DateTime<Utc>,
    /// Length in minutes (15 to 720).
    pub duration_minutes: u32,
}

/// A ticket for an issue noticed while working on another ticket.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NoticedTicketDraft {
    /// The ticket being worked on.
    pub noticed_on: Uuid,
    pub title: String,
    pub description: String,
    /// "I can handle it": I become primary. Otherwise the office admin is
    /// asked to schedule a more senior technician.
    pub i_can_handle_it: bool,
    /// Only when I cannot handle it: I would like to shadow the senior tech.
    pub i_would_like_to_shadow: bool,
}

/// Something that does not conform to policy, for the senior technician.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DiscrepancyDraft {
    pub kind: DiscrepancyKind,
    pub customer_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    /// The ticket being worked on when it was noticed, if any.
    pub noticed_on: Option<Uuid>,
    pub description: String,
}

/// A hit of the ticket search.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketSearchHit {
    pub ticket: TicketSummary,
    /// The title, cut into plain and matched parts.
    pub title: Vec<TextPart>,
    /// Where else the words were found, with the words marked.
    pub snippet: Vec<TextPart>,
    /// `number`, `title`, `description`, `note` or `customer`.
    pub matched_in: String,
}

/// A piece of text; `hit` pieces are the searched words. Rendered as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TextPart {
    pub text: String,
    pub hit: bool,
}

/// The search box's results.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TicketSearchResults {
    pub hits: Vec<TicketSearchHit>,
    /// More tickets matched than are shown.
    pub more: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error("That ticket is not in the cache.")]
    NotFound(Uuid),
    #[error("{0}")]
    NotPossible(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for TicketError {
    fn from(error: rusqlite::Error) -> Self {
        TicketError::Db(DbError::Sqlite(error))
    }
}

impl From<TicketError> for ErrorPayload {
    fn from(error: TicketError) -> Self {
        match error {
            TicketError::Invalid(fields) => ErrorPayload::validation(fields),
            TicketError::NotFound(_) => ErrorPayload::not_found(error.to_string()),
            TicketError::NotPossible(message) => ErrorPayload::internal(message),
            TicketError::Db(db) => db.into(),
        }
    }
}

impl crate::validation::Invalid for TicketError {
    fn from_fields(fields: Vec<FieldError>) -> Self {
        TicketError::Invalid(fields)
    }
}
