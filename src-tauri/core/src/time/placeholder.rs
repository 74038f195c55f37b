//! Placeholder entries: when running late, one click saves the time with
//! brief notes, marked so the approver does not approve it yet (the marker
//! also goes into the internal notes the PSA receives). It is due by the next
//! working morning; completing it (saving it as a full entry) removes the marker.

use crate::validation::Invalid;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

use super::entries::{entry_from_row, entry_payload, read_entry, ENTRY_SELECT, MAX_NOTES_CHARS};
use super::zone::{describe, next_working_morning};
use super::{hours_between, me, PlaceholderDraft, TimeEntry, TimeError};
use crate::db::Db;
use crate::outbox::{enqueue, Change};
use crate::picklists::{self, PicklistKind};
use crate::settings::read_settings;
use crate::validation::FieldErrors;

/// The marker at the start of a placeholder's internal notes.
pub const PLACEHOLDER_MARKER: &str = "[PLACEHOLDER - do not approve yet]";

pub fn save_placeholder(db: &Db, draft: &PlaceholderDraft, now: DateTime<Utc>) -> Result<TimeEntry, TimeError> {
    let mut errors = FieldErrors::default();
    let notes = errors.text("notes", &draft.notes, true, MAX_NOTES_CHARS);
    if draft.end_at <= draft.start_at {
        errors.add("end_at", "The end must be after the start.");
    } else if draft.end_at - draft.start_at > Duration::hours(24) {
        errors.add("end_at", "One entry can hold at most 24 hours.");
    }
    errors.into_result().map_err(TimeError::Invalid)?;
    db.write(|tx| {
        let me = me(tx)?;
        let settings = read_settings(tx)?;
        let zone = settings.zone();
        let (row, number): (i64, String) = tx
            .query_row("SELECT row, number FROM tickets WHERE id = ?1", [draft.ticket_id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or(TimeError::TicketNotFound(draft.ticket_id))?;
        let work_type = picklists::first_value(tx, PicklistKind::WorkType)?
            .ok_or_else(|| TimeError::invalid("work_type", "The work type list is empty: sync the picklists first."))?;
        let due = next_working_morning(zone, now, settings.placeholder_due_hour);
        let internal = format!("{PLACEHOLDER_MARKER} To be completed by {}.", describe(zone, due));
        let id = Uuid::new_v4();
        tx.execute(
            "INSERT INTO time_entries (id, resource_id, ticket_row, appointment_id, start_at, end_at, work_type, billable,
                 summary_notes, internal_notes, is_placeholder, placeholder_due_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, 1, ?10, ?11, ?11)",
            params![
                id.to_string(),
                me.to_string(),
                row,
                draft.appointment_id.map(|a| a.to_string()),
                draft.start_at,
                draft.end_at,
                work_type,
                notes,
                internal,
                due,
                now
            ],
        )?;
        enqueue(
            tx,
            Change {
                entity: "TimeEntry",
                entity_id: id,
                operation: "create",
                summary: format!("Placeholder time on {number}: {:.2} h", hours_between(draft.start_at, draft.end_at)),
                payload: entry_payload(draft.ticket_id, me, work_type, draft.start_at, draft.end_at, &notes, &internal, false),
            },
            now,
        )?;
        Ok(read_entry(tx, id, now)?)
    })
}

/// My placeholders still to complete, the earliest due first.
pub fn open_placeholders(db: &Db, now: DateTime<Utc>) -> Result<Vec<TimeEntry>, TimeError> {
    db.read(|connection| {
        let me = me(connection)?;
        Ok(connection
            .prepare_cached(&format!(
                "{ENTRY_SELECT} WHERE e.resource_id = ?1 AND e.is_placeholder = 1 ORDER BY e.placeholder_due_at"
            ))?
            .query_map([me.to_string()], |row| entry_from_row(row, now))?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    })
}
