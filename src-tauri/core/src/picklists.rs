//! Picklists: ticket statuses, priorities, queues, issue types, sources and
//! note types. Each PSA tenant defines its own values (Autotask serves them
//! from `entityInformation/fields`), so they are rows, not enums.
//!
//! A value's `meaning` ties it to what Fieldkit does with it: which view
//! lists it, which response clock applies. Values without a meaning are
//! shown and can be chosen, but drive nothing.

use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::{Db, DbError};

/// Which picklist a value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PicklistKind {
    Status,
    Priority,
    Queue,
    IssueType,
    Source,
    NoteType,
    /// Autotask's role / work type of a time entry.
    WorkType,
}

impl PicklistKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PicklistKind::Status => "status",
            PicklistKind::Priority => "priority",
            PicklistKind::Queue => "queue",
            PicklistKind::IssueType => "issue_type",
            PicklistKind::Source => "source",
            PicklistKind::NoteType => "note_type",
            PicklistKind::WorkType => "work_type",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        ALL_KINDS.into_iter().find(|kind| kind.as_str() == text)
    }
}

const ALL_KINDS: [PicklistKind; 7] = [
    PicklistKind::Status,
    PicklistKind::Priority,
    PicklistKind::Queue,
    PicklistKind::IssueType,
    PicklistKind::Source,
    PicklistKind::NoteType,
    PicklistKind::WorkType,
];

/// The meanings Fieldkit acts on. Stored as text in `picklist_values.meaning`.
pub mod meaning {
    /// Status of a ticket nobody has looked at yet ("New Tickets That Need Attention").
    pub const STATUS_NEW: &str = "new";
    /// Status listed in the Patch Issues view.
    pub const STATUS_FOLLOW_UP_NEEDED: &str = "follow_up_needed";
    /// Status of a ticket waiting for the customer (a visit's third outcome).
    pub const STATUS_WAITING_CUSTOMER: &str = "waiting_customer";
    /// Status that closes a ticket.
    pub const STATUS_COMPLETE: &str = "complete";
    /// Status set when the technician starts working on a ticket.
    pub const STATUS_IN_PROGRESS: &str = "in_progress";
    /// Priority that means "call the customer back right away".
    pub const PRIORITY_CRITICAL: &str = "critical";
    pub const PRIORITY_HIGH: &str = "high";
    pub const PRIORITY_MEDIUM: &str = "medium";
    /// Queue of the shared technicians' queue view.
    pub const QUEUE_TECHNICIANS: &str = "technicians";
    /// Issue type of the monthly backup checks.
    pub const ISSUE_TYPE_BACKUP_CHECK: &str = "backup_check";
    /// Issue type of discrepancy reports.
    pub const ISSUE_TYPE_DISCREPANCY: &str = "discrepancy";
    /// Source of tickets raised by a technician in the field.
    pub const SOURCE_FIELD: &str = "field";
    /// Work type whose time is billable by default.
    pub const WORK_TYPE_BILLABLE: &str = "billable";
}

/// One value of one picklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PicklistValue {
    pub kind: PicklistKind,
    /// The PSA's value (Autotask's integer picklist value).
    pub value: i64,
    pub label: String,
    pub meaning: Option<String>,
    pub is_active: bool,
    pub sort_order: i64,
}

pub fn upsert_value(tx: &Transaction<'_>, value: &PicklistValue) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO picklist_values (kind, value, label, meaning, is_active, sort_order) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (kind, value) DO UPDATE SET label = excluded.label, meaning = excluded.meaning,
             is_active = excluded.is_active, sort_order = excluded.sort_order",
        params![value.kind.as_str(), value.value, value.label, value.meaning, value.is_active, value.sort_order],
    )?;
    Ok(())
}

/// Every value of every picklist, in each list's order.
pub fn list_picklists(db: &Db) -> Result<Vec<PicklistValue>, DbError> {
    Ok(db.read(read_all)?)
}

pub(crate) fn read_all(connection: &Connection) -> rusqlite::Result<Vec<PicklistValue>> {
    let mut statement = connection.prepare_cached(
        "SELECT kind, value, label, meaning, is_active, sort_order FROM picklist_values ORDER BY kind, sort_order, value",
    )?;
    let rows = statement.query_map([], |row| {
        let kind: String = row.get(0)?;
        Ok(PicklistValue {
            kind: PicklistKind::parse(&kind).unwrap_or(PicklistKind::Status),
            value: row.get(1)?,
            label: row.get(2)?,
            meaning: row.get(3)?,
            is_active: row.get(4)?,
            sort_order: row.get(5)?,
        })
    })?;
    rows.collect()
}

/// The value of `kind` that carries `meaning`, if the tenant has one.
pub(crate) fn value_with_meaning(
    connection: &Connection,
    kind: PicklistKind,
    meaning: &str,
) -> rusqlite::Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    connection
        .query_row(
            "SELECT value FROM picklist_values WHERE kind = ?1 AND meaning = ?2 ORDER BY sort_order LIMIT 1",
            params![kind.as_str(), meaning],
            |row| row.get(0),
        )
        .optional()
}

/// The first active value of `kind` in the tenant's order (its default).
pub(crate) fn first_value(connection: &Connection, kind: PicklistKind) -> rusqlite::Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    connection
        .query_row(
            "SELECT value FROM picklist_values WHERE kind = ?1 AND is_active = 1 ORDER BY sort_order, value LIMIT 1",
            [kind.as_str()],
            |row| row.get(0),
        )
        .optional()
}

/// Whether `value` is a known value of `kind`.
pub(crate) fn is_known(connection: &Connection, kind: PicklistKind, value: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM picklist_values WHERE kind = ?1 AND value = ?2)",
        params![kind.as_str(), value],
        |row| row.get(0),
    )
}

/// Autotask's stock picklists, with Fieldkit's meanings: what a tenant gets
/// until the first sync brings its own.
pub fn default_picklists() -> Vec<PicklistValue> {
    use meaning::*;
    let value = |kind, value: i64, label: &str, meaning: Option<&str>, sort_order: i64| PicklistValue {
        kind,
        value,
        label: label.into(),
        meaning: meaning.map(Into::into),
        is_active: true,
        sort_order,
    };
    use PicklistKind::*;
    vec![
        value(Status, 1, "New", Some(STATUS_NEW), 1),
        value(Status, 8, "In Progress", Some(STATUS_IN_PROGRESS), 2),
        value(Status, 7, "Waiting Customer", Some(STATUS_WAITING_CUSTOMER), 3),
        value(Status, 12, "Follow-up needed", Some(STATUS_FOLLOW_UP_NEEDED), 4),
        value(Status, 10, "Scheduled", None, 5),
        value(Status, 5, "Complete", Some(STATUS_COMPLETE), 9),
        value(Priority, 4, "Critical", Some(PRIORITY_CRITICAL), 1),
        value(Priority, 1, "High", Some(PRIORITY_HIGH), 2),
        value(Priority, 2, "Medium", Some(PRIORITY_MEDIUM), 3),
        value(Priority, 3, "Low", None, 4),
        value(Queue, 29683, "Technicians", Some(QUEUE_TECHNICIANS), 1),
        value(Queue, 29682, "Triage", None, 2),
        value(Queue, 29684, "Monitoring Alerts", None, 3),
        value(Queue, 29685, "Projects", None, 4),
        value(IssueType, 1, "Hardware", None, 1),
        value(IssueType, 2, "Software", None, 2),
        value(IssueType, 3, "Network", None, 3),
        value(IssueType, 4, "Patching", None, 4),
        value(IssueType, 5, "Backup Check", Some(ISSUE_TYPE_BACKUP_CHECK), 5),
        value(IssueType, 6, "User Account", None, 6),
        value(IssueType, 7, "Discrepancy", Some(ISSUE_TYPE_DISCREPANCY), 7),
        value(Source, 2, "Phone", None, 1),
        value(Source, 4, "Email", None, 2),
        value(Source, 8, "Monitoring Alert", None, 3),
        value(Source, 6, "Client Portal", None, 4),
        value(Source, 11, "In the field", Some(SOURCE_FIELD), 5),
        value(NoteType, 1, "Task Summary", None, 1),
        value(NoteType, 2, "Task Detail", None, 2),
        value(NoteType, 3, "Task Notes", None, 3),
        value(WorkType, 29682790, "Remote support", Some(WORK_TYPE_BILLABLE), 1),
        value(WorkType, 29682791, "On-site support", Some(WORK_TYPE_BILLABLE), 2),
        value(WorkType, 29682792, "Travel", None, 3),
        value(WorkType, 29682793, "Internal / non-billable", None, 4),
    ]
}
