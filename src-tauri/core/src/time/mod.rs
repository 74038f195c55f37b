//! Time: timers that survive restarts, time entries made right after the
//! work, placeholder entries to complete by the next working morning, my week
//! and the weekly "every service call has its time" check.
//!
//! Times are stored in UTC and turned into the technician's zone (settings)
//! only for what depends on the calendar: working mornings, days of a week,
//! and explanations. Every entry and change is written with its outbox entry.

mod entries;
mod placeholder;
mod timer;
mod week;
pub mod zone;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::DbError;
use crate::error::ErrorPayload;
use crate::validation::FieldError;

pub use entries::save_time_entry;
pub(crate) use entries::save_time_entry_in;
pub use placeholder::{open_placeholders, save_placeholder};
pub use timer::{current_timer, pause_timer, resume_timer, start_timer, stop_timer};
pub(crate) use timer::{default_work_type, pause as pause_in, read_timer, start_in};
pub use week::{my_week, weekly_check};

/// What a timer runs for.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct TimerTarget {
    pub ticket_id: Uuid,
    pub appointment_id: Option<Uuid>,
}

/// What to do with the timer already running when another is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RunningTimerChoice {
    /// Pause it and hand back its prefilled entry (to save next).
    Stop,
    /// Throw its time away.
    Discard,
}

/// The technician's timer, as shown everywhere in the app.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RunningTimer {
    pub ticket_id: Uuid,
    pub ticket_number: String,
    pub ticket_title: String,
    pub appointment_id: Option<Uuid>,
    pub first_started_at: DateTime<Utc>,
    pub running: bool,
    /// Worked so far, pauses excluded.
    pub elapsed_seconds: i64,
}

/// Starting a timer: the new timer, and the entry of the one it replaced.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TimerStarted {
    pub timer: RunningTimer,
    pub replaced: Option<TimeEntryDraft>,
}

/// The time-entry form. `id` is set when completing a placeholder.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimeEntryDraft {
    pub id: Option<Uuid>,
    pub ticket_id: Uuid,
    pub ticket_number: String,
    pub appointment_id: Option<Uuid>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    /// A `work_type` picklist value (Autotask role).
    pub work_type: i64,
    pub billable: bool,
    /// Visible to the customer.
    pub summary_notes: String,
    pub internal_notes: String,
    /// Save an entry that crosses midnight UTC as two entries.
    pub split_at_midnight: bool,
    /// Made from the running timer: saving it ends the timer.
    pub from_timer: bool,
}

/// A saved entry.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TimeEntry {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub ticket_number: String,
    pub ticket_title: String,
    pub customer_name: String,
    pub appointment_id: Option<Uuid>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub hours: f64,
    pub work_type: i64,
    pub work_type_label: String,
    pub billable: bool,
    pub summary_notes: String,
    pub internal_notes: String,
    pub is_placeholder: bool,
    pub placeholder_due_at: Option<DateTime<Utc>>,
    /// A placeholder past its due time.
    pub overdue: bool,
}

/// What saving produced: the entries (two when split) and warnings that did
/// not stop the save (overlaps with my other entries).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SavedTime {
    pub entries: Vec<TimeEntry>,
    pub warnings: Vec<String>,
}

/// A placeholder: brief notes now, the full entry by the next working morning.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PlaceholderDraft {
    pub ticket_id: Uuid,
    pub appointment_id: Option<Uuid>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub notes: String,
}

/// A range of days in the technician's zone, `first` to `last` inclusive.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct WeekQuery {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// My week: entries and per-day totals.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MyWeek {
    pub days: Vec<DayTotal>,
    pub entries: Vec<TimeEntry>,
    pub billable_hours: f64,
    pub non_billable_hours: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DayTotal {
    pub date: NaiveDate,
    pub billable_hours: f64,
    pub non_billable_hours: f64,
}

/// The weekly check: what keeps the week from being complete.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WeeklyCheck {
    /// My service calls of the week (started by now) without a time entry of mine.
    pub appointments_without_time: Vec<UntimedAppointment>,
    /// My placeholders not yet completed.
    pub open_placeholders: Vec<TimeEntry>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UntimedAppointment {
    pub id: Uuid,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub customer_name: String,
    pub ticket_id: Option<Uuid>,
    pub ticket_number: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TimeError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error("A timer is already running on {0}: stop it or discard it first.")]
    TimerRunning(String),
    #[error("No timer is running.")]
    NoTimer,
    #[error("That ticket is not in the cache.")]
    TicketNotFound(Uuid),
    #[error("That time entry no longer exists.")]
    EntryNotFound(Uuid),
    #[error("Choose who you are in Settings first.")]
    NoMe,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for TimeError {
    fn from(error: rusqlite::Error) -> Self {
        TimeError::Db(DbError::Sqlite(error))
    }
}

impl From<TimeError> for ErrorPayload {
    fn from(error: TimeError) -> Self {
        match error {
            TimeError::Invalid(fields) => ErrorPayload::validation(fields),
            TimeError::TicketNotFound(_) | TimeError::EntryNotFound(_) => ErrorPayload::not_found(error.to_string()),
            TimeError::Db(db) => db.into(),
            other => ErrorPayload::internal(other.to_string()),
        }
    }
}

/// Me, or `NoMe`.
pub(crate) fn me(connection: &rusqlite::Connection) -> Result<Uuid, TimeError> {
    crate::settings::read_settings(connection)?.me.ok_or(TimeError::NoMe)
}

/// Hours between two times, rounded to the minute as the PSA stores them.
pub(crate) fn hours_between(start: DateTime<Utc>, end: DateTime<Utc>) -> f64 {
    ((end - start).num_seconds() as f64 / 60.0).round() / 60.0
}

impl crate::validation::Invalid for TimeError {
    fn from_fields(fields: Vec<FieldError>) -> Self {
        TimeError::Invalid(fields)
    }
}
