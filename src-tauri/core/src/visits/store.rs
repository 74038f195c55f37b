//! Reading visits back: one, or the ones not closed yet (to resume).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::{Visit, VisitChange, VisitError, VisitOutcome, VisitStep};
use crate::db::{uuid_column, Db};
use crate::reports::PartLine;
use crate::tickets::AppointmentKind;

const VISIT_SELECT: &str = "SELECT v.id, v.kind, t.id, t.number, t.title, c.id, c.name, v.appointment_id, v.report_id,
        r.state, v.notes, r.parts, v.started_at, v.arrived_at, v.departed_at, v.confirmed_working, v.outcome,
        v.time_entry_id, v.closed_at
    FROM visits v
    JOIN tickets t ON t.row = v.ticket_row
    JOIN customers c ON c.id = t.customer_id
    LEFT JOIN service_reports r ON r.id = v.report_id";

pub(crate) fn read_visit(connection: &Connection, id: Uuid) -> Result<Visit, VisitError> {
    let mut visit = connection
        .prepare_cached(&format!("{VISIT_SELECT} WHERE v.id = ?1"))?
        .query_row([id.to_string()], visit_from_row)
        .optional()?
        .ok_or(VisitError::NotFound(id))?;
    visit.changes = connection
        .prepare_cached(
            "SELECT r.record_id, r.category, r.summary FROM visit_changes vc
             JOIN change_records r ON r.record_id = vc.record_id AND r.is_current = 1
             WHERE vc.visit_id = ?1 ORDER BY r.created_at, r.row",
        )?
        .query_map([id.to_string()], |row| {
            let category: String = row.get(1)?;
            let summary: String = row.get(2)?;
            let label = crate::changes::ChangeCategory::parse(&category).label();
            Ok(VisitChange { record_id: uuid_column(row, 0)?, title: format!("{label}: {summary}") })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(visit)
}

fn visit_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Visit> {
    let optional_uuid = |index: usize| -> rusqlite::Result<Option<Uuid>> {
        let text: Option<String> = row.get(index)?;
        Ok(text.and_then(|text| Uuid::parse_str(&text).ok()))
    };
    let kind: String = row.get(1)?;
    let report_state: Option<String> = row.get(9)?;
    let parts: Option<String> = row.get(11)?;
    let arrived_at: Option<DateTime<Utc>> = row.get(13)?;
    let departed_at: Option<DateTime<Utc>> = row.get(14)?;
    let outcome: Option<String> = row.get(16)?;
    let closed_at: Option<DateTime<Utc>> = row.get(18)?;
    let step = match (arrived_at, departed_at, closed_at) {
        (_, _, Some(_)) => VisitStep::Closed,
        (None, _, None) => VisitStep::Before,
        (Some(_), None, None) => VisitStep::During,
        (Some(_), Some(_), None) => VisitStep::CloseOut,
    };
    Ok(Visit {
        id: uuid_column(row, 0)?,
        kind: AppointmentKind::parse(&kind),
        step,
        ticket_id: uuid_column(row, 2)?,
        ticket_number: row.get(3)?,
        ticket_title: row.get(4)?,
        customer_id: uuid_column(row, 5)?,
        customer_name: row.get(6)?,
        appointment_id: optional_uuid(7)?,
        report_id: optional_uuid(8)?,
        report_sealed: report_state.as_deref() == Some("sealed"),
        notes: row.get(10)?,
        parts: parts.and_then(|text| serde_json::from_str::<Vec<PartLine>>(&text).ok()).unwrap_or_default(),
        changes: Vec::new(),
        started_at: row.get(12)?,
        arrived_at,
        departed_at,
        confirmed_working: row.get(15)?,
        outcome: outcome.as_deref().and_then(VisitOutcome::parse),
        time_entry_id: optional_uuid(17)?,
        closed_at,
    })
}

pub fn get_visit(db: &Db, id: Uuid) -> Result<Visit, VisitError> {
    db.read(|connection| read_visit(connection, id))
}

/// The visits not closed yet, oldest first: what to resume.
pub fn open_visits(db: &Db) -> Result<Vec<Visit>, VisitError> {
    db.read(|connection| {
        let ids: Vec<String> = connection
            .prepare_cached("SELECT id FROM visits WHERE closed_at IS NULL ORDER BY started_at LIMIT 50")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().filter_map(|id| Uuid::parse_str(id).ok()).map(|id| read_visit(connection, id)).collect()
    })
}
