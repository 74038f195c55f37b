//! The sync engine and the Autotask connector against the stand-in, over
//! real HTTP: conformance of every call, exactly-once pushing under injected
//! faults, garbage answers, and conflicts.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use fieldkit_core::sync::autotask::{Autotask, Endpoint, RetryPolicy};
use fieldkit_core::sync::{self, Choice, Connector, Kind, Scope, Selection, SyncError, SyncProgress, SyncReport};
use fieldkit_core::tickets::{add_note, change_status, NoteDraft};
use fieldkit_core::time::{save_time_entry, TimeEntryDraft};
use fieldkit_core::Db;
use fieldkit_standin::{FaultKind, Faults, Seed, Standin};
use serde_json::Value;
use uuid::Uuid;

fn connector(standin: &Standin) -> Autotask {
    let credentials = standin.credentials();
    Autotask::new(
        Endpoint {
            discovery_url: standin.base_url(),
            api_user: credentials.api_user,
            integration_code: credentials.integration_code,
            secret: zeroize::Zeroizing::new(credentials.secret),
        },
        // Quick retries: the tests inject many faults.
        RetryPolicy { attempts: 6, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(40) },
    )
    .expect("connector")
}

/// The first sample technician, as the stand-in knows them.
fn me(standin: &Standin) -> i64 {
    standin
        .snapshot("Resources")
        .iter()
        .find(|r| r["firstName"] == "Alex" && r["lastName"] == "Morgan")
        .and_then(|r| r["id"].as_i64())
        .expect("Alex Morgan in the stand-in")
}

fn scope(standin: &Standin, now: DateTime<Utc>) -> Scope {
    Scope {
        me: me(standin),
        queues: vec![29683],
        calls_since: now - chrono::Duration::days(30),
        extra_tickets: Vec::new(),
    }
}

async fn cycle(db: &Arc<Db>, connector: &Autotask, scope: &Scope) -> Result<SyncReport, SyncError> {
    sync::run_cycle(db, connector, scope, Utc::now(), false, &Mutex::new(SyncProgress::default())).await
}

/// Runs cycles until the outbox is empty (or `limit` cycles).
async fn converge(db: &Arc<Db>, connector: &Autotask, scope: &Scope, limit: usize) -> usize {
    for round in 1..=limit {
        let outcome = cycle(db, connector, scope).await;
        if std::env::var("SYNC_DEBUG").is_ok() {
            eprintln!(
                "cycle {round}: {:?}",
                outcome.as_ref().map(|r| (r.pushed, r.waiting, r.failed)).map_err(|e| e.to_string())
            );
        }
        let pending = fieldkit_core::outbox::count_pending(db).unwrap();
        let failed = fieldkit_core::outbox::list_failed(db).unwrap();
        assert!(
            failed.is_empty(),
            "refused: {:?}",
            failed.iter().map(|f| (&f.summary, &f.last_error)).take(3).collect::<Vec<_>>()
        );
        if pending == 0 {
            return round;
        }
    }
    let left = fieldkit_core::outbox::list_pending(db).unwrap();
    let sample: Vec<(String, Option<String>)> =
        left.iter().take(4).map(|e| (e.summary.clone(), e.last_error.clone())).collect();
    panic!("the outbox did not empty in {limit} cycles: {} left, such as {sample:?}", left.len());
}

fn count(db: &Db, sql: &str) -> i64 {
    db.read(|c| c.query_row(sql, [], |r| r.get::<_, i64>(0))).unwrap()
}

fn psa_ids(db: &Db, sql: &str) -> Vec<i64> {
    db.read(|c| c.prepare(sql)?.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()).unwrap()
}

/// The stand-in's tickets in my scope: my queue, mine, or me as secondary resource.
fn scoped_tickets(standin: &Standin, scope: &Scope) -> Vec<i64> {
    let secondary: Vec<i64> = standin
        .snapshot("TicketSecondaryResources")
        .iter()
        .filter(|r| r["resourceID"].as_i64() == Some(scope.me))
        .filter_map(|r| r["ticketID"].as_i64())
        .collect();
    let mut ids: Vec<i64> = standin
        .snapshot("Tickets")
        .iter()
        .filter(|t| {
            scope.queues.contains(&t["queueID"].as_i64().unwrap_or(-1))
                || t["assignedResourceID"].as_i64() == Some(scope.me)
                || secondary.contains(&t["id"].as_i64().unwrap_or(-1))
        })
        .filter_map(|t| t["id"].as_i64())
        .collect();
    ids.sort();
    ids
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn the_first_sync_fills_the_cache_and_a_quiet_one_costs_one_request_per_kind() {
    runtime().block_on(async {
        let standin = Standin::start(Seed::scaled(1), 0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
        let connector = connector(&standin);
        let scope = scope(&standin, Utc::now());
        let first = cycle(&db, &connector, &scope).await.expect("first sync");
        assert!(first.pushed == 0 && first.failed == 0);

        let expected = scoped_tickets(&standin, &scope);
        assert!(expected.len() > 20, "the sample has tickets in scope");
        assert_eq!(psa_ids(&db, "SELECT psa_id FROM tickets ORDER BY psa_id"), expected);
        let notes: Vec<i64> = standin
            .snapshot("TicketNotes")
            .iter()
            .filter(|n| expected.contains(&n["ticketID"].as_i64().unwrap_or(-1)))
            .filter_map(|n| n["id"].as_i64())
            .collect();
        assert_eq!(count(&db, "SELECT count(*) FROM ticket_notes"), notes.len() as i64);
        assert_eq!(count(&db, "SELECT count(*) FROM resources"), standin.snapshot("Resources").len() as i64);
        // Each resource's default service desk role, sent with their time and assignments.
        let role =
            standin.snapshot("ResourceServiceDeskRoles").into_iter().find(|r| r["resourceID"] == scope.me).unwrap();
        assert_eq!(
            count(&db, &format!("SELECT psa_role_id FROM resources WHERE psa_id = {}", scope.me)),
            role["roleID"].as_i64().unwrap()
        );
        assert_eq!(count(&db, "SELECT count(*) FROM resources WHERE psa_role_id IS NULL"), 0);
        assert_eq!(
            count(&db, "SELECT count(*) FROM customers WHERE psa_id IS NOT NULL"),
            standin.snapshot("Companies").len() as i64
        );
        assert!(count(&db, "SELECT count(*) FROM picklist_values WHERE kind = 'status'") >= 5);
        // Devices with an RMM agent (an RMM device id in the PSA) say so; the others do not.
        let items = standin.snapshot("ConfigurationItems");
        let with_agent: Vec<i64> =
            items.iter().filter(|d| d["rmmDeviceID"].as_i64().is_some()).filter_map(|d| d["id"].as_i64()).collect();
        assert!(!with_agent.is_empty() && with_agent.len() < items.len(), "the sample has devices of both kinds");
        let cached = psa_ids(&db, "SELECT psa_id FROM devices WHERE rmm_agent_installed = 1 ORDER BY psa_id");
        // Of the devices the cache holds (those of customers in scope), the ones with an agent.
        let mut expected_agents: Vec<i64> = with_agent
            .into_iter()
            .filter(|id| count(&db, &format!("SELECT count(*) FROM devices WHERE psa_id = {id}")) > 0)
            .collect();
        expected_agents.sort();
        assert!(!cached.is_empty());
        assert_eq!(cached, expected_agents, "devices with an RMM agent");
        // "Me" is the resource with my PSA id.
        let me_name: String = db
            .read(|c| {
                c.query_row(
                    "SELECT r.first_name FROM settings s JOIN resources r ON r.id = s.value WHERE s.key = 'me'",
                    [],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert_eq!(me_name, "Alex");
        // A ticket's fields as the PSA has them.
        let sample = standin.snapshot("Tickets").into_iter().find(|t| t["id"].as_i64() == Some(expected[0])).unwrap();
        let (number, title): (String, String) = db
            .read(|c| {
                c.query_row("SELECT number, title FROM tickets WHERE psa_id = ?1", [expected[0]], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
            })
            .unwrap();
        assert_eq!(
            (number.as_str(), title.as_str()),
            (sample["ticketNumber"].as_str().unwrap(), sample["title"].as_str().unwrap())
        );

        // Nothing changed: at most one request per kind (and a threshold check).
        let quiet = cycle(&db, &connector, &scope).await.expect("quiet sync");
        // resources, their roles, companies, contacts, devices, secondary (mine), tickets, notes, calls, time
        let kinds = 10;
        assert!(
            quiet.requests <= kinds + 1,
            "a quiet sync made {} requests: {:?}",
            quiet.requests,
            standin.requests_by_path()
        );
        standin.stop().await;
    });
}

#[test]
fn every_call_of_the_connector_conforms() {
    runtime().block_on(async {
        let standin = Standin::start(Seed::scaled(1), 0).await.unwrap();
        let connector = connector(&standin);
        let now = Utc::now();
        let scope = scope(&standin, now);
        assert!(connector.test_connection().await.unwrap().starts_with("Connected"));
        let picklists = connector.picklists().await.unwrap();
        assert!(picklists.iter().any(|v| v.kind == fieldkit_core::picklists::PicklistKind::Status));
        assert!(picklists.iter().any(|v| v.kind == fieldkit_core::picklists::PicklistKind::NoteType));
        for kind in Kind::ALL {
            let page = connector.pull(kind, &Selection::Changed { since: None }, &scope, None).await;
            let page = page.unwrap_or_else(|error| panic!("{kind:?}: {error}"));
            assert!(page.records.len() <= 500, "{kind:?} page too big");
            let ids = connector.pull(kind, &Selection::AllIds, &scope, None).await.unwrap();
            assert!(ids.records.iter().all(|r| r.as_object().is_some_and(|o| o.contains_key("id"))), "{kind:?}");
        }
        // Paging: every note, 500 a page, nextPageUrl POSTed.
        let all_notes = standin.snapshot("TicketNotes").len();
        let mut seen = 0;
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let page = connector.pull(Kind::Notes, &Selection::Changed { since: None }, &scope, cursor.as_deref()).await.unwrap();
            seen += page.records.len();
            pages += 1;
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, all_notes);
        assert_eq!(pages, all_notes.div_ceil(500).max(1));
        // Since a time: only what changed after it.
        let ticket = standin.snapshot("Tickets")[0].clone();
        let id = ticket["id"].as_i64().unwrap();
        standin.patch("Tickets", id, serde_json::json!({ "title": "Changed in the PSA" }));
        let changed = connector
            .pull(Kind::Tickets, &Selection::Children { parents: vec![id], since: Some(now - chrono::Duration::seconds(1)) }, &scope, None)
            .await
            .unwrap();
        assert_eq!(changed.records.len(), 1);

        // Creates: a note, found again by find_created; a refused time entry says why.
        let note = sync::PushOp {
            key: Uuid::new_v4(),
            entity: "TicketNote".into(),
            operation: "create".into(),
            target: Some(id),
            body: serde_json::json!({ "ticketID": id, "title": "Conformance", "description": "A note from the test.", "noteType": 1, "publish": 2 }),
            data: None,
        };
        assert_eq!(connector.find_created(&note).await.unwrap(), None);
        let made = connector.push(&note).await.unwrap();
        assert_eq!(connector.find_created(&note).await.unwrap(), Some(made));
        let bad = sync::PushOp {
            key: Uuid::new_v4(),
            entity: "TimeEntry".into(),
            operation: "create".into(),
            target: None,
            body: serde_json::json!({ "ticketID": id, "resourceID": scope.me, "startDateTime": "2026-11-20T10:00:00Z",
                                      "endDateTime": "2026-11-20T09:00:00Z", "hoursWorked": -1, "summaryNotes": "x" }),
            data: None,
        };
        match connector.push(&bad).await {
            Err(sync::PushFailure::Rejected(message)) => assert!(!message.is_empty()),
            other => panic!("expected a refusal, got {other:?}"),
        }
        standin.stop().await;
    });
}

/// Local work made offline: notes, status changes, time entries.
fn offline_work(db: &Db, tickets: &[Uuid], per_ticket: usize) -> BTreeMap<Uuid, Vec<String>> {
    let mut notes = BTreeMap::new();
    // 08:00 UTC two days ago: the entries (20 minutes apart) never cross
    // midnight UTC, where each would rightly be split in two.
    let start = (Utc::now() - chrono::Duration::days(2)).date_naive().and_hms_opt(8, 0, 0).unwrap().and_utc();
    let mut minute = 0;
    for (t, ticket) in tickets.iter().enumerate() {
        let mut bodies = Vec::new();
        for n in 0..per_ticket {
            let body = format!("Offline note {n} on ticket {t} ({})", Uuid::new_v4());
            add_note(
                db,
                &NoteDraft { ticket_id: *ticket, body: body.clone(), is_customer_visible: n % 2 == 0 },
                Utc::now(),
            )
            .unwrap();
            bodies.push(body);
        }
        let number: String = db
            .read(|c| c.query_row("SELECT number FROM tickets WHERE id = ?1", [ticket.to_string()], |r| r.get(0)))
            .unwrap();
        let at = start + chrono::Duration::minutes(minute);
        minute += 20;
        save_time_entry(
            db,
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
        change_status(db, *ticket, 8, Utc::now()).unwrap();
        notes.insert(*ticket, bodies);
    }
    notes
}

fn local_tickets(db: &Db, limit: usize) -> Vec<Uuid> {
    db.read(|c| {
        c.prepare("SELECT id FROM tickets WHERE completed_at IS NULL ORDER BY psa_id LIMIT ?1")?
            .query_map([limit as i64], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .unwrap()
    .iter()
    .map(|id| Uuid::parse_str(id).unwrap())
    .collect()
}

/// 1,000 offline operations pushed with a fifth of the requests faulted:
/// each arrives exactly once, in order, and the cache equals the stand-in.
#[test]
fn chaos_every_operation_arrives_exactly_once() {
    runtime().block_on(async {
        let standin = Standin::start(Seed::scaled(1), 0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
        let connector = connector(&standin);
        let scope = scope(&standin, Utc::now());
        cycle(&db, &connector, &scope).await.expect("first sync");

        // 20 tickets × (46 notes + 1 time entry + 1 status change) + 20 raised tickets with notes ≈ 1,000.
        let tickets = local_tickets(&db, 20);
        assert_eq!(tickets.len(), 20);
        let notes = offline_work(&db, &tickets, 46);
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
        // Ten appointments booked offline (a service call, its ticket and me on it).
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
        // Five service reports signed offline: their PDFs go up as ticket attachments.
        let vault = fieldkit_core::vault::Vault::default();
        vault.set_up(&db, Some("chaos passphrase")).unwrap();
        let mut signed = Vec::new();
        // One of them on a ticket raised offline (its number changes with the first sync).
        let raised_offline: String = db
            .read(|c| c.query_row("SELECT id FROM tickets WHERE psa_id IS NULL ORDER BY row LIMIT 1", [], |r| r.get(0)))
            .unwrap();
        let raised_offline = Uuid::parse_str(&raised_offline).unwrap();
        let offline_number: String = db
            .read(|c| {
                c.query_row("SELECT number FROM tickets WHERE id = ?1", [raised_offline.to_string()], |r| r.get(0))
            })
            .unwrap();
        for ticket in tickets.iter().skip(10).take(4).chain([&raised_offline]) {
            use fieldkit_core::reports::{self, ReportDraft, SignatureInput, StrokePoint};
            let report = reports::create_report(&db, *ticket, Utc::now()).unwrap();
            let draft = ReportDraft {
                id: report.id,
                work_performed: "Replaced the switch and labelled every drop.".into(),
                findings: String::new(),
                recommendations: String::new(),
                customer_notes: String::new(),
                follow_up_needed: false,
                follow_up_what: String::new(),
                parts: Vec::new(),
            };
            reports::save_report_draft(&db, &draft, Utc::now()).unwrap();
            let stroke = (0..20).map(|i| StrokePoint { x: 0.1 + 0.04 * i as f32, y: 0.5, t: i * 10, p: 0.5 }).collect();
            let signature = SignatureInput {
                strokes: vec![stroke],
                signer_name: "Dana Reyes".into(),
                signer_title: "Owner".into(),
                no_signature_reason: String::new(),
                record_anyway: false,
                paper: None,
            };
            reports::seal_report(&db, &vault, report.id, &signature, Utc::now()).unwrap();
            signed.push((*ticket, format!("OSSR-{}-{}.pdf", report.ticket_number, &report.id.to_string()[..8])));
        }
        let seal_key = fieldkit_core::reports::seal_public_key(&db).unwrap().unwrap();
        let operations = fieldkit_core::outbox::count_pending(&db).unwrap();
        assert!(operations >= 1000, "{operations} operations");
        let calls_before = standin.snapshot("ServiceCalls").len();
        let call_links_before = standin.snapshot("ServiceCallTickets").len();
        let notes_before = standin.snapshot("TicketNotes").len();
        let tickets_before = standin.snapshot("Tickets").len();

        standin.set_faults(Faults { latency_ms: 0, rate: 0.2, kinds: vec![], seed: 7 });
        let rounds = converge(&db, &connector, &scope, 60).await;
        standin.set_faults(Faults::default());
        eprintln!("converged in {rounds} cycles");

        // Exactly once, in order.
        let psa_notes = standin.snapshot("TicketNotes");
        for (ticket, bodies) in &notes {
            let psa_ticket: i64 = db
                .read(|c| c.query_row("SELECT psa_id FROM tickets WHERE id = ?1", [ticket.to_string()], |r| r.get(0)))
                .unwrap();
            let arrived: Vec<&str> = psa_notes
                .iter()
                .filter(|n| n["ticketID"].as_i64() == Some(psa_ticket))
                .filter(|n| n["description"].as_str().is_some_and(|d| d.starts_with("Offline note")))
                .map(|n| n["description"].as_str().unwrap())
                .collect();
            assert_eq!(arrived, bodies.iter().map(String::as_str).collect::<Vec<_>>(), "notes of ticket {psa_ticket}");
            let status =
                standin.snapshot("Tickets").into_iter().find(|t| t["id"].as_i64() == Some(psa_ticket)).unwrap()
                    ["status"]
                    .clone();
            assert_eq!(status, Value::from(8));
        }
        let raised: Vec<Value> = standin
            .snapshot("Tickets")
            .into_iter()
            .filter(|t| t["title"].as_str().is_some_and(|t| t.starts_with("Noticed ")))
            .collect();
        assert_eq!(raised.len(), 20, "each raised ticket once");
        assert_eq!(standin.snapshot("Tickets").len(), tickets_before + 20);
        assert_eq!(
            psa_notes.len(),
            notes_before + 20 * 46 + 20 + 10,
            "notes: offline, follow-ups, and 'cannot handle' notes"
        );
        let times: Vec<Value> = standin
            .snapshot("TimeEntries")
            .into_iter()
            .filter(|e| e["summaryNotes"].as_str().is_some_and(|s| s.starts_with("Worked on ticket")))
            .collect();
        if times.len() != 20 {
            let local: Vec<(String, Option<i64>)> = db
                .read(|c| {
                    c.prepare("SELECT summary_notes, psa_id FROM time_entries WHERE summary_notes LIKE 'Worked on%'")?
                        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .unwrap();
            eprintln!("local {local:?}");
            eprintln!(
                "psa {:?}",
                times.iter().map(|t| (t["summaryNotes"].clone(), t["id"].clone())).collect::<Vec<_>>()
            );
        }
        assert_eq!(times.len(), 20, "each time entry once");
        assert_eq!(standin.snapshot("ServiceCalls").len(), calls_before + 10, "each service call once");
        assert_eq!(
            standin.snapshot("ServiceCallTickets").len(),
            call_links_before + 10,
            "each call's ticket link once"
        );

        let attachments = standin.snapshot("TicketAttachments");
        for (ticket, file) in &signed {
            let psa_ticket: i64 = db
                .read(|c| c.query_row("SELECT psa_id FROM tickets WHERE id = ?1", [ticket.to_string()], |r| r.get(0)))
                .unwrap();
            let arrived: Vec<&Value> =
                attachments.iter().filter(|a| a["title"].as_str() == Some(file.as_str())).collect();
            assert_eq!(arrived.len(), 1, "the signed report {file} once");
            assert_eq!(arrived[0]["parentID"].as_i64(), Some(psa_ticket), "{file} on its ticket");
            assert_eq!(arrived[0]["contentType"], "application/pdf");
            assert!(arrived[0]["fileSize"].as_i64().is_some_and(|size| size > 1_000), "{file} whole");
            // Exactly the recorded, signed file: it verifies on its own against the published key.
            use base64::Engine;
            let bytes =
                base64::engine::general_purpose::STANDARD.decode(arrived[0]["data"].as_str().unwrap_or("")).unwrap();
            let verification = fieldkit_core::reports::verify_pdf_with_key(&bytes, &seal_key);
            assert!(verification.ok, "{file}: {:?}", verification.problems);
        }
        // Sealed on a ticket raised offline, which has its PSA number now: the seal still holds.
        let number_now: String = db
            .read(|c| {
                c.query_row("SELECT number FROM tickets WHERE id = ?1", [raised_offline.to_string()], |r| r.get(0))
            })
            .unwrap();
        assert_ne!(number_now, offline_number, "the raised ticket got its PSA number");
        for report in fieldkit_core::reports::list_reports(&db, Some(raised_offline), 10).unwrap() {
            let verification = fieldkit_core::reports::verify_report(&db, Some(&vault), report.id).unwrap();
            assert!(verification.ok, "{:?}", verification.problems);
        }

        // The cache equals the stand-in after a pull.
        cycle(&db, &connector, &scope).await.expect("final sync");
        let expected = scoped_tickets(&standin, &scope);
        let local = psa_ids(&db, "SELECT psa_id FROM tickets WHERE psa_id IS NOT NULL ORDER BY psa_id");
        for id in &expected {
            assert!(local.contains(id), "ticket {id} missing locally");
        }
        assert_eq!(count(&db, "SELECT count(*) FROM tickets WHERE psa_id IS NULL"), 0);
        assert_eq!(count(&db, "SELECT count(*) FROM ticket_notes WHERE psa_id IS NULL"), 0);
        let local_notes = count(&db, "SELECT count(*) FROM ticket_notes");
        let psa_notes_in_scope = standin
            .snapshot("TicketNotes")
            .iter()
            .filter(|n| local.contains(&n["ticketID"].as_i64().unwrap_or(-1)))
            .count();
        assert_eq!(local_notes, psa_notes_in_scope as i64);
        standin.stop().await;
    });
}

#[test]
fn garbage_and_truncated_answers_give_a_clear_error_and_write_nothing() {
    runtime().block_on(async {
        let standin = Standin::start(Seed::scaled(1), 0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
        let connector = connector(&standin);
        let scope = scope(&standin, Utc::now());
        for kind in [FaultKind::MalformedJson, FaultKind::Truncated] {
            standin.set_faults(Faults { latency_ms: 0, rate: 1.0, kinds: vec![kind], seed: 1 });
            let error = cycle(&db, &connector, &scope).await.expect_err("garbage cannot sync");
            let text = error.to_string();
            assert!(text.contains("PSA"), "{kind:?}: {text}");
            assert_eq!(count(&db, "SELECT count(*) FROM tickets"), 0, "{kind:?}: nothing applied");
            assert_eq!(count(&db, "SELECT count(*) FROM customers"), 0);
        }
        standin.set_faults(Faults::default());
        cycle(&db, &connector, &scope).await.expect("a sound answer syncs");
        assert!(count(&db, "SELECT count(*) FROM tickets") > 0);
        standin.stop().await;
    });
}

#[test]
fn a_ticket_changed_on_both_sides_asks_and_the_choice_is_kept() {
    runtime().block_on(async {
        let standin = Standin::start(Seed::scaled(1), 0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
        let connector = connector(&standin);
        let scope = scope(&standin, Utc::now());
        cycle(&db, &connector, &scope).await.expect("first sync");
        // Tickets whose status is neither of the two the test sets.
        let tickets: Vec<Uuid> = db
            .read(|c| {
                c.prepare("SELECT id FROM tickets WHERE completed_at IS NULL AND status NOT IN (7, 10) ORDER BY psa_id LIMIT 3")?
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap()
            .iter()
            .map(|id| Uuid::parse_str(id).unwrap())
            .collect();
        let psa = |ticket: &Uuid| -> i64 {
            db.read(|c| c.query_row("SELECT psa_id FROM tickets WHERE id = ?1", [ticket.to_string()], |r| r.get(0))).unwrap()
        };
        let status_of = |id: i64| standin.snapshot("Tickets").into_iter().find(|t| t["id"].as_i64() == Some(id)).unwrap()["status"].clone();
        // Between two syncs: both sides change the status of two tickets; the
        // PSA renames the third, which I also moved to another status.
        change_status(&db, tickets[0], 7, Utc::now()).unwrap();
        change_status(&db, tickets[1], 7, Utc::now()).unwrap();
        change_status(&db, tickets[2], 7, Utc::now()).unwrap();
        standin.patch("Tickets", psa(&tickets[0]), serde_json::json!({ "status": 10 }));
        standin.patch("Tickets", psa(&tickets[1]), serde_json::json!({ "status": 10 }));
        standin.patch("Tickets", psa(&tickets[2]), serde_json::json!({ "title": "Renamed in the PSA" }));
        let report = cycle(&db, &connector, &scope).await.expect("sync");
        assert_eq!(report.conflicts, 2);
        let conflicts = sync::list_conflicts(&db).unwrap();
        assert_eq!(conflicts.len(), 2);
        assert!(conflicts.iter().all(|c| c.field == "status" && c.mine == "Waiting Customer" && c.theirs == "Scheduled"));
        // Held: the PSA keeps its value until I choose; the one-sided change went through.
        assert_eq!(status_of(psa(&tickets[0])), Value::from(10));
        assert_eq!(status_of(psa(&tickets[2])), Value::from(7));
        let title: String =
            db.read(|c| c.query_row("SELECT title FROM tickets WHERE id = ?1", [tickets[2].to_string()], |r| r.get(0))).unwrap();
        assert_eq!(title, "Renamed in the PSA", "a field I cannot edit takes the PSA's value");

        let by_ticket = |ticket: &Uuid| conflicts.iter().find(|c| c.ticket_id == *ticket).unwrap().id;
        sync::resolve_conflict(&db, by_ticket(&tickets[0]), Choice::Theirs).unwrap();
        sync::resolve_conflict(&db, by_ticket(&tickets[1]), Choice::Mine).unwrap();
        let report = cycle(&db, &connector, &scope).await.expect("sync after choosing");
        assert_eq!(report.conflicts, 0);
        assert_eq!(status_of(psa(&tickets[0])), Value::from(10), "theirs kept");
        assert_eq!(status_of(psa(&tickets[1])), Value::from(7), "mine sent");
        let local: i64 =
            db.read(|c| c.query_row("SELECT status FROM tickets WHERE id = ?1", [tickets[0].to_string()], |r| r.get(0))).unwrap();
        assert_eq!(local, 10);
        assert_eq!(fieldkit_core::outbox::count_pending(&db).unwrap(), 0);
        standin.stop().await;
    });
}

/// A ticket's checklist: pulled with the tickets; a tick made offline (and
/// changed twice more before the sync) arrives at the PSA once, as me; a
/// tick made in the PSA reaches the cache.
#[test]
fn a_checklist_tick_made_offline_arrives_once() {
    runtime().block_on(async {
        let standin = Standin::start(Seed::scaled(1), 0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
        let connector = connector(&standin);
        let scope = scope(&standin, Utc::now());
        cycle(&db, &connector, &scope).await.expect("first sync");
        let in_scope = scoped_tickets(&standin, &scope);
        let expected: Vec<i64> = {
            let mut ids: Vec<i64> = standin
                .snapshot("TicketChecklistItems")
                .iter()
                .filter(|i| in_scope.contains(&i["ticketID"].as_i64().unwrap_or(-1)))
                .filter_map(|i| i["id"].as_i64())
                .collect();
            ids.sort();
            ids
        };
        assert!(expected.len() > 10, "the sample has checklists in scope");
        assert_eq!(psa_ids(&db, "SELECT psa_id FROM checklist_items ORDER BY psa_id"), expected);

        // Offline: tick, untick, tick again.
        let (item, psa): (String, i64) = db
            .read(|c| {
                c.query_row(
                    "SELECT id, psa_id FROM checklist_items WHERE is_completed = 0 ORDER BY psa_id LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .unwrap();
        let item = Uuid::parse_str(&item).unwrap();
        for completed in [true, false, true] {
            fieldkit_core::tickets::set_checklist_item(&db, item, completed, Utc::now()).unwrap();
        }
        let patches = |standin: &Standin| {
            standin
                .requests_by_path()
                .into_iter()
                .filter(|(path, _)| path.contains("ChecklistItems") && path.starts_with("PATCH"))
                .map(|(_, n)| n)
                .sum::<u64>()
        };
        assert_eq!(converge(&db, &connector, &scope, 3).await, 1);
        assert_eq!(patches(&standin), 1, "one PATCH for three changes: {:?}", standin.requests_by_path());
        let stored = standin.snapshot("TicketChecklistItems").into_iter().find(|i| i["id"] == psa).unwrap();
        assert_eq!(stored["isCompleted"], true);
        assert_eq!(stored["completedByResourceID"], scope.me, "ticked by me");
        assert!(stored["completedDateTime"].is_string());
        // Nothing more to send; the pull agrees with the tick.
        cycle(&db, &connector, &scope).await.unwrap();
        assert_eq!(patches(&standin), 1);
        assert_eq!(count(&db, &format!("SELECT is_completed FROM checklist_items WHERE psa_id = {psa}")), 1);

        // Ticked in the PSA: the next cycle brings it.
        let other = standin
            .snapshot("TicketChecklistItems")
            .into_iter()
            .find(|i| i["isCompleted"] == false && expected.contains(&i["id"].as_i64().unwrap_or(-1)))
            .unwrap();
        let other_id = other["id"].as_i64().unwrap();
        standin.patch(
            "TicketChecklistItems",
            other_id,
            serde_json::json!({ "isCompleted": true, "completedByResourceID": scope.me }),
        );
        standin.patch("Tickets", other["ticketID"].as_i64().unwrap(), serde_json::json!({}));
        cycle(&db, &connector, &scope).await.unwrap();
        assert_eq!(count(&db, &format!("SELECT is_completed FROM checklist_items WHERE psa_id = {other_id}")), 1);
        standin.stop().await;
    });
}
