//! Creating a report from a ticket, autosaving the draft, the arrival and
//! departure stamps, and reading a report back.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::{PartLine, ReportDraft, ReportError, ServiceReport, Stamp, StrokePoint};
use crate::db::{uuid_column, Db};
use crate::validation::FieldErrors;

const MAX_TEXT_CHARS: usize = 20_000;

pub(crate) fn read_report(connection: &Connection, id: Uuid) -> Result<ServiceReport, ReportError> {
    connection
        .prepare_cached(
            "SELECT r.id, t.id, t.number, t.title, r.appointment_id, r.revision_of, r.technician_name, r.customer_name,
                    r.site_text, r.contact_text, r.arrival_window_start, r.arrival_window_end, r.arrived_at, r.departed_at,
                    r.work_performed, r.findings, r.recommendations, r.customer_notes, r.follow_up_needed, r.follow_up_what,
                    r.parts, r.state, r.signer_name, r.signer_title, r.no_signature_reason, r.strokes, r.signed_at,
                    r.seal_hash, r.created_at, r.updated_at
             FROM service_reports r JOIN tickets t ON t.row = r.ticket_row WHERE r.id = ?1",
        )?
        .query_row([id.to_string()], |row| {
            let optional_uuid = |index: usize| -> rusqlite::Result<Option<Uuid>> {
                let text: Option<String> = row.get(index)?;
                Ok(text.and_then(|text| Uuid::parse_str(&text).ok()))
            };
            let parts: String = row.get(20)?;
            let strokes: String = row.get(25)?;
            let state: String = row.get(21)?;
            Ok(ServiceReport {
                id: uuid_column(row, 0)?,
                ticket_id: uuid_column(row, 1)?,
                ticket_number: row.get(2)?,
                ticket_title: row.get(3)?,
                appointment_id: optional_uuid(4)?,
                revision_of: optional_uuid(5)?,
                technician_name: row.get(6)?,
                customer_name: row.get(7)?,
                site_text: row.get(8)?,
                contact_text: row.get(9)?,
                arrival_window_start: row.get(10)?,
                arrival_window_end: row.get(11)?,
                arrived_at: row.get(12)?,
                departed_at: row.get(13)?,
                work_performed: row.get(14)?,
                findings: row.get(15)?,
                recommendations: row.get(16)?,
                customer_notes: row.get(17)?,
                follow_up_needed: row.get(18)?,
                follow_up_what: row.get(19)?,
                parts: serde_json::from_str::<Vec<PartLine>>(&parts).unwrap_or_default(),
                sealed: state == "sealed",
                signer_name: row.get(22)?,
                signer_title: row.get(23)?,
                no_signature_reason: row.get(24)?,
                strokes: serde_json::from_str::<Vec<Vec<StrokePoint>>>(&strokes).unwrap_or_default(),
                signed_at: row.get(26)?,
                seal_hash: row.get(27)?,
                created_at: row.get(28)?,
                updated_at: row.get(29)?,
            })
        })
        .optional()?
        .ok_or(ReportError::NotFound(id))
}

pub fn get_report(db: &Db, id: Uuid) -> Result<ServiceReport, ReportError> {
    db.read(|connection| read_report(connection, id))
}

/// A new draft for a ticket: customer, site, contact, technician and the
/// arrival window of its first appointment are copied in as they are now.
pub fn create_report(db: &Db, ticket_id: Uuid, now: DateTime<Utc>) -> Result<ServiceReport, ReportError> {
    db.write(|tx| {
        let id = create_report_in(tx, ticket_id, None, now)?;
        read_report(tx, id)
    })
}

/// [`create_report`] inside the caller's transaction, for `appointment` when
/// given (a visit's), else for the ticket's appointment nearest to now.
pub(crate) fn create_report_in(
    tx: &rusqlite::Transaction<'_>,
    ticket_id: Uuid,
    appointment: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, ReportError> {
    {
        #[allow(clippy::type_complexity)]
        let (row, customer, site, contact): (i64, String, Option<String>, Option<String>) = tx
            .query_row(
                "SELECT t.row, c.name,
                        (SELECT concat_ws(', ', s.name, nullif(s.address1, ''), nullif(s.city, '')) FROM sites s WHERE s.id = t.site_id),
                        (SELECT concat_ws(' ', ct.first_name, ct.last_name) || coalesce(' (' || nullif(ct.title, '') || ')', '')
                         FROM contacts ct WHERE ct.id = t.contact_id)
                 FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = ?1",
                [ticket_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or(ReportError::TicketNotFound(ticket_id))?;
        let appointment: Option<(String, DateTime<Utc>)> = tx
            .query_row(
                "SELECT a.id, a.start_at FROM appointment_tickets at JOIN appointments a ON a.id = at.appointment_id
                 WHERE at.ticket_row = ?1 AND (?3 IS NULL OR a.id = ?3)
                 ORDER BY abs(julianday(a.start_at) - julianday(?2)) LIMIT 1",
                params![row, now, appointment.map(|id| id.to_string())],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let technician: String = crate::settings::my_name(tx)?.unwrap_or_default();
        let id = Uuid::new_v4();
        tx.execute(
            "INSERT INTO service_reports (id, ticket_row, appointment_id, technician_name, customer_name, site_text,
                 contact_text, arrival_window_start, arrival_window_end, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            params![
                id.to_string(),
                row,
                appointment.as_ref().map(|(id, _)| id.clone()),
                technician,
                customer,
                site.unwrap_or_default(),
                contact.unwrap_or_default(),
                appointment.as_ref().map(|(_, start)| *start),
                appointment.as_ref().map(|(_, start)| *start + chrono::Duration::hours(1)),
                now
            ],
        )?;
        Ok(id)
    }
}

fn refuse_if_sealed(connection: &Connection, id: Uuid) -> Result<(), ReportError> {
    let state: String = connection
        .query_row("SELECT state FROM service_reports WHERE id = ?1", [id.to_string()], |r| r.get(0))
        .optional()?
        .ok_or(ReportError::NotFound(id))?;
    if state == "sealed" {
        return Err(ReportError::Sealed);
    }
    Ok(())
}

/// Parts lines as typed, checked (an item named unless from stock, a quantity from 1 to 10,000).
pub(crate) fn checked_parts(errors: &mut FieldErrors, lines: &[PartLine]) -> Vec<PartLine> {
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let item = errors.text(&format!("parts.{index}.item"), &line.item, line.item_id.is_none(), 200);
            if line.quantity == 0 || line.quantity > 10_000 {
                errors.add(format!("parts.{index}.quantity"), "Enter a quantity from 1 to 10,000.");
            }
            PartLine { item, quantity: line.quantity, item_id: line.item_id }
        })
        .collect()
}

/// A line picked from stock carries the item's current name; a vanished item is a field error.
pub(crate) fn name_stock_lines(connection: &Connection, parts: &mut [PartLine]) -> Result<(), ReportError> {
    let mut errors = FieldErrors::default();
    for (index, line) in parts.iter_mut().enumerate() {
        let Some(item_id) = line.item_id else { continue };
        let name: Option<String> = connection
            .prepare_cached("SELECT name FROM stock_items WHERE id = ?1")?
            .query_row([item_id.to_string()], |row| row.get(0))
            .optional()?;
        match name {
            Some(name) => line.item = name,
            None => errors.add(format!("parts.{index}.item"), "That stock item no longer exists; pick another."),
        }
    }
    errors.into_result().map_err(ReportError::Invalid)
}

/// Autosave: stores the draft as typed (cleaned of NULs, length-checked).
pub fn save_report_draft(db: &Db, draft: &ReportDraft, now: DateTime<Utc>) -> Result<ServiceReport, ReportError> {
    let mut errors = FieldErrors::default();
    let work = errors.text("work_performed", &draft.work_performed, false, MAX_TEXT_CHARS);
    let findings = errors.text("findings", &draft.findings, false, MAX_TEXT_CHARS);
    let recommendations = errors.text("recommendations", &draft.recommendations, false, MAX_TEXT_CHARS);
    let notes = errors.text("customer_notes", &draft.customer_notes, false, MAX_TEXT_CHARS);
    let follow_up = errors.text("follow_up_what", &draft.follow_up_what, false, 2000);
    let mut parts = checked_parts(&mut errors, &draft.parts);
    errors.into_result().map_err(ReportError::Invalid)?;
    db.write(|tx| {
        refuse_if_sealed(tx, draft.id)?;
        name_stock_lines(tx, &mut parts)?;
        tx.execute(
            "UPDATE service_reports SET work_performed = ?2, findings = ?3, recommendations = ?4, customer_notes = ?5,
                 follow_up_needed = ?6, follow_up_what = ?7, parts = ?8, updated_at = ?9 WHERE id = ?1",
            params![
                draft.id.to_string(),
                work,
                findings,
                recommendations,
                notes,
                draft.follow_up_needed,
                follow_up,
                serde_json::to_string(&parts).unwrap_or_else(|_| "[]".into()),
                now
            ],
        )?;
        read_report(tx, draft.id)
    })
}

/// "Arrived" or "Leaving": the time, now.
pub fn stamp_report(db: &Db, id: Uuid, stamp: Stamp, now: DateTime<Utc>) -> Result<ServiceReport, ReportError> {
    db.write(|tx| {
        refuse_if_sealed(tx, id)?;
        let column = match stamp {
            Stamp::Arrived => "arrived_at",
            Stamp::Leaving => "departed_at",
        };
        tx.execute(
            &format!("UPDATE service_reports SET {column} = ?2, updated_at = ?2 WHERE id = ?1"),
            params![id.to_string(), now],
        )?;
        read_report(tx, id)
    })
}

/// Reports of a ticket, or the newest reports when `ticket_id` is `None`.
pub fn list_reports(db: &Db, ticket_id: Option<Uuid>, limit: u32) -> Result<Vec<ServiceReport>, ReportError> {
    db.read(|connection| {
        let ids: Vec<String> = match ticket_id {
            Some(ticket) => connection
                .prepare_cached(
                    "SELECT r.id FROM service_reports r JOIN tickets t ON t.row = r.ticket_row
                     WHERE t.id = ?1 ORDER BY r.created_at DESC LIMIT ?2",
                )?
                .query_map(params![ticket.to_string(), limit], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
            None => connection
                .prepare_cached("SELECT id FROM service_reports ORDER BY created_at DESC LIMIT ?1")?
                .query_map([limit], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
        };
        ids.iter().filter_map(|id| Uuid::parse_str(id).ok()).map(|id| read_report(connection, id)).collect()
    })
}

/// A correction of a sealed report: a new draft with the same content that
/// names the sealed one (which is never changed).
pub fn create_correction(db: &Db, sealed_id: Uuid, now: DateTime<Utc>) -> Result<ServiceReport, ReportError> {
    db.write(|tx| {
        let original = read_report(tx, sealed_id)?;
        if !original.sealed {
            return Err(ReportError::Invalid(vec![crate::validation::FieldError {
                field: "revision_of".into(),
                message: "Only a sealed report needs a correction; edit the draft instead.".into(),
            }]));
        }
        let id = Uuid::new_v4();
        tx.execute(
            "INSERT INTO service_reports (id, ticket_row, appointment_id, revision_of, technician_name, customer_name,
                 site_text, contact_text, arrival_window_start, arrival_window_end, arrived_at, departed_at, work_performed,
                 findings, recommendations, customer_notes, follow_up_needed, follow_up_what, parts, created_at, updated_at)
             SELECT ?1, ticket_row, appointment_id, id, technician_name, customer_name, site_text, contact_text,
                 arrival_window_start, arrival_window_end, arrived_at, departed_at, work_performed, findings,
                 recommendations, customer_notes, follow_up_needed, follow_up_what, parts, ?2, ?2
             FROM service_reports WHERE id = ?3",
            params![id.to_string(), now, sealed_id.to_string()],
        )?;
        read_report(tx, id)
    })
}
