//! The chaos test against the Halo stand-in: 1,000+ operations made
//! offline (notes, time entries, status changes, tickets raised with their
//! notes, appointments), pushed with a fifth of the requests faulted and
//! the first eight cycles cut off midway — a crash as the next process sees it: the outbox
//! claims committed, the connector and its memory gone — then resumed with
//! a new connector. Each operation arrives exactly once, in order, and the
//! cache equals the stand-in.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use fieldkit_core::sync::autotask::RetryPolicy;
use fieldkit_core::sync::halopsa::{Endpoint, HaloPsa};
use fieldkit_core::sync::{self, Scope, SyncProgress};
use fieldkit_core::tickets::{add_note, change_status, NoteDraft};
use fieldkit_core::time::{save_time_entry, TimeEntryDraft};
use fieldkit_core::Db;
use fieldkit_standin::halo::{HaloStandin, CLIENT_ID, CLIENT_SECRET};
use fieldkit_standin::{Faults, Seed};
use serde_json::Value;
use uuid::Uuid;

fn connector(standin: &HaloStandin) -> HaloPsa {
    HaloPsa::new(
        Endpoint {
            url: standin.base_url(),
            auth_url: String::new(),
            tenant: String::new(),
            client_id: CLIENT_ID.into(),
            secret: zeroize::Zeroizing::new(CLIENT_SECRET.into()),
        },
        RetryPolicy { attempts: 6, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(40) },
    )
    .expect("connector")
}

fn scope(standin: &HaloStandin, now: DateTime<Utc>) -> Scope {
    let me = standin
        .snapshot("Agent")
        .iter()
        .find(|a| a["firstname"] == "Alex" && a["surname"] == "Morgan")
        .and_then(|a| a["id"].as_i64())
        .expect("Alex Morgan");
    Scope { me, queues: vec![29683], calls_since: now - chrono::Duration::days(30), extra_tickets: Vec::new() }
}

fn count(db: &Db, sql: &str) -> i64 {
    db.read(|c| c.query_row(sql, [], |r| r.get::<_, i64>(0))).unwrap()
}

fn psa_of(db: &Db, ticket: &Uuid) -> i64 {
    db.read(|c| c.query_row("SELECT psa_id FROM tickets WHERE id = ?1", [ticket.to_string()], |r| r.get(0))).unwrap()
}

fn note_text(action: &Value) -> &str {
    let note = action["note"].as_str().unwrap_or_default();
    note.split_once("\n\n").map(|(_, body)| body).unwrap_or(note)
}

#[test]
fn chaos_against_halo_every_operation_arrives_exactly_once() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let standin = HaloStandin::start(Seed::scaled(1), 0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
        let scope = scope(&standin, Utc::now());
        let progress = Mutex::new(SyncProgress::default());
        sync::run_cycle(&db, &connector(&standin), &scope, Utc::now(), false, &progress).await.expect("first sync");

        let tickets: Vec<Uuid> = db
            .read(|c| {
                c.prepare("SELECT id FROM tickets WHERE completed_at IS NULL ORDER BY psa_id LIMIT 20")?
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap()
            .iter()
            .map(|id| Uuid::parse_str(id).unwrap())
            .collect();
        assert_eq!(tickets.len(), 20);
        let start = (Utc::now() - chrono::Duration::days(2)).date_naive().and_hms_opt(8, 0, 0).unwrap().and_utc();
        let mut notes: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
        for (t, ticket) in tickets.iter().enumerate() {
            for n in 0..46 {
                let body = format!("Offline note {n} on ticket {t} ({})", Uuid::new_v4());
                add_note(
                    &db,
                    &NoteDraft { ticket_id: *ticket, body: body.clone(), is_customer_visible: n % 2 == 0 },
                    Utc::now(),
                )
                .unwrap();
                notes.entry(*ticket).or_default().push(body);
            }
            let number: String = db
                .read(|c| c.query_row("SELECT number FROM tickets WHERE id = ?1", [ticket.to_string()], |r| r.get(0)))
                .unwrap();
            let at = start + chrono::Duration::minutes(20 * t as i64);
            save_time_entry(
                &db,
                &TimeEntryDraft {
                    id: None,
                    ticket_id: *ticket,
                    ticket_number: number,
                    appointment_id: None,
                    start_at: at,
                    end_at: at + chrono::Duration::minutes(15),
                    work_type: 29682790,
                    billable: true,
                    summary_notes: format!("Worked on ticket {t}"),
                    internal_notes: String::new(),
                    split_at_midnight: true,
                    from_timer: false,
                },
                Utc::now(),
            )
            .unwrap();
            change_status(&db, *ticket, 8, Utc::now()).unwrap();
        }
        for (n, origin) in tickets.iter().enumerate() {
            let id = fieldkit_core::tickets::raise_noticed_ticket(
                &db,
                &fieldkit_core::tickets::NoticedTicketDraft {
                    noticed_on: *origin,
                    title: format!("Noticed {n}: UPS battery warning"),
                    description: "The UPS in the closet beeps.".into(),
                    i_can_handle_it: n % 2 == 0,
                    i_would_like_to_shadow: false,
                },
                Utc::now(),
            )
            .unwrap();
            add_note(
                &db,
                &NoteDraft { ticket_id: id, body: format!("Follow-up on noticed {n}"), is_customer_visible: false },
                Utc::now(),
            )
            .unwrap();
        }
        let booked_from = Utc::now() + chrono::Duration::days(3);
        for (n, ticket) in tickets.iter().take(10).enumerate() {
            fieldkit_core::tickets::schedule_appointment(
                &db,
                &fieldkit_core::tickets::AppointmentDraft {
                    ticket_id: *ticket,
                    kind: fieldkit_core::tickets::AppointmentKind::OnSite,
                    start_at: booked_from + chrono::Duration::hours(n as i64),
                    duration_minutes: 60,
                },
                Utc::now(),
            )
            .unwrap();
        }
        let operations = fieldkit_core::outbox::count_pending(&db).unwrap();
        assert!(operations >= 1000, "{operations} operations");
        let tickets_before = standin.snapshot("Tickets").len();
        let calls_before = standin.snapshot("Appointment").len();
        let actions_before = standin.snapshot("Actions").len();

        // A fifth of the requests faulted; the first eight cycles cut off
        // midway (a crash), each next one run by a new connector (a new process).
        standin.set_faults(Faults { latency_ms: 0, rate: 0.2, kinds: vec![], seed: 7 });
        let mut crashes = 0;
        let mut rounds = 0;
        while fieldkit_core::outbox::count_pending(&db).unwrap() > 0 {
            rounds += 1;
            assert!(
                rounds <= 80,
                "the outbox did not empty: {} left",
                fieldkit_core::outbox::count_pending(&db).unwrap()
            );
            let halo = connector(&standin);
            let run = sync::run_cycle(&db, &halo, &scope, Utc::now(), false, &progress);
            if rounds <= 8 {
                // Cut off at a different point each time: mid-pull, mid-push.
                if tokio::time::timeout(Duration::from_millis(250 * rounds as u64), run).await.is_err() {
                    crashes += 1;
                }
            } else {
                let _ = run.await;
            }
            let failed = fieldkit_core::outbox::list_failed(&db).unwrap();
            assert!(
                failed.is_empty(),
                "refused: {:?}",
                failed.iter().map(|f| (&f.summary, &f.last_error)).take(3).collect::<Vec<_>>()
            );
        }
        standin.set_faults(Faults::default());
        assert!(crashes >= 4, "cycles cut off midway: {crashes}");
        eprintln!("halo chaos: {operations} operations in {rounds} cycles, {crashes} cut off midway");

        // Exactly once, in order.
        let actions = standin.snapshot("Actions");
        let halo_tickets = standin.snapshot("Tickets");
        for (ticket, bodies) in &notes {
            let psa = psa_of(&db, ticket);
            let arrived: Vec<&str> = actions
                .iter()
                .filter(|a| a["ticket_id"].as_i64() == Some(psa))
                .map(note_text)
                .filter(|text| text.starts_with("Offline note"))
                .collect();
            assert_eq!(arrived, bodies.iter().map(String::as_str).collect::<Vec<_>>(), "notes of ticket {psa}");
            let status = halo_tickets.iter().find(|t| t["id"].as_i64() == Some(psa)).unwrap()["status_id"].clone();
            assert_eq!(status, Value::from(8));
        }
        let raised =
            halo_tickets.iter().filter(|t| t["summary"].as_str().is_some_and(|s| s.starts_with("Noticed "))).count();
        assert_eq!(raised, 20, "each raised ticket once");
        assert_eq!(halo_tickets.len(), tickets_before + 20);
        let follow_ups = actions.iter().filter(|a| note_text(a).starts_with("Follow-up on noticed")).count();
        assert_eq!(follow_ups, 20, "each follow-up note once");
        let times = actions
            .iter()
            .filter(|a| a["timetaken"].as_f64().unwrap_or(0.0) > 0.0 && note_text(a).starts_with("Worked on ticket"))
            .count();
        assert_eq!(times, 20, "each time entry once");
        assert_eq!(standin.snapshot("Appointment").len(), calls_before + 10, "each appointment once");
        assert!(standin.snapshot("Actions").len() >= actions_before + 20 * 46 + 20 + 20);

        // The cache equals the stand-in after a pull.
        sync::run_cycle(&db, &connector(&standin), &scope, Utc::now(), false, &progress).await.expect("final sync");
        assert_eq!(count(&db, "SELECT count(*) FROM tickets WHERE psa_id IS NULL"), 0);
        assert_eq!(count(&db, "SELECT count(*) FROM ticket_notes WHERE psa_id IS NULL"), 0);
        let local: Vec<i64> = db
            .read(|c| {
                c.prepare("SELECT psa_id FROM tickets WHERE psa_id IS NOT NULL")?
                    .query_map([], |r| r.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap();
        let in_scope = actions.iter().filter(|a| local.contains(&a["ticket_id"].as_i64().unwrap_or(-1))).count();
        assert_eq!(
            count(&db, "SELECT count(*) FROM ticket_notes"),
            in_scope as i64,
            "every action of a cached ticket, once"
        );
        standin.stop().await;
    });
}
