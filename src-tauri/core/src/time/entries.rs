//! Saving time entries: validation the PSA would otherwise reject (end after
//! start, at most 24 hours, no crossing of midnight UTC unless split),
//! warnings for overlaps, and the outbox entry in the same transaction.

use crate::validation::Invalid;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde_json::json;
use uuid::Uuid;

use super::zone::describe;
use super::{hours_between, me, SavedTime, TimeEntry, TimeEntryDraft, TimeError};
use crate::db::{uuid_column, Db};
use crate::outbox::{enqueue, Change};
use crate::picklists::{self, PicklistKind};
use crate::settings::read_settings;
use crate::validation::FieldErrors;

/// The columns of [`entry_from_row`], from `time_entries e` joined as below.
pub(crate) const ENTRY_SELECT: &str = "SELECT e.id, t.id, t.number, t.title, c.name, e.appointment_id, e.start_at,
        e.end_at, e.work_type, coalesce(w.label, e.work_type), e.billable, e.summary_notes, e.internal_notes,
        e.is_placeholder, e.placeholder_due_at
    FROM time_entries e
    JOIN tickets t ON t.row = e.ticket_row
    JOIN customers c ON c.id = t.customer_id
    LEFT JOIN picklist_values w ON w.kind = 'work_type' AND w.value = e.work_type";

pub(crate) fn entry_from_row(row: &Row<'_>, now: DateTime<Utc>) -> rusqlite::Result<TimeEntry> {
    let appointment: Option<String> = row.get(5)?;
    let start_at: DateTime<Utc> = row.get(6)?;
    let end_at: DateTime<Utc> = row.get(7)?;
    let is_placeholder: bool = row.get(13)?;
    let placeholder_due_at: Option<DateTime<Utc>> = row.get(14)?;
    Ok(TimeEntry {
        id: uuid_column(row, 0)?,
        ticket_id: uuid_column(row, 1)?,
        ticket_number: row.get(2)?,
        ticket_title: row.get(3)?,
        customer_name: row.get(4)?,
        appointment_id: appointment.and_then(|text| Uuid::parse_str(&text).ok()),
        start_at,
        end_at,
        hours: hours_between(start_at, end_at),
        work_type: row.get(8)?,
        work_type_label: row.get(9)?,
        billable: row.get(10)?,
        summary_notes: row.get(11)?,
        internal_notes: row.get(12)?,
        is_placeholder,
        overdue: is_placeholder && placeholder_due_at.is_some_and(|due| now >= due),
        placeholder_due_at,
    })
}

pub(crate) fn read_entry(connection: &Connection, id: Uuid, now: DateTime<Utc>) -> rusqlite::Result<TimeEntry> {
    connection
        .prepare_cached(&format!("{ENTRY_SELECT} WHERE e.id = ?1"))?
        .query_row([id.to_string()], |row| entry_from_row(row, now))
}

/// The pieces of `[start, end)` on each UTC day.
pub(crate) fn split_at_utc_midnight(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut pieces = Vec::new();
    let mut from = start;
    while from < end {
        let midnight = (from.date_naive() + Duration::days(1)).and_time(NaiveTime::MIN).and_utc();
        let to = midnight.min(end);
        pieces.push((from, to));
        from = to;
    }
    pieces
}

pub const MAX_NOTES_CHARS: usize = 8000;

pub fn save_time_entry(db: &Db, draft: &TimeEntryDraft, now: DateTime<Utc>) -> Result<SavedTime, TimeError> {
    db.write(|tx| save_time_entry_in(tx, draft, now))
}

/// [`save_time_entry`] inside the caller's transaction (a visit's close-out).
pub(crate) fn save_time_entry_in(
    tx: &Transaction<'_>,
    draft: &TimeEntryDraft,
    now: DateTime<Utc>,
) -> Result<SavedTime, TimeError> {
    let mut errors = FieldErrors::default();
    let summary = errors.text("summary_notes", &draft.summary_notes, true, MAX_NOTES_CHARS);
    let internal = errors.text("internal_notes", &draft.internal_notes, false, MAX_NOTES_CHARS);
    if draft.end_at <= draft.start_at {
        errors.add("end_at", "The end must be after the start.");
    } else if draft.end_at - draft.start_at > Duration::hours(24) {
        errors.add("end_at", "One entry can hold at most 24 hours.");
    }
    errors.into_result().map_err(TimeError::Invalid)?;

    {
        let me = me(tx)?;
        let settings = read_settings(tx)?;
        let zone = settings.zone();
        let row: i64 = tx
            .query_row("SELECT row FROM tickets WHERE id = ?1", [draft.ticket_id.to_string()], |r| r.get(0))
            .optional()?
            .ok_or(TimeError::TicketNotFound(draft.ticket_id))?;
        if !picklists::is_known(tx, PicklistKind::WorkType, draft.work_type)? {
            return Err(TimeError::invalid("work_type", "Choose a work type."));
        }
        let pieces = split_at_utc_midnight(draft.start_at, draft.end_at);
        if pieces.len() > 1 && !draft.split_at_midnight {
            return Err(TimeError::invalid(
                "end_at",
                format!(
                    "This entry crosses midnight UTC ({}), which the PSA refuses. Choose \"Split at midnight\" to save it as two entries.",
                    describe(zone, pieces[0].1)
                ),
            ));
        }
        if let Some(id) = draft.id {
            let mine: Option<String> = tx
                .query_row("SELECT resource_id FROM time_entries WHERE id = ?1", [id.to_string()], |r| r.get(0))
                .optional()?;
            if mine.as_deref() != Some(me.to_string().as_str()) {
                return Err(TimeError::EntryNotFound(id));
            }
        }

        let mut warnings = Vec::new();
        let mut saved = Vec::new();
        for (index, (start, end)) in pieces.iter().enumerate() {
            let existing = if index == 0 { draft.id } else { None };
            warnings.extend(overlaps(tx, me, existing, *start, *end, zone)?);
            let id = write_entry(tx, me, row, draft, existing, *start, *end, &summary, &internal, now)?;
            saved.push(id);
        }
        if draft.from_timer {
            tx.execute("DELETE FROM timers WHERE resource_id = ?1", [me.to_string()])?;
        }
        let entries = saved.iter().map(|id| read_entry(tx, *id, now)).collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(SavedTime { entries, warnings })
    }
}

#[allow(clippy::too_many_arguments)]
fn write_entry(
    tx: &Transaction<'_>,
    me: Uuid,
    ticket_row: i64,
    draft: &TimeEntryDraft,
    existing: Option<Uuid>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    summary: &str,
    internal: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, TimeError> {
    let appointment = draft.appointment_id.map(|id| id.to_string());
    let (id, operation) = match existing {
        Some(id) => {
            tx.execute(
                "UPDATE time_entries SET ticket_row = ?2, appointment_id = ?3, start_at = ?4, end_at = ?5, work_type = ?6,
                     billable = ?7, summary_notes = ?8, internal_notes = ?9, is_placeholder = 0,
                     placeholder_due_at = NULL, updated_at = ?10
                 WHERE id = ?1",
                params![id.to_string(), ticket_row, appointment, start, end, draft.work_type, draft.billable, summary, internal, now],
            )?;
            (id, "update")
        }
        None => {
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO time_entries (id, resource_id, ticket_row, appointment_id, start_at, end_at, work_type, billable,
                     summary_notes, internal_notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
                params![id.to_string(), me.to_string(), ticket_row, appointment, start, end, draft.work_type, draft.billable, summary, internal, now],
            )?;
            (id, "create")
        }
    };
    enqueue(
        tx,
        Change {
            entity: "TimeEntry",
            entity_id: id,
            operation,
            summary: format!(
                "Time on {}: {:.2} h{}",
                draft.ticket_number,
                hours_between(start, end),
                if operation == "update" { " (completed)" } else { "" }
            ),
            payload: entry_payload(
                draft.ticket_id,
                me,
                draft.work_type,
                start,
                end,
                summary,
                internal,
                !draft.billable,
            ),
        },
        now,
    )?;
    Ok(id)
}

/// An Autotask `TimeEntries` body.
#[allow(clippy::too_many_arguments)]
pub(crate) fn entry_payload(
    ticket: Uuid,
    resource: Uuid,
    work_type: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    summary: &str,
    internal: &str,
    non_billable: bool,
) -> serde_json::Value {
    json!({
        "ticket": ticket,
        "resource": resource,
        "roleID": work_type,
        "dateWorked": start.date_naive(),
        "startDateTime": start,
        "endDateTime": end,
        "hoursWorked": hours_between(start, end),
        "summaryNotes": summary,
        "internalNotes": internal,
        "isNonBillable": non_billable,
    })
}

/// "Overlaps your entry on T… (Tue 24 Nov 10:00 …)" for each of my other entries in the range.
fn overlaps(
    tx: &Transaction<'_>,
    me: Uuid,
    except: Option<Uuid>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> rusqlite::Result<Vec<String>> {
    let mut statement = tx.prepare_cached(
        "SELECT t.number, e.start_at FROM time_entries e JOIN tickets t ON t.row = e.ticket_row
         WHERE e.resource_id = ?1 AND e.start_at < ?3 AND e.end_at > ?2 AND e.start_at > ?4 AND e.id IS NOT ?5",
    )?;
    let rows = statement.query_map(
        params![me.to_string(), start, end, start - Duration::hours(24), except.map(|id| id.to_string())],
        |row| {
            let number: String = row.get(0)?;
            let at: DateTime<Utc> = row.get(1)?;
            Ok(format!("Overlaps your entry on {number} from {}.", describe(zone, at)))
        },
    )?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_entry_is_cut_at_each_utc_midnight() {
        let start = Utc.with_ymd_and_hms(2026, 11, 24, 22, 30, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0).unwrap();
        let pieces = split_at_utc_midnight(start, end);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].1, Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap());
        assert_eq!(pieces[1], (pieces[0].1, end));
        assert_eq!(split_at_utc_midnight(start, start + Duration::minutes(30)).len(), 1);
    }
}
