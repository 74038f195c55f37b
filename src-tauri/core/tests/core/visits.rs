//! Visits: the guided on-site visit and remote session, against a real
//! SQLite file with the sample data.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Timelike, Utc};
use fieldkit_core::changes::{ChangeCategory, ChangeDraft};
use fieldkit_core::outbox::list_in_state;
use fieldkit_core::reports::{verify_report, PartLine, SignatureInput};
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::tickets::AppointmentKind;
use fieldkit_core::time::current_timer;
use fieldkit_core::vault::Vault;
use fieldkit_core::visits::{
    arrive, close_out_prefill, close_visit, document_change, get_visit, leave, open_visits, save_work, start_visit,
    CloseOut, VisitError, VisitOutcome, VisitStart, VisitStep,
};
use fieldkit_core::Db;
use uuid::Uuid;

use super::reports::signature_strokes;

const SECRET: &str = "Tr0ub4dor&3-visit";

/// "Now" for these tests: the real time, or four hours earlier when a
/// visit of the next three hours would cross midnight UTC (a time entry may
/// not, so the close-out would split it and the counts would differ).
fn test_now() -> DateTime<Utc> {
    let now = Utc::now();
    if now.hour() >= 21 {
        now - Duration::hours(4)
    } else {
        now
    }
}

fn setup(dir: &std::path::Path) -> (Db, Vault) {
    let db = Db::open(&dir.join("fieldkit.db")).unwrap();
    load_sample_data(&db, 1, test_now()).unwrap();
    let vault = Vault::default();
    vault.set_up(&db, Some("correct horse battery staple")).unwrap();
    (db, vault)
}

/// An on-site appointment of mine and its first ticket.
fn on_site_appointment(db: &Db) -> (Uuid, Uuid) {
    let (appointment, ticket): (String, String) = db
        .read(|c| {
            c.query_row(
                "SELECT a.id, t.id FROM appointments a
                 JOIN appointment_tickets at ON at.appointment_id = a.id
                 JOIN tickets t ON t.row = at.ticket_row
                 WHERE a.kind = 'on_site' AND t.completed_at IS NULL ORDER BY a.start_at LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .unwrap();
    (Uuid::parse_str(&appointment).unwrap(), Uuid::parse_str(&ticket).unwrap())
}

fn stock_item(db: &Db) -> Uuid {
    let id: String = db
        .read(|c| c.query_row("SELECT id FROM stock_items WHERE on_hand >= 2 ORDER BY name LIMIT 1", [], |r| r.get(0)))
        .unwrap();
    Uuid::parse_str(&id).unwrap()
}

fn password_change() -> ChangeDraft {
    let mut fields = BTreeMap::new();
    fields.insert("system".to_string(), "Front desk PC local admin".to_string());
    fields.insert("vault_reference".to_string(), "IT Glue → Front desk".to_string());
    ChangeDraft {
        correcting: None,
        customer_id: Uuid::nil(),
        site_id: None,
        device_id: None,
        ticket_id: None,
        category: ChangeCategory::PasswordChange,
        summary: "Reset the local admin password".into(),
        fields,
        secret: Some(SECRET.into()),
    }
}

fn signature() -> SignatureInput {
    SignatureInput {
        strokes: signature_strokes(),
        signer_name: "Dana Reyes".into(),
        signer_title: "Office manager".into(),
        no_signature_reason: String::new(),
        record_anyway: true,
        paper: None,
    }
}

/// The outbox entries (entity, operation) written since `after`.
fn outbox_since(db: &Db, after: usize) -> Vec<(String, String, String)> {
    list_in_state(db, "pending")
        .unwrap()
        .into_iter()
        .skip(after)
        .map(|entry| (entry.entity, entry.operation, entry.payload))
        .collect()
}

#[test]
fn an_on_site_visit_from_arrival_to_a_sealed_synced_close_out() {
    let dir = tempfile::tempdir().unwrap();
    let (db, vault) = setup(dir.path());
    let (appointment, ticket) = on_site_appointment(&db);
    let before = list_in_state(&db, "pending").unwrap().len();
    let t0 = test_now();
    let start = VisitStart { ticket_id: ticket, appointment_id: Some(appointment), kind: None, if_running: None };

    let visit = start_visit(&db, &start, t0).unwrap().visit;
    assert_eq!(visit.kind, AppointmentKind::OnSite);
    assert_eq!(visit.step, VisitStep::Before);
    let report = visit.report_id.expect("an on-site visit has its report");
    // A repeated click continues the same visit and report.
    let again = start_visit(&db, &start, t0 + Duration::seconds(5)).unwrap().visit;
    assert_eq!((again.id, again.report_id), (visit.id, Some(report)));
    let reports: i64 = db.read(|c| c.query_row("SELECT count(*) FROM service_reports", [], |r| r.get(0))).unwrap();
    assert_eq!(reports, 1);

    // Arrive: the stamp on the report and the timer, in one action.
    let arrived = arrive(&db, visit.id, None, t0 + Duration::minutes(1)).unwrap().visit;
    assert_eq!(arrived.step, VisitStep::During);
    let timer = current_timer(&db, t0 + Duration::minutes(2)).unwrap().expect("the timer runs");
    assert_eq!((timer.ticket_id, timer.appointment_id), (ticket, Some(appointment)));
    let report_row = fieldkit_core::reports::get_report(&db, report).unwrap();
    assert_eq!(report_row.arrived_at, arrived.arrived_at);

    // Work notes and two parts autosave into the report.
    let item = stock_item(&db);
    let worked = save_work(
        &db,
        &fieldkit_core::visits::VisitWork {
            visit_id: visit.id,
            notes: "Replaced the patch cables behind the front desk.".into(),
            parts: vec![PartLine { item: String::new(), quantity: 2, item_id: Some(item) }],
        },
        t0 + Duration::minutes(20),
    )
    .unwrap();
    assert_eq!(worked.parts.len(), 1);
    assert!(!worked.parts[0].item.is_empty(), "a stock line carries the item's name");
    assert_eq!(
        fieldkit_core::reports::get_report(&db, report).unwrap().work_performed,
        "Replaced the patch cables behind the front desk."
    );

    // A password change documented inline: linked, posted to the ticket, secret kept out.
    let documented = document_change(&db, &vault, visit.id, &password_change(), t0 + Duration::minutes(30)).unwrap();
    assert_eq!(documented.changes.len(), 1);
    assert!(documented.changes[0].title.contains("Reset the local admin password"));

    let left = leave(&db, visit.id, t0 + Duration::minutes(50)).unwrap();
    assert_eq!(left.step, VisitStep::CloseOut);
    let prefill = close_out_prefill(&db, visit.id, t0 + Duration::minutes(51)).unwrap();
    assert!(prefill.summary.contains("Replaced the patch cables"));
    assert!(prefill.summary.contains("Reset the local admin password"));
    assert!(prefill.summary.contains("2 ×"));
    assert_eq!(prefill.start_at, t0 + Duration::minutes(1));
    assert_eq!(prefill.end_at, t0 + Duration::minutes(50));
    assert!(prefill.internal_notes.contains("Reset the local admin password"));

    let close = CloseOut {
        visit_id: visit.id,
        summary: prefill.summary.clone(),
        outcome: VisitOutcome::Complete,
        follow_up_what: String::new(),
        confirmed_working: None,
        signature: Some(signature()),
        start_at: prefill.start_at,
        end_at: prefill.end_at,
        work_type: prefill.work_type,
        billable: prefill.billable,
        internal_notes: prefill.internal_notes.clone(),
    };
    let closed = close_visit(&db, &vault, &close, t0 + Duration::minutes(52)).unwrap();
    assert_eq!(closed.step, VisitStep::Closed);
    assert!(closed.report_sealed && closed.time_entry_id.is_some());
    assert_eq!(closed.outcome, Some(VisitOutcome::Complete));
    assert!(current_timer(&db, t0 + Duration::minutes(53)).unwrap().is_none(), "the time entry ends the timer");
    assert!(verify_report(&db, Some(&vault), report).unwrap().ok);
    assert!(open_visits(&db).unwrap().is_empty());

    // The outbox: the change's note, the signed PDF, the status, the time entry — once each, in order.
    let written = outbox_since(&db, before);
    let kinds: Vec<&str> = written.iter().map(|(entity, _, _)| entity.as_str()).collect();
    assert_eq!(kinds, ["TicketNote", "TicketAttachment", "Ticket", "TimeEntry"], "{written:?}");
    for (_, _, payload) in &written {
        assert!(!payload.contains(SECRET), "no secret reaches the PSA");
    }
    // Closing again (a double click, a retry) changes nothing.
    let again = close_visit(&db, &vault, &close, t0 + Duration::minutes(54)).unwrap();
    assert_eq!(again.closed_at, closed.closed_at);
    assert_eq!(outbox_since(&db, before).len(), 4);
    // A new visit on the same appointment is a new visit with a new report.
    let next = start_visit(&db, &start, t0 + Duration::minutes(60)).unwrap().visit;
    assert_ne!(next.id, visit.id);
    assert_ne!(next.report_id, Some(report));
}

#[test]
fn a_remote_session_starts_its_timer_at_once_and_records_the_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let (db, vault) = setup(dir.path());
    let (_, ticket) = on_site_appointment(&db);
    let t0 = test_now();
    let started = start_visit(
        &db,
        &VisitStart { ticket_id: ticket, appointment_id: None, kind: Some(AppointmentKind::Remote), if_running: None },
        t0,
    )
    .unwrap();
    let visit = started.visit;
    assert_eq!((visit.kind, visit.step), (AppointmentKind::Remote, VisitStep::During));
    assert!(visit.report_id.is_none());
    assert_eq!(current_timer(&db, t0).unwrap().unwrap().ticket_id, ticket);
    save_work(
        &db,
        &fieldkit_core::visits::VisitWork {
            visit_id: visit.id,
            notes: "Cleared the print spooler.".into(),
            parts: vec![],
        },
        t0 + Duration::minutes(5),
    )
    .unwrap();
    let prefill = close_out_prefill(&db, visit.id, t0 + Duration::minutes(15)).unwrap();
    let before = list_in_state(&db, "pending").unwrap().len();
    let mut close = CloseOut {
        visit_id: visit.id,
        summary: prefill.summary.clone(),
        outcome: VisitOutcome::Complete,
        follow_up_what: String::new(),
        confirmed_working: None,
        signature: None,
        start_at: prefill.start_at,
        end_at: prefill.end_at,
        work_type: prefill.work_type,
        billable: prefill.billable,
        internal_notes: String::new(),
    };
    match close_visit(&db, &vault, &close, t0 + Duration::minutes(15)) {
        Err(VisitError::Invalid(fields)) => assert_eq!(fields[0].field, "confirmed_working"),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(list_in_state(&db, "pending").unwrap().len(), before, "a refused close-out writes nothing");
    close.confirmed_working = Some(true);
    let closed = close_visit(&db, &vault, &close, t0 + Duration::minutes(16)).unwrap();
    assert_eq!(closed.step, VisitStep::Closed);
    let written = outbox_since(&db, before);
    let kinds: Vec<&str> = written.iter().map(|(entity, _, _)| entity.as_str()).collect();
    assert_eq!(kinds, ["TicketNote", "Ticket", "TimeEntry"]);
    assert!(written[0].2.contains("Confirmed with the user that it works: yes"));
    assert!(written[2].2.contains("Cleared the print spooler."));
}

#[test]
fn a_close_out_interrupted_after_the_seal_resumes_without_doing_a_step_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (db, vault) = setup(dir.path());
    let (appointment, ticket) = on_site_appointment(&db);
    let t0 = test_now();
    let visit = start_visit(
        &db,
        &VisitStart { ticket_id: ticket, appointment_id: Some(appointment), kind: None, if_running: None },
        t0,
    )
    .unwrap()
    .visit;
    arrive(&db, visit.id, None, t0).unwrap();
    // The tenant has no "waiting customer" status: the second step fails after the seal.
    db.write(|tx| tx.execute("UPDATE picklist_values SET meaning = NULL WHERE meaning = 'waiting_customer'", []))
        .unwrap();
    let before = list_in_state(&db, "pending").unwrap().len();
    let mut close = CloseOut {
        visit_id: visit.id,
        summary: "Checked the backup NAS.".into(),
        outcome: VisitOutcome::WaitingCustomer,
        follow_up_what: String::new(),
        confirmed_working: None,
        signature: Some(signature()),
        start_at: t0,
        end_at: t0 + Duration::minutes(30),
        work_type: close_out_prefill(&db, visit.id, t0).unwrap().work_type,
        billable: true,
        internal_notes: String::new(),
    };
    match close_visit(&db, &vault, &close, t0 + Duration::minutes(31)) {
        Err(VisitError::Invalid(fields)) => assert_eq!(fields[0].field, "outcome"),
        other => panic!("expected the outcome refused, got {other:?}"),
    }
    let half = get_visit(&db, visit.id).unwrap();
    assert!(half.report_sealed && half.closed_at.is_none() && half.time_entry_id.is_none());
    // The technician picks another outcome: the close-out finishes, the seal is not redone.
    close.outcome = VisitOutcome::FollowUp;
    close.follow_up_what = "Replace the NAS's failing disk.".into();
    let closed = close_visit(&db, &vault, &close, t0 + Duration::minutes(32)).unwrap();
    assert_eq!(closed.step, VisitStep::Closed);
    let kinds: Vec<String> = outbox_since(&db, before).into_iter().map(|(entity, _, _)| entity).collect();
    assert_eq!(kinds, ["TicketAttachment", "TicketNote", "Ticket", "TimeEntry"]);
}

#[test]
fn a_visit_for_an_unknown_ticket_or_appointment_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _vault) = setup(dir.path());
    let (appointment, ticket) = on_site_appointment(&db);
    let unknown = Uuid::new_v4();
    assert!(matches!(
        start_visit(
            &db,
            &VisitStart { ticket_id: unknown, appointment_id: None, kind: None, if_running: None },
            test_now()
        ),
        Err(VisitError::TicketNotFound(_))
    ));
    assert!(matches!(
        start_visit(
            &db,
            &VisitStart { ticket_id: ticket, appointment_id: Some(unknown), kind: None, if_running: None },
            test_now()
        ),
        Err(VisitError::AppointmentNotFound(_))
    ));
    let (visits, reports): (i64, i64) = db
        .read(|c| {
            c.query_row("SELECT (SELECT count(*) FROM visits), (SELECT count(*) FROM service_reports)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
        })
        .unwrap();
    assert_eq!((visits, reports), (0, 0));
    let _ = appointment;
}
