//! The HaloPSA connector against the Halo stand-in, over real HTTP: the
//! token (once, refreshed before expiry, once after a 401, one fetch at a
//! time, a wrong secret refused), every read it makes (paging, envelopes,
//! incremental reads, every kind into the cache), every write (with its
//! marker, one create at a time), the look-up of a create whose answer was
//! lost, 429 with `Retry-After`, the attachment limit — and every path it
//! calls and field it writes checked against Halo's OpenAPI document.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fieldkit_core::sync::autotask::RetryPolicy;
use fieldkit_core::sync::halopsa::{Endpoint, HaloPsa};
use fieldkit_core::sync::{self, Connector, Kind, PushFailure, PushOp, Scope, Selection, SyncProgress, SyncReport};
use fieldkit_core::team::{escalate_ticket, EscalationDraft};
use fieldkit_core::tickets::{add_note, change_status, set_checklist_item, NoteDraft};
use fieldkit_core::Db;
use fieldkit_standin::halo::{HaloStandin, CLIENT_ID, CLIENT_SECRET};
use fieldkit_standin::{FaultKind, Faults, Seed};
use serde_json::{json, Value};

fn endpoint(standin: &HaloStandin, secret: &str) -> Endpoint {
    Endpoint {
        url: standin.base_url(),
        auth_url: String::new(),
        tenant: "fieldkit".into(),
        client_id: CLIENT_ID.into(),
        secret: zeroize::Zeroizing::new(secret.into()),
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy { attempts: 6, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(40) }
}

fn connector(standin: &HaloStandin) -> HaloPsa {
    HaloPsa::new(endpoint(standin, CLIENT_SECRET), quick()).expect("connector")
}

fn me(standin: &HaloStandin) -> i64 {
    standin
        .snapshot("Agent")
        .iter()
        .find(|a| a["firstname"] == "Alex" && a["surname"] == "Morgan")
        .and_then(|a| a["id"].as_i64())
        .expect("Alex Morgan in the stand-in")
}

fn scope(standin: &HaloStandin, now: DateTime<Utc>) -> Scope {
    Scope {
        me: me(standin),
        queues: vec![29683],
        calls_since: now - chrono::Duration::days(30),
        extra_tickets: Vec::new(),
    }
}

fn team_id(name: &str) -> Option<i64> {
    fieldkit_core::picklists::default_picklists()
        .into_iter()
        .find(|p| p.kind == fieldkit_core::picklists::PicklistKind::Queue && p.label == name)
        .map(|p| p.value)
}

/// The stand-in's tickets in scope: my team's or mine.
fn scoped_tickets(standin: &HaloStandin, scope: &Scope) -> BTreeSet<i64> {
    standin
        .snapshot("Tickets")
        .iter()
        .filter(|t| {
            t["agent_id"].as_i64() == Some(scope.me)
                || team_id(t["team"].as_str().unwrap_or_default()).is_some_and(|team| scope.queues.contains(&team))
        })
        .filter_map(|t| t["id"].as_i64())
        .collect()
}

async fn cycle(db: &Arc<Db>, connector: &HaloPsa, scope: &Scope) -> SyncReport {
    sync::run_cycle(db, connector, scope, Utc::now(), false, &Mutex::new(SyncProgress::default()))
        .await
        .expect("a cycle")
}

fn count(db: &Db, sql: &str) -> i64 {
    db.read(|c| c.query_row(sql, [], |r| r.get::<_, i64>(0))).unwrap()
}

fn ids(db: &Db, sql: &str) -> BTreeSet<i64> {
    db.read(|c| c.prepare(sql)?.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<BTreeSet<_>>>())
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// A create as the connector builds it; `marker` (when given) names the
/// body field that carries the outbox key.
fn op(entity: &str, target: Option<i64>, body: Value, data: Option<Vec<u8>>) -> PushOp {
    let key = uuid::Uuid::now_v7();
    let mut body = body;
    let marker = match entity {
        "Ticket" => Some("third_party_id_string"),
        "TicketNote" | "TimeEntry" => Some("guid"),
        "TicketAttachment" => Some("third_party_id"),
        _ => None,
    };
    if let Some(marker) = marker {
        body[marker] = json!(key.to_string());
    }
    PushOp { key, entity: entity.into(), operation: "create".into(), target, body, data }
}

#[test]
fn the_token_is_fetched_once_renewed_after_a_401_and_a_wrong_secret_is_refused() {
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(1), 0).await.unwrap();
        let wrong = HaloPsa::new(endpoint(&standin, "not the secret"), quick()).unwrap();
        let refused = wrong.test_connection().await.unwrap_err().to_string();
        assert!(refused.contains("did not accept the client id and secret"), "{refused}");
        assert!(refused.contains("invalid_client"), "Halo's words are kept: {refused}");
        assert_eq!(standin.token_count(), 1, "a refused token is not asked for again in a loop");

        let halo = Arc::new(connector(&standin));
        // Ten reads at once before any token: one token request.
        let scope = scope(&standin, Utc::now());
        let mut reads = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let (halo, scope) = (halo.clone(), scope.clone());
            reads.spawn(
                async move { halo.pull(Kind::Resources, &Selection::Changed { since: None }, &scope, None).await },
            );
        }
        while let Some(page) = reads.join_next().await {
            assert!(!page.unwrap().expect("agents").records.is_empty());
        }
        assert_eq!(standin.token_count(), 2, "one fetch at a time, shared by every caller");

        // A token Halo no longer takes: one new token, the call retried once.
        standin.expire_tokens();
        let page = halo.pull(Kind::Resources, &Selection::Changed { since: None }, &scope, None).await.unwrap();
        assert!(
            page.records.iter().all(|r| r["id"].as_i64() != Some(1)),
            "agent 1 is Halo's 'unassigned', not a person"
        );
        assert_eq!(standin.token_count(), 3);

        // A short-lived token is renewed before it runs out, without a 401.
        standin.set_token_lifetime(4);
        standin.expire_tokens();
        halo.pull(Kind::Resources, &Selection::Changed { since: None }, &scope, None).await.unwrap();
        let before = standin.token_count();
        tokio::time::sleep(Duration::from_millis(2_200)).await;
        halo.pull(Kind::Resources, &Selection::Changed { since: None }, &scope, None).await.unwrap();
        assert_eq!(standin.token_count(), before + 1, "renewed halfway through a 4 s token");
        standin.stop().await;
    });
}

#[test]
fn a_first_sync_reads_every_kind_into_the_cache_in_pages_and_the_next_reads_only_what_changed() {
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(4), 0).await.unwrap();
        let halo = connector(&standin);
        let now = Utc::now();
        let scope = scope(&standin, now);
        let db = Arc::new(Db::open_in_memory().unwrap());
        let first = cycle(&db, &halo, &scope).await;

        let wanted = scoped_tickets(&standin, &scope);
        assert!(standin.snapshot("Tickets").len() > 200, "more than a page of tickets in each pass");
        let cached = ids(&db, "SELECT psa_id FROM tickets WHERE psa_id IS NOT NULL");
        assert_eq!(cached, wanted, "every ticket in scope, open and closed, and no other");
        let by_path = standin.requests_by_path();
        let tickets_reads = by_path.iter().find(|(p, _)| p == "GET /api/Tickets").map(|(_, n)| *n).unwrap_or(0);
        assert!(tickets_reads >= 3, "paged: {tickets_reads} reads of /Tickets");

        // Every action of those tickets became a note, with its visibility.
        let actions: Vec<Value> =
            standin.snapshot("Actions").into_iter().filter(|a| wanted.contains(&a["ticket_id"].as_i64().unwrap())).collect();
        assert_eq!(count(&db, "SELECT count(*) FROM ticket_notes"), actions.len() as i64);
        let visible = actions.iter().filter(|a| a["hiddenfromuser"] == json!(false)).count();
        assert_eq!(count(&db, "SELECT count(*) FROM ticket_notes WHERE is_customer_visible"), visible as i64);
        // Clients, sites (client_id a double), users, assets, agents, picklists.
        assert_eq!(count(&db, "SELECT count(*) FROM customers WHERE psa_id IS NOT NULL"), standin.snapshot("Client").len() as i64);
        assert_eq!(count(&db, "SELECT count(*) FROM sites WHERE psa_id IS NOT NULL"), standin.snapshot("Site").len() as i64);
        assert_eq!(count(&db, "SELECT count(*) FROM contacts WHERE psa_id IS NOT NULL"), standin.snapshot("Users").len() as i64);
        assert_eq!(count(&db, "SELECT count(*) FROM devices WHERE psa_id IS NOT NULL"), standin.snapshot("Asset").len() as i64);
        assert_eq!(count(&db, "SELECT count(*) FROM resources WHERE psa_id IS NOT NULL"), standin.snapshot("Agent").len() as i64 - 1);
        assert!(count(&db, "SELECT count(*) FROM picklist_values WHERE kind = 'status' AND label = 'Won'") == 0, "only ticket statuses");
        // My time entries (actions with time taken by me).
        let my_time = actions
            .iter()
            .filter(|a| a["timetaken"].as_f64().unwrap_or(0.0) > 0.0 && a["who_agentid"].as_i64() == Some(scope.me))
            .count();
        assert_eq!(count(&db, "SELECT count(*) FROM time_entries WHERE psa_id IS NOT NULL"), my_time as i64);
        assert!(first.requests > 0);

        // A quiet cycle reads no actions; a changed ticket's are read again.
        let quiet = cycle(&db, &halo, &scope).await;
        assert!(quiet.requests < first.requests / 4, "quiet: {} of {}", quiet.requests, first.requests);
        let ticket = *wanted.iter().next().unwrap();
        standin.add_action(ticket, json!({ "note": "Called the customer back.", "hiddenfromuser": false, "outcome_id": 1, "who_agentid": scope.me }));
        standin.patch("Tickets", ticket, json!({ "summary": "Changed in Halo" }));
        cycle(&db, &halo, &scope).await;
        let title: String = db.read(|c| c.query_row("SELECT title FROM tickets WHERE psa_id = ?1", [ticket], |r| r.get(0))).unwrap();
        assert_eq!(title, "Changed in Halo");
        assert_eq!(count(&db, "SELECT count(*) FROM ticket_notes WHERE body = 'Called the customer back.'"), 1);
        standin.stop().await;
    });
}

#[test]
fn offline_work_arrives_once_with_its_marker_and_a_lost_answer_is_found_not_resent() {
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(1), 0).await.unwrap();
        let halo = connector(&standin);
        let now = Utc::now();
        let scope = scope(&standin, now);
        let db = Arc::new(Db::open_in_memory().unwrap());
        cycle(&db, &halo, &scope).await;
        let (local, psa): (String, i64) = db
            .read(|c| c.query_row("SELECT id, psa_id FROM tickets WHERE completed_at IS NULL AND psa_id IS NOT NULL ORDER BY psa_id LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))))
            .unwrap();
        let ticket: uuid::Uuid = local.parse().unwrap();
        let draft = |text: &str| NoteDraft { ticket_id: ticket, body: text.into(), is_customer_visible: false };
        add_note(&db, &draft("First note, offline."), now).unwrap();
        add_note(&db, &draft("Second note, offline."), now).unwrap();
        let status = fieldkit_core::picklists::default_picklists()
            .into_iter()
            .find(|p| p.kind == fieldkit_core::picklists::PicklistKind::Status && p.value != 1)
            .unwrap()
            .value;
        change_status(&db, ticket, status, now).unwrap();
        // Three answers in ten are lost after Halo saved the write.
        standin.set_faults(Faults { rate: 0.3, kinds: vec![FaultKind::ResponseLostAfterCommit], seed: 3, ..Faults::default() });
        for _ in 0..10 {
            let _ = sync::run_cycle(&db, &halo, &scope, Utc::now(), false, &Mutex::new(SyncProgress::default())).await;
            if fieldkit_core::outbox::count_pending(&db).unwrap() == 0 {
                break;
            }
        }
        standin.set_faults(Faults::default());
        assert_eq!(fieldkit_core::outbox::count_pending(&db).unwrap(), 0);
        let actions: Vec<Value> = standin.snapshot("Actions").into_iter().filter(|a| a["ticket_id"].as_i64() == Some(psa)).collect();
        for text in ["First note, offline.", "Second note, offline."] {
            let made: Vec<&Value> = actions.iter().filter(|a| a["note"].as_str().is_some_and(|n| n.ends_with(text))).collect();
            assert_eq!(made.len(), 1, "{text} exactly once");
            assert_eq!(made[0]["hiddenfromuser"], json!(true), "an internal note");
            assert!(made[0]["guid"].as_str().is_some_and(|g| !g.is_empty()), "the action carries its marker");
            assert!(made[0]["outcome_id"].as_i64().is_some(), "with an outcome, as Halo requires");
        }
        let first = actions.iter().position(|a| a["note"].as_str().unwrap_or_default().ends_with("First note, offline.")).unwrap();
        let second = actions.iter().position(|a| a["note"].as_str().unwrap_or_default().ends_with("Second note, offline.")).unwrap();
        assert!(first < second, "in order");
        let halo_ticket = standin.snapshot("Tickets").into_iter().find(|t| t["id"].as_i64() == Some(psa)).unwrap();
        assert_eq!(halo_ticket["status_id"].as_i64(), Some(status));
        // The cache holds each note once, with its Halo id.
        cycle(&db, &halo, &scope).await;
        assert_eq!(count(&db, "SELECT count(*) FROM ticket_notes WHERE body LIKE '%note, offline.'"), 2);
        assert_eq!(count(&db, "SELECT count(*) FROM ticket_notes WHERE body LIKE '%note, offline.' AND psa_id IS NOT NULL"), 2);
        standin.stop().await;
    });
}

#[test]
fn creates_go_one_at_a_time_and_each_kind_is_found_again_by_its_marker() {
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(1), 0).await.unwrap();
        let halo = Arc::new(connector(&standin));
        let client = standin.snapshot("Client").iter().filter_map(|c| c["id"].as_i64()).find(|id| *id > 1).unwrap();
        let ticket = |title: &str| op("Ticket", None, json!({ "summary": title, "details": "From the field.", "client_id": client }), None);
        // Halo's own race, as the stand-in plays it: two clients creating at once, one fails.
        let (a, b) = (connector(&standin), connector(&standin));
        a.pull(Kind::Resources, &Selection::Changed { since: None }, &scope(&standin, Utc::now()), None).await.unwrap();
        b.pull(Kind::Resources, &Selection::Changed { since: None }, &scope(&standin, Utc::now()), None).await.unwrap();
        let (race_a, race_b) = (ticket("Race A"), ticket("Race B"));
        let (x, y) = tokio::join!(a.push(&race_a), b.push(&race_b));
        assert!(x.is_err() != y.is_err(), "one of two overlapping creates fails: {x:?} {y:?}");
        // Through the connector: eight at once all succeed, each once.
        let ops: Vec<PushOp> = (0..8).map(|n| ticket(&format!("Parallel {n}"))).collect();
        let mut tasks = Vec::new();
        for op in ops.clone() {
            let halo = halo.clone();
            tasks.push(tokio::spawn(async move { halo.push(&op).await }));
        }
        let mut made = BTreeSet::new();
        for task in tasks {
            made.insert(task.await.unwrap().expect("a serialised create"));
        }
        assert_eq!(made.len(), 8);
        for op in &ops {
            let found = halo.find_created(op).await.unwrap();
            assert!(found.is_some_and(|id| made.contains(&id)), "found by third_party_id_string");
        }
        let ticket_id = *made.iter().next().unwrap();

        // A note, a time entry, an appointment, an attachment: each found again.
        let note = op("TicketNote", Some(ticket_id), json!({ "ticket_id": ticket_id, "note": "Checked the UPS.", "hiddenfromuser": true, "outcome_id": 1 }), None);
        let note_id = halo.push(&note).await.unwrap();
        assert_eq!(halo.find_created(&note).await.unwrap(), Some(note_id));
        let start = "2026-11-20T09:00:00Z";
        let call = op("ServiceCall", None, json!({ "subject": "On site: UPS", "start_date": start, "end_date": "2026-11-20T10:00:00Z", "client_id": client, "ticket_id": ticket_id, "agent_id": 2, "agents": [{ "id": 2 }] }), None);
        let call_id = halo.push(&call).await.unwrap();
        assert_eq!(halo.find_created(&call).await.unwrap(), Some(call_id));
        let pdf = b"%PDF-1.7 signed".to_vec();
        let file = op("TicketAttachment", Some(ticket_id), json!({ "ticket_id": ticket_id, "filename": "OSSR-1.pdf" }), Some(pdf.clone()));
        let file_id = halo.push(&file).await.unwrap();
        assert_eq!(standin.attachment_bytes(file_id), Some(pdf), "the bytes arrive as sent");
        assert_eq!(halo.find_created(&file).await.unwrap(), Some(file_id));

        // Too large for Halo's limit (5 MB here): refused with Halo's words.
        let big = op("TicketAttachment", Some(ticket_id), json!({ "ticket_id": ticket_id, "filename": "big.pdf" }), Some(vec![b'x'; 5_500_000]));
        match halo.push(&big).await {
            Err(PushFailure::Rejected(message)) => assert!(message.contains("too large"), "{message}"),
            other => panic!("not refused: {other:?}"),
        }
        // Too large for Fieldkit's own limit: refused before sending.
        let before = standin.request_count();
        let huge = op("TicketAttachment", Some(ticket_id), json!({ "ticket_id": ticket_id, "filename": "huge.pdf" }), Some(vec![b'x'; 6_500_000]));
        assert!(matches!(halo.push(&huge).await, Err(PushFailure::Rejected(_))));
        assert_eq!(standin.request_count(), before, "nothing sent");
        // An action without an outcome: Halo's refusal, as a string body.
        let bare = op("TicketNote", Some(ticket_id), json!({ "ticket_id": ticket_id, "note": "x", "outcome_id": null }), None);
        let note_without = halo.push(&bare).await;
        assert!(note_without.is_ok(), "the connector fills in an outcome: {note_without:?}");
        standin.stop().await;
    });
}

#[test]
fn a_429_waits_as_long_as_retry_after_says_and_5xx_and_garbage_are_retried_on_reads() {
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(1), 0).await.unwrap();
        let halo = connector(&standin);
        let scope = scope(&standin, Utc::now());
        halo.pull(Kind::Resources, &Selection::Changed { since: None }, &scope, None).await.unwrap();
        standin.set_retry_after(1);
        standin.set_faults(Faults { rate: 1.0, kinds: vec![FaultKind::TooManyRequests], ..Faults::default() });
        let started = Instant::now();
        let stopper = async {
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            standin.set_faults(Faults::default());
        };
        let (page, ()) =
            tokio::join!(halo.pull(Kind::Resources, &Selection::Changed { since: None }, &scope, None), stopper);
        assert!(page.is_ok(), "{page:?}");
        assert!(started.elapsed() >= Duration::from_millis(1_500), "waited as told");
        let tries = standin.requests_by_path().iter().find(|(p, _)| p == "GET /api/Agent").map(|(_, n)| *n).unwrap();
        assert!(tries <= 4, "Retry-After of 1 s honoured, not hammered: {tries} requests in 1.5 s");

        standin.set_faults(Faults {
            rate: 0.3,
            kinds: vec![
                FaultKind::ServerError,
                FaultKind::MalformedJson,
                FaultKind::Truncated,
                FaultKind::ConnectionReset,
            ],
            seed: 11,
            ..Faults::default()
        });
        for _ in 0..10 {
            halo.pull(Kind::Companies, &Selection::Changed { since: None }, &scope, None).await.expect("retried");
        }
        standin.stop().await;
    });
}

/// The paths the connector calls and the fields it writes, against Halo's
/// OpenAPI document (vendored in `contract/halopsa/`).
#[test]
fn every_call_and_written_field_is_in_halos_api_description() {
    let spec: Value = serde_json::from_str(include_str!("../contract/halopsa/halopsa-api-v2.openapi.json")).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(1), 0).await.unwrap();
        let halo = connector(&standin);
        let scope = scope(&standin, Utc::now());
        let db = Arc::new(Db::open_in_memory().unwrap());
        cycle(&db, &halo, &scope).await;
        sync::run_cycle(&db, &halo, &scope, Utc::now(), true, &Mutex::new(SyncProgress::default())).await.unwrap();
        for (endpoint, _) in standin.requests_by_path() {
            let (method, path) = endpoint.split_once(' ').unwrap();
            let Some(path) = path.strip_prefix("/api") else {
                assert_eq!(path, "/auth/token");
                continue;
            };
            let described = paths.get(path).unwrap_or_else(|| panic!("{path} is not in Halo's API description"));
            assert!(described.get(method.to_ascii_lowercase()).is_some(), "{method} {path} is not described");
        }
        standin.stop().await;
    });
    // Every field the connector writes is in the entity's schema.
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let written: [(&str, &[&str]); 5] = [
        (
            "Faults",
            &[
                "summary",
                "details",
                "client_id",
                "site_id",
                "user_id",
                "status_id",
                "priority_id",
                "tickettype_id",
                "team",
                "agent_id",
                "third_party_id_string",
                "additional_agents",
                "dont_do_rules",
                "id",
            ],
        ),
        (
            "Actions",
            &[
                "ticket_id",
                "note",
                "hiddenfromuser",
                "outcome_id",
                "sendemail",
                "dont_do_rules",
                "guid",
                "timetaken",
                "nonbilltime",
                "actionarrivaldate",
                "actioncompletiondate",
                "datetime",
                "who_agentid",
                "actionby_agent_id",
                "id",
            ],
        ),
        (
            "Appointment",
            &["subject", "start_date", "end_date", "client_id", "site_id", "ticket_id", "agent_id", "agents"],
        ),
        ("Attachment", &["ticket_id", "filename", "third_party_id", "data_base64"]),
        ("FaultToDo", &["id", "ticket_id", "done", "done_by_id"]),
    ];
    for (schema, fields) in written {
        let properties = schemas[schema]["properties"].as_object().unwrap();
        for field in fields {
            assert!(properties.contains_key(*field), "{schema}.{field} is not in Halo's schema");
        }
    }
}

/// A full cycle by a new connector.
/// A ticket's to-do list (`FaultToDo`): read for the open tickets I visit (one
/// request per ticket: Halo has no read across tickets), a tick made here
/// sent as `POST /ToDo` with who ticked it, an untick clearing it.
#[test]
fn the_to_do_lists_of_my_tickets_are_read_and_a_tick_made_here_is_sent() {
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(1), 0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
        let scope = scope(&standin, Utc::now());
        let connector = connector(&standin);
        cycle(&db, &connector, &scope).await;

        let scoped = scoped_tickets(&standin, &scope);
        let mine: BTreeSet<i64> = standin
            .snapshot("Tickets")
            .iter()
            .filter(|t| !t["hasbeenclosed"].as_bool().unwrap_or(false))
            .filter(|t| {
                t["agent_id"].as_i64() == Some(scope.me)
                    || t["additional_agents"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|a| a["id"].as_i64() == Some(scope.me))
            })
            .filter_map(|t| t["id"].as_i64())
            .filter(|id| scoped.contains(id))
            .collect();
        let expected: BTreeSet<i64> = standin
            .snapshot("ToDo")
            .iter()
            .filter(|t| t["ticket_id"].as_i64().is_some_and(|ticket| mine.contains(&ticket)))
            .filter_map(|t| t["id"].as_i64())
            .collect();
        assert!(!expected.is_empty(), "the seed gives my tickets to-dos");
        assert_eq!(ids(&db, "SELECT psa_id FROM checklist_items"), expected, "my tickets' to-dos, and only those");

        let (item, psa): (String, i64) = db
            .read(|c| {
                c.query_row(
                    "SELECT id, psa_id FROM checklist_items WHERE is_completed = 0 ORDER BY psa_id LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .unwrap();
        let item = uuid::Uuid::parse_str(&item).unwrap();
        set_checklist_item(&db, item, true, Utc::now()).unwrap();
        let report = cycle(&db, &connector, &scope).await;
        assert_eq!(report.failed, 0, "{report:?}");
        let todo = |standin: &HaloStandin| standin.snapshot("ToDo").into_iter().find(|t| t["id"] == psa).unwrap();
        assert_eq!(
            (todo(&standin)["done"].clone(), todo(&standin)["done_by_id"].as_i64()),
            (json!(true), Some(scope.me))
        );
        assert!(todo(&standin)["actual_end"].is_string());

        set_checklist_item(&db, item, false, Utc::now()).unwrap();
        cycle(&db, &connector, &scope).await;
        assert_eq!((todo(&standin)["done"].clone(), todo(&standin)["done_by_id"].clone()), (json!(false), Value::Null));
        assert_eq!(count(&db, "SELECT count(*) FROM outbox WHERE state != 'sent'"), 0);
    });
}

/// An escalation against Halo: the ticket's agent changes, the previous one
/// joins its `additional_agents` (the whole list is sent, right whether Halo
/// replaces or merges it), the note says why — and nothing is sent twice.
#[test]
fn an_escalation_keeps_the_previous_agent_among_the_additional_agents() {
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(1), 0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
        let scope = scope(&standin, Utc::now());
        let connector = connector(&standin);
        cycle(&db, &connector, &scope).await;
        let (senior, senior_psa): (String, i64) = db
            .read(|c| {
                c.query_row(
                    "SELECT id, psa_id FROM resources WHERE role = 'senior_technician' AND psa_id IS NOT NULL LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .expect("a senior technician among Halo's agents (by job title)");
        let (ticket, psa): (String, i64) = db
            .read(|c| {
                c.query_row(
                    "SELECT t.id, t.psa_id FROM tickets t JOIN resources r ON r.id = t.primary_resource_id
                     WHERE t.completed_at IS NULL AND t.psa_id IS NOT NULL AND r.psa_id = ?1 ORDER BY t.psa_id LIMIT 1",
                    [scope.me],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .unwrap();
        let in_halo = |standin: &HaloStandin| standin.snapshot("Tickets").into_iter().find(|t| t["id"] == psa).unwrap();
        let helpers = |ticket: &Value| -> Vec<i64> {
            ticket["additional_agents"].as_array().into_iter().flatten().filter_map(|a| a["id"].as_i64()).collect()
        };
        let before = helpers(&in_halo(&standin));
        let draft = EscalationDraft {
            ticket_id: uuid::Uuid::parse_str(&ticket).unwrap(),
            to_resource_id: senior,
            reason: "Needs a domain admin".into(),
        };
        escalate_ticket(&db, &draft, Utc::now()).unwrap();
        let report = cycle(&db, &connector, &scope).await;
        let failures: Vec<(String, String)> = db
            .read(|c| {
                c.prepare("SELECT entity, last_error FROM outbox WHERE state = 'failed'")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap();
        assert_eq!((report.failed, report.pushed), (0, 3), "agent, additional agent, note: {failures:?}");
        let after = in_halo(&standin);
        assert_eq!(after["agent_id"].as_i64(), Some(senior_psa));
        let now_helpers = helpers(&after);
        assert!(before.iter().all(|h| now_helpers.contains(h)), "{before:?} kept in {now_helpers:?}");
        assert_eq!(now_helpers.iter().filter(|h| **h == scope.me).count(), 1, "{now_helpers:?}");
        assert!(standin
            .snapshot("Actions")
            .iter()
            .any(|a| a["ticket_id"] == psa && a["note"].as_str().is_some_and(|n| n.contains("Needs a domain admin"))));
        assert_eq!(cycle(&db, &connector, &scope).await.pushed, 0, "nothing sent twice");
        assert_eq!(count(&db, "SELECT count(*) FROM outbox WHERE state != 'sent'"), 0);
    });
}

async fn full_cycle(db: &Arc<Db>, standin: &HaloStandin, scope: &Scope) -> Result<SyncReport, sync::SyncError> {
    let halo = connector(standin);
    sync::run_cycle(db, &halo, scope, Utc::now(), true, &Mutex::new(SyncProgress::default())).await
}

/// A full reconciliation removes what Halo deleted — but never most of the
/// cache at once: a query gone wrong (a filter Halo ignored) must not wipe
/// a technician's data.
#[test]
fn a_reconciliation_removes_deleted_tickets_but_refuses_to_remove_most_at_once() {
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(2), 0).await.unwrap();
        let halo = connector(&standin);
        let scope = scope(&standin, Utc::now());
        let db = Arc::new(Db::open_in_memory().unwrap());
        cycle(&db, &halo, &scope).await;
        let cached = count(&db, "SELECT count(*) FROM tickets WHERE psa_id IS NOT NULL");
        assert!(cached > 40, "enough tickets for the guard to matter: {cached}");
        let wanted: Vec<i64> = scoped_tickets(&standin, &scope).into_iter().collect();
        for id in &wanted[..3] {
            standin.delete("Tickets", *id);
        }
        let report = full_cycle(&db, &standin, &scope).await.expect("a full cycle");
        assert_eq!(report.removed, 3);
        assert_eq!(count(&db, "SELECT count(*) FROM tickets WHERE psa_id IS NOT NULL"), cached - 3);

        for ticket in standin.snapshot("Tickets") {
            standin.delete("Tickets", ticket["id"].as_i64().unwrap());
        }
        let refused = full_cycle(&db, &standin, &scope).await.unwrap_err().to_string();
        assert!(refused.contains("nothing was removed"), "{refused}");
        assert_eq!(count(&db, "SELECT count(*) FROM tickets WHERE psa_id IS NOT NULL"), cached - 3, "all kept");
    });
}

/// One request to the stand-in over plain HTTP/1.1: its status and body.
async fn plain(standin: &HaloStandin, method: &str, path: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = standin.base_url().trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, body.to_string())
}

#[test]
fn the_controls_over_http_change_records_as_halo_users_would_uncounted() {
    runtime().block_on(async {
        let standin = HaloStandin::start(Seed::scaled(1), 0).await.unwrap();
        let ticket = standin.snapshot("Tickets")[0].clone();
        let id = ticket["id"].as_i64().unwrap();
        let before = ticket["last_update"].as_str().unwrap().to_string();

        let (status, body) =
            plain(&standin, "PATCH", "/_standin/Tickets", &json!({ "id": id, "status_id": 10 }).to_string()).await;
        assert_eq!((status, body.as_str()), (200, json!({ "id": id }).to_string().as_str()));
        let changed = standin.snapshot("Tickets").into_iter().find(|t| t["id"] == json!(id)).unwrap();
        assert_eq!(changed["status_id"], json!(10));
        assert!(changed["last_update"].as_str().unwrap() > before.as_str(), "its change time moved: {changed}");

        let (status, body) = plain(&standin, "GET", "/_standin/Actions", "").await;
        assert_eq!(status, 200);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap().as_array().unwrap().len(),
            standin.snapshot("Actions").len()
        );
        let (status, _) = plain(&standin, "PATCH", "/_standin/Tickets", &json!({ "id": -5 }).to_string()).await;
        assert_eq!(status, 404, "no such ticket");
        let (status, _) = plain(&standin, "PATCH", "/_standin/Actions", &json!({ "id": 1 }).to_string()).await;
        assert_eq!(status, 404, "actions are numbered per ticket: not patched by id");
        let (status, _) = plain(&standin, "POST", "/_standin/faults", r#"{"rate":2}"#).await;
        assert_eq!(status, 400);
        let (status, body) = plain(&standin, "GET", "/_standin/requests", "").await;
        assert_eq!(status, 200);
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["total"], json!(0), "controls are not counted");
        assert_eq!(standin.request_count(), 0);
        standin.stop().await;
    });
}
