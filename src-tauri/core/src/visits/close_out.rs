//! The close-out: summary, departure, signature and seal, the ticket's next
//! status, and the time entry — saved with one click.
//!
//! Sealing is its own transaction (it renders, signs and records the PDF and
//! queues it to the ticket); the status, its notes, the time entry and the
//! visit's end are one more. Each step is recorded as it is done, so a
//! close-out interrupted between the two resumes with what is left, never
//! doing a step twice.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use uuid::Uuid;

use super::flow::open_visit;
use super::store::read_visit;
use super::{CloseOut, CloseOutPrefill, Visit, VisitError, VisitOutcome};
use crate::db::Db;
use crate::picklists::{meaning, PicklistKind};
use crate::tickets::AppointmentKind;
use crate::time::TimeEntryDraft;
use crate::validation::FieldErrors;
use crate::vault::Vault;

const MAX_SUMMARY_CHARS: usize = 8000;

/// The close-out as it opens: the summary from the work notes, the changes
/// and the parts; the time from arrival to departure (now, before leaving).
pub fn close_out_prefill(db: &Db, visit_id: Uuid, now: DateTime<Utc>) -> Result<CloseOutPrefill, VisitError> {
    db.read(|connection| {
        let visit = read_visit(connection, visit_id)?;
        let start_at = visit.arrived_at.unwrap_or(visit.started_at);
        let end_at = visit.departed_at.unwrap_or(now).max(start_at + Duration::minutes(1));
        let (work_type, billable) = crate::time::default_work_type(connection, visit.kind == AppointmentKind::OnSite)?;
        Ok(CloseOutPrefill {
            summary: summary_of(&visit),
            start_at,
            end_at,
            work_type,
            billable,
            internal_notes: visit
                .changes
                .iter()
                .map(|change| format!("Change documented: {}", change.title))
                .collect::<Vec<_>>()
                .join("\n"),
        })
    })
}

fn summary_of(visit: &Visit) -> String {
    let mut parts = vec![visit.notes.trim().to_string()];
    if !visit.changes.is_empty() {
        let lines: Vec<String> = visit.changes.iter().map(|change| format!("- {}", change.title)).collect();
        parts.push(format!("Changes documented:\n{}", lines.join("\n")));
    }
    if !visit.parts.is_empty() {
        let lines: Vec<String> =
            visit.parts.iter().map(|line| format!("- {} × {}", line.quantity, line.item)).collect();
        parts.push(format!("Parts used:\n{}", lines.join("\n")));
    }
    parts.retain(|part| !part.is_empty());
    parts.join("\n\n")
}

/// Closes the visit: on site the summary and departure go on the report and
/// it is sealed with the signature (which queues the signed PDF to the
/// ticket); then the ticket's status (with the follow-up or remote note),
/// the time entry and the visit's end, in one transaction. Closing a closed
/// visit again returns it unchanged.
pub fn close_visit(db: &Db, vault: &Vault, close: &CloseOut, now: DateTime<Utc>) -> Result<Visit, VisitError> {
    let visit = db.read(|connection| read_visit(connection, close.visit_id))?;
    if visit.closed_at.is_some() {
        return Ok(visit);
    }
    let mut errors = FieldErrors::default();
    let summary = errors.text("summary", &close.summary, true, MAX_SUMMARY_CHARS);
    let follow_up = errors.text("follow_up_what", &close.follow_up_what, close.outcome == VisitOutcome::FollowUp, 2000);
    let internal = errors.text("internal_notes", &close.internal_notes, false, MAX_SUMMARY_CHARS);
    if visit.arrived_at.is_none() {
        errors.add("arrived_at", "Arrive first: the visit's time starts with the arrival.");
    }
    match visit.kind {
        AppointmentKind::Remote if close.confirmed_working.is_none() => {
            errors.add("confirmed_working", "Say whether the user confirmed that it works.");
        }
        AppointmentKind::OnSite if close.signature.is_none() && !visit.report_sealed => {
            errors.add(
                "strokes",
                "The customer has not signed yet: ask them to sign, or say why no signature could be had.",
            );
        }
        _ => {}
    }
    if close.end_at <= close.start_at {
        errors.add("end_at", "The end must be after the start.");
    }
    errors.into_result().map_err(VisitError::Invalid)?;

    // 1. On site: the summary and departure on the report, then the seal.
    if let (Some(report), false) = (visit.report_id, visit.report_sealed) {
        db.write(|tx| -> Result<(), VisitError> {
            open_visit(tx, close.visit_id)?;
            tx.execute(
                "UPDATE visits SET departed_at = coalesce(departed_at, ?2), updated_at = ?2 WHERE id = ?1",
                params![close.visit_id.to_string(), now],
            )?;
            tx.execute(
                "UPDATE service_reports SET work_performed = ?2, follow_up_needed = ?3, follow_up_what = ?4,
                     departed_at = coalesce(departed_at, ?5), updated_at = ?5
                 WHERE id = ?1 AND state <> 'sealed'",
                params![report.to_string(), summary, close.outcome == VisitOutcome::FollowUp, follow_up, now],
            )?;
            Ok(())
        })?;
        if let Some(signature) = &close.signature {
            crate::reports::seal_report(db, vault, report, signature, now)?;
        }
    }

    // 2. The ticket's status and notes, the time entry, the end.
    db.write(|tx| {
        let visit = read_visit(tx, close.visit_id)?;
        if visit.closed_at.is_some() {
            return Ok(visit);
        }
        let status_set: bool = tx.query_row(
            "SELECT status_set_at IS NOT NULL FROM visits WHERE id = ?1",
            [close.visit_id.to_string()],
            |r| r.get(0),
        )?;
        if !status_set {
            let wanted = match close.outcome {
                VisitOutcome::Complete => meaning::STATUS_COMPLETE,
                VisitOutcome::FollowUp => meaning::STATUS_FOLLOW_UP_NEEDED,
                VisitOutcome::WaitingCustomer => meaning::STATUS_WAITING_CUSTOMER,
            };
            let status = crate::picklists::value_with_meaning(tx, PicklistKind::Status, wanted)?.ok_or_else(|| {
                VisitError::Invalid(crate::error::one_field(
                    "outcome",
                    "The PSA has no status for this outcome: choose another, or set the status on the ticket.",
                ))
            })?;
            if visit.kind == AppointmentKind::Remote {
                let confirmed = if close.confirmed_working == Some(true) { "yes" } else { "no" };
                let body = format!("Remote session closed.\nConfirmed with the user that it works: {confirmed}.");
                crate::tickets::write_note_in(tx, visit.ticket_id, &body, false, now)?;
            }
            if close.outcome == VisitOutcome::FollowUp {
                crate::tickets::write_note_in(tx, visit.ticket_id, &format!("Follow-up needed: {follow_up}"), false, now)?;
            }
            crate::tickets::change_status_in(tx, visit.ticket_id, status, now)?;
            tx.execute(
                "UPDATE visits SET outcome = ?2, confirmed_working = ?3, status_set_at = ?4, updated_at = ?4 WHERE id = ?1",
                params![close.visit_id.to_string(), close.outcome.as_str(), close.confirmed_working, now],
            )?;
        }
        if visit.time_entry_id.is_none() {
            let me = crate::time::me(tx)?;
            let from_timer = crate::time::read_timer(tx, me, now)?.is_some_and(|timer| timer.ticket_id == visit.ticket_id);
            let draft = TimeEntryDraft {
                id: None,
                ticket_id: visit.ticket_id,
                ticket_number: visit.ticket_number.clone(),
                appointment_id: visit.appointment_id,
                start_at: close.start_at,
                end_at: close.end_at,
                work_type: close.work_type,
                billable: close.billable,
                summary_notes: summary.clone(),
                internal_notes: internal.clone(),
                split_at_midnight: true,
                from_timer,
            };
            let saved = crate::time::save_time_entry_in(tx, &draft, now)?;
            let entry = saved.entries.first().map(|entry| entry.id.to_string());
            tx.execute(
                "UPDATE visits SET time_entry_id = ?2 WHERE id = ?1",
                params![close.visit_id.to_string(), entry],
            )?;
        }
        tx.execute(
            "UPDATE visits SET departed_at = coalesce(departed_at, ?2), closed_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![close.visit_id.to_string(), now],
        )?;
        read_visit(tx, close.visit_id)
    })
    .inspect(|_| {
        let _ = crate::tickets::catch_up_search(db);
    })
}
