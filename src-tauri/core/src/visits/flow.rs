//! The visit's steps before the close-out: start (or continue), arrive,
//! work (notes and parts, autosaved), document a change, leave.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use uuid::Uuid;

use super::store::read_visit;
use super::{Visit, VisitError, VisitStart, VisitStarted, VisitWork};
use crate::changes::{ChangeDraft, ChangeError};
use crate::db::Db;
use crate::reports::ReportError;
use crate::tickets::AppointmentKind;
use crate::time::{RunningTimerChoice, TimerTarget};
use crate::validation::FieldErrors;
use crate::vault::Vault;

const MAX_NOTES_CHARS: usize = 20_000;

/// Starts a visit, or continues the one already open for this ticket and
/// appointment (a repeated click never makes a second visit or report). On
/// site, the visit's service report is created with it; a remote session
/// starts at once (its arrival and timer).
pub fn start_visit(db: &Db, start: &VisitStart, now: DateTime<Utc>) -> Result<VisitStarted, VisitError> {
    db.write(|tx| {
        let row: i64 = tx
            .query_row("SELECT row FROM tickets WHERE id = ?1", [start.ticket_id.to_string()], |r| r.get(0))
            .optional()?
            .ok_or(VisitError::TicketNotFound(start.ticket_id))?;
        let appointment_kind = match start.appointment_id {
            None => None,
            Some(appointment) => Some(
                tx.query_row(
                    "SELECT a.kind FROM appointments a JOIN appointment_tickets at ON at.appointment_id = a.id
                     WHERE a.id = ?1 AND at.ticket_row = ?2",
                    params![appointment.to_string(), row],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
                .ok_or(VisitError::AppointmentNotFound(appointment))?,
            ),
        };
        let open: Option<String> = tx
            .query_row(
                "SELECT id FROM visits WHERE ticket_row = ?1 AND coalesce(appointment_id, '') = ?2 AND closed_at IS NULL",
                params![row, start.appointment_id.map(|id| id.to_string()).unwrap_or_default()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = open.and_then(|id| Uuid::parse_str(&id).ok()) {
            return Ok(VisitStarted { visit: read_visit(tx, id)?, replaced: None });
        }
        let kind = match appointment_kind {
            Some(kind) => AppointmentKind::parse(&kind),
            None => start.kind.unwrap_or(AppointmentKind::OnSite),
        };
        let id = Uuid::new_v4();
        let report = match kind {
            AppointmentKind::OnSite => {
                Some(crate::reports::create_report_in(tx, start.ticket_id, start.appointment_id, now)?)
            }
            AppointmentKind::Remote => None,
        };
        tx.execute(
            "INSERT INTO visits (id, kind, ticket_row, appointment_id, report_id, started_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                id.to_string(),
                kind.as_str(),
                row,
                start.appointment_id.map(|a| a.to_string()),
                report.map(|r| r.to_string()),
                now
            ],
        )?;
        match kind {
            AppointmentKind::Remote => arrive_in(tx, id, start.if_running, now),
            AppointmentKind::OnSite => Ok(VisitStarted { visit: read_visit(tx, id)?, replaced: None }),
        }
    })
}

/// "Arrived": stamps the arrival on the visit and its report and starts the
/// timer on its ticket and appointment — one action. A timer already running
/// on this ticket keeps running; one on another ticket needs `if_running`.
pub fn arrive(
    db: &Db,
    visit_id: Uuid,
    if_running: Option<RunningTimerChoice>,
    now: DateTime<Utc>,
) -> Result<VisitStarted, VisitError> {
    db.write(|tx| arrive_in(tx, visit_id, if_running, now))
}

fn arrive_in(
    tx: &Transaction<'_>,
    visit_id: Uuid,
    if_running: Option<RunningTimerChoice>,
    now: DateTime<Utc>,
) -> Result<VisitStarted, VisitError> {
    let visit = open_visit(tx, visit_id)?;
    if visit.arrived_at.is_some() {
        return Ok(VisitStarted { visit, replaced: None });
    }
    tx.execute("UPDATE visits SET arrived_at = ?2, updated_at = ?2 WHERE id = ?1", params![visit_id.to_string(), now])?;
    if let Some(report) = visit.report_id {
        tx.execute(
            "UPDATE service_reports SET arrived_at = coalesce(arrived_at, ?2), updated_at = ?2
             WHERE id = ?1 AND state <> 'sealed'",
            params![report.to_string(), now],
        )?;
    }
    let me = crate::time::me(tx)?;
    let running = crate::time::read_timer(tx, me, now)?;
    let replaced = match running {
        Some(timer) if timer.ticket_id == visit.ticket_id => {
            if !timer.running {
                tx.execute(
                    "UPDATE timers SET running_since = ?2 WHERE resource_id = ?1 AND running_since IS NULL",
                    params![me.to_string(), now],
                )?;
            }
            None
        }
        _ => {
            let target = TimerTarget { ticket_id: visit.ticket_id, appointment_id: visit.appointment_id };
            crate::time::start_in(tx, &target, if_running, now)?.replaced
        }
    };
    Ok(VisitStarted { visit: read_visit(tx, visit_id)?, replaced })
}

/// Autosave of the work: the notes (on site also the report's work text)
/// and the parts on the report.
pub fn save_work(db: &Db, work: &VisitWork, now: DateTime<Utc>) -> Result<Visit, VisitError> {
    let mut errors = FieldErrors::default();
    let notes = errors.text("notes", &work.notes, false, MAX_NOTES_CHARS);
    let mut parts = crate::reports::checked_parts(&mut errors, &work.parts);
    errors.into_result().map_err(VisitError::Invalid)?;
    db.write(|tx| {
        let visit = open_visit(tx, work.visit_id)?;
        tx.execute(
            "UPDATE visits SET notes = ?2, updated_at = ?3 WHERE id = ?1",
            params![work.visit_id.to_string(), notes, now],
        )?;
        if let Some(report) = visit.report_id {
            if visit.report_sealed {
                return Err(VisitError::Report(ReportError::Sealed));
            }
            crate::reports::name_stock_lines(tx, &mut parts)?;
            tx.execute(
                "UPDATE service_reports SET work_performed = ?2, parts = ?3, updated_at = ?4 WHERE id = ?1",
                params![report.to_string(), notes, serde_json::to_string(&parts).unwrap_or_else(|_| "[]".into()), now],
            )?;
        }
        read_visit(tx, work.visit_id)
    })
}

/// "Document a change" inside the visit: the change record (its secret
/// encrypted, as anywhere), linked to the visit and posted to the ticket as
/// an internal note (without the secret) — one transaction.
pub fn document_change(
    db: &Db,
    vault: &Vault,
    visit_id: Uuid,
    draft: &ChangeDraft,
    now: DateTime<Utc>,
) -> Result<Visit, VisitError> {
    let visit = db.read(|connection| read_visit(connection, visit_id))?;
    if visit.closed_at.is_some() {
        return Err(VisitError::Closed);
    }
    let device: Option<Uuid> = db.read(|connection| {
        connection
            .query_row("SELECT device_id FROM tickets WHERE id = ?1", [visit.ticket_id.to_string()], |r| {
                r.get::<_, Option<String>>(0)
            })
            .map(|id| id.and_then(|id| Uuid::parse_str(&id).ok()))
    })?;
    let draft = ChangeDraft {
        customer_id: visit.customer_id,
        ticket_id: Some(visit.ticket_id),
        device_id: draft.device_id.or(device),
        ..draft.clone()
    };
    let ticket_id = visit.ticket_id;
    crate::changes::save_change_with(db, vault, &draft, now, |tx, record| {
        tx.execute(
            "INSERT OR IGNORE INTO visit_changes (visit_id, record_id) VALUES (?1, ?2)",
            params![visit_id.to_string(), record.record_id.to_string()],
        )?;
        tx.execute("UPDATE visits SET updated_at = ?2 WHERE id = ?1", params![visit_id.to_string(), now])?;
        let body = crate::changes::note_text(record);
        crate::tickets::write_note_in(tx, ticket_id, &body, false, now).map_err(|error| match error {
            crate::tickets::TicketError::Db(db) => ChangeError::Db(db),
            other => ChangeError::Ticket(other.to_string()),
        })?;
        Ok(())
    })
    .map_err(|error| match error {
        ChangeError::Invalid(fields) => VisitError::Invalid(fields),
        ChangeError::Db(db) => VisitError::Db(db),
        ChangeError::Vault(vault) => VisitError::Report(ReportError::Vault(vault)),
        other => VisitError::Change(other.to_string()),
    })?;
    crate::tickets::catch_up_search(db)?;
    db.read(|connection| read_visit(connection, visit_id))
}

/// "Leaving": the departure stamp on the visit and its report; the timer
/// pauses (the time entry of the close-out ends it).
pub fn leave(db: &Db, visit_id: Uuid, now: DateTime<Utc>) -> Result<Visit, VisitError> {
    db.write(|tx| {
        let visit = open_visit(tx, visit_id)?;
        if visit.arrived_at.is_none() {
            return Err(VisitError::NotArrived);
        }
        if visit.departed_at.is_some() {
            return Ok(visit);
        }
        tx.execute(
            "UPDATE visits SET departed_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![visit_id.to_string(), now],
        )?;
        if let Some(report) = visit.report_id {
            tx.execute(
                "UPDATE service_reports SET departed_at = ?2, updated_at = ?2 WHERE id = ?1 AND state <> 'sealed'",
                params![report.to_string(), now],
            )?;
        }
        let me = crate::time::me(tx)?;
        if crate::time::read_timer(tx, me, now)?.is_some_and(|timer| timer.ticket_id == visit.ticket_id) {
            crate::time::pause_in(tx, me, now)?;
        }
        read_visit(tx, visit_id)
    })
}

/// The visit, refused when closed.
pub(super) fn open_visit(tx: &Transaction<'_>, visit_id: Uuid) -> Result<Visit, VisitError> {
    let visit = read_visit(tx, visit_id)?;
    if visit.closed_at.is_some() {
        return Err(VisitError::Closed);
    }
    Ok(visit)
}
