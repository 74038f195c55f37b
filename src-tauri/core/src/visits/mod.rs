//! Visits: the on-site visit and the remote session as one guided flow each,
//! from "I'm on my way" to a signed, synced close-out.
//!
//! A visit is one piece of work on one ticket (and appointment). It is built
//! on the other capabilities, never beside them: arriving stamps the visit's
//! service report and starts the timer; work notes and parts autosave into
//! the report; a change documented during the visit is an ordinary change
//! record, linked to the visit and posted to the ticket; the close-out seals
//! the report, sets the ticket's status and saves the time entry, each with
//! its outbox entry. One visit has one report: starting it again continues it.

mod close_out;
mod flow;
mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::DbError;
use crate::error::ErrorPayload;
use crate::reports::{PartLine, ReportError, SignatureInput};
use crate::tickets::AppointmentKind;
use crate::time::{RunningTimerChoice, TimeEntryDraft, TimeError};
use crate::validation::FieldError;

pub use close_out::{close_out_prefill, close_visit};
pub use flow::{arrive, document_change, leave, save_work, start_visit};
pub use store::{get_visit, open_visits};

/// Where a visit is: before arriving, working, leaving (the close-out), closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum VisitStep {
    Before,
    During,
    CloseOut,
    Closed,
}

/// What the ticket is after the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum VisitOutcome {
    /// The work is done: the ticket's "complete" status.
    Complete,
    /// More work is needed: "follow-up needed", with what, as an internal note.
    FollowUp,
    /// Waiting for the customer: "waiting customer".
    WaitingCustomer,
}

impl VisitOutcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            VisitOutcome::Complete => "complete",
            VisitOutcome::FollowUp => "follow_up",
            VisitOutcome::WaitingCustomer => "waiting_customer",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        [VisitOutcome::Complete, VisitOutcome::FollowUp, VisitOutcome::WaitingCustomer]
            .into_iter()
            .find(|outcome| outcome.as_str() == text)
    }
}

/// A change record documented during the visit (never its secret).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct VisitChange {
    pub record_id: Uuid,
    /// "Password: Reset the admin password".
    pub title: String,
}

/// A visit as its screen shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Visit {
    pub id: Uuid,
    pub kind: AppointmentKind,
    pub step: VisitStep,
    pub ticket_id: Uuid,
    pub ticket_number: String,
    pub ticket_title: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub appointment_id: Option<Uuid>,
    /// On site: the visit's service report.
    pub report_id: Option<Uuid>,
    pub report_sealed: bool,
    /// The work notes (on site: also the report's work text).
    pub notes: String,
    /// On site: the parts on the report.
    pub parts: Vec<PartLine>,
    pub changes: Vec<VisitChange>,
    pub started_at: DateTime<Utc>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub departed_at: Option<DateTime<Utc>>,
    pub confirmed_working: Option<bool>,
    pub outcome: Option<VisitOutcome>,
    pub time_entry_id: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// "Start visit" / "Start remote session": from an appointment, or a ticket.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct VisitStart {
    pub ticket_id: Uuid,
    pub appointment_id: Option<Uuid>,
    /// Without an appointment: on site or remote (on site when absent).
    pub kind: Option<AppointmentKind>,
    /// A remote session starts its timer at once: what to do with another running timer.
    pub if_running: Option<RunningTimerChoice>,
}

/// Starting or arriving: the visit, and the entry of a timer it replaced (to save).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct VisitStarted {
    pub visit: Visit,
    pub replaced: Option<TimeEntryDraft>,
}

/// The autosaved part of the work: notes and parts.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct VisitWork {
    pub visit_id: Uuid,
    pub notes: String,
    pub parts: Vec<PartLine>,
}

/// The close-out as it opens: everything prefilled from the visit.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CloseOutPrefill {
    /// From the work notes, the changes and the parts.
    pub summary: String,
    /// Arrival → departure.
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub work_type: i64,
    pub billable: bool,
    /// The changes' titles, for the time entry's internal notes.
    pub internal_notes: String,
}

/// The close-out, saved with one click.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CloseOut {
    pub visit_id: Uuid,
    /// The report's work text and the time entry's customer-visible notes.
    pub summary: String,
    pub outcome: VisitOutcome,
    /// With "follow-up needed": what, posted as an internal note.
    pub follow_up_what: String,
    /// Remote: "confirmed with the user that it works?".
    pub confirmed_working: Option<bool>,
    /// On site: the customer's signature (or why there is none).
    pub signature: Option<SignatureInput>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub work_type: i64,
    pub billable: bool,
    pub internal_notes: String,
}

#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error("That visit no longer exists.")]
    NotFound(Uuid),
    #[error("That ticket is not in the cache: start the visit from a ticket or an appointment that is.")]
    TicketNotFound(Uuid),
    #[error("That appointment is not in the cache, or is not for this ticket.")]
    AppointmentNotFound(Uuid),
    #[error("This visit is closed; its report and time entry are saved.")]
    Closed,
    #[error("Arrive first: the visit starts with the arrival.")]
    NotArrived,
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Time(#[from] TimeError),
    #[error("{0}")]
    Change(String),
    #[error("{0}")]
    Ticket(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for VisitError {
    fn from(error: rusqlite::Error) -> Self {
        VisitError::Db(DbError::Sqlite(error))
    }
}

impl From<crate::tickets::TicketError> for VisitError {
    fn from(error: crate::tickets::TicketError) -> Self {
        match error {
            crate::tickets::TicketError::Invalid(fields) => VisitError::Invalid(fields),
            crate::tickets::TicketError::Db(db) => VisitError::Db(db),
            other => VisitError::Ticket(other.to_string()),
        }
    }
}

impl From<VisitError> for ErrorPayload {
    fn from(error: VisitError) -> Self {
        match error {
            VisitError::Invalid(fields) => ErrorPayload::validation(fields),
            VisitError::NotFound(_) | VisitError::TicketNotFound(_) | VisitError::AppointmentNotFound(_) => {
                ErrorPayload::not_found(error.to_string())
            }
            VisitError::Report(report) => report.into(),
            VisitError::Time(time) => time.into(),
            VisitError::Db(db) => db.into(),
            other => ErrorPayload::internal(other.to_string()),
        }
    }
}

impl crate::validation::Invalid for VisitError {
    fn from_fields(fields: Vec<FieldError>) -> Self {
        VisitError::Invalid(fields)
    }
}
