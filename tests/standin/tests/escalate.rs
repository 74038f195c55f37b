//! Escalation, reassignment, priority and queue changes against the Autotask
//! stand-in: what arrives in the PSA, and the three-way merge of priority
//! and queue (one side changed: it wins; both: the technician chooses).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use fieldkit_core::sync::autotask::{Autotask, Endpoint, RetryPolicy};
use fieldkit_core::sync::{self, Choice, Scope, SyncProgress, SyncReport};
use fieldkit_core::team::{change_priority, change_queue, escalate_ticket, reassign_ticket, EscalationDraft};
use fieldkit_core::Db;
use fieldkit_standin::{Seed, Standin};
use serde_json::{json, Value};
use uuid::Uuid;

struct World {
    standin: Standin,
    _dir: tempfile::TempDir,
    db: Arc<Db>,
    connector: Autotask,
    scope: Scope,
}

async fn world() -> World {
    let standin = Standin::start(Seed::scaled(1), 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
    let credentials = standin.credentials();
    let connector = Autotask::new(
        Endpoint {
            discovery_url: standin.base_url(),
            api_user: credentials.api_user,
            integration_code: credentials.integration_code,
            secret: zeroize::Zeroizing::new(credentials.secret),
        },
        RetryPolicy { attempts: 4, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(40) },
    )
    .unwrap();
    let me = standin
        .snapshot("Resources")
        .iter()
        .find(|r| r["firstName"] == "Alex" && r["lastName"] == "Morgan")
        .and_then(|r| r["id"].as_i64())
        .unwrap();
    let scope = Scope {
        me,
        queues: vec![29683],
        calls_since: Utc::now() - chrono::Duration::days(30),
        extra_tickets: Vec::new(),
    };
    let world = World { standin, _dir: dir, db, connector, scope };
    cycle(&world).await;
    world
}

async fn cycle(world: &World) -> SyncReport {
    sync::run_cycle(&world.db, &world.connector, &world.scope, Utc::now(), false, &Mutex::new(SyncProgress::default()))
        .await
        .expect("sync")
}

fn text(db: &Db, sql: &str, id: &str) -> Option<String> {
    db.read(|c| c.query_row(sql, [id], |r| r.get::<_, Option<String>>(0))).unwrap()
}

/// Open tickets where I am primary (they stay in my sync's scope whatever their queue).
fn my_open_tickets(world: &World) -> Vec<(Uuid, i64, String)> {
    world.db.read(|c| {
        c.prepare(
            "SELECT t.id, t.psa_id, t.primary_resource_id FROM tickets t JOIN resources r ON r.id = t.primary_resource_id
             WHERE t.completed_at IS NULL AND t.psa_id IS NOT NULL AND r.psa_id = ?1
             ORDER BY t.psa_id LIMIT 5",
        )?
        .query_map([world.scope.me], |r| Ok((Uuid::parse_str(&r.get::<_, String>(0)?).unwrap(), r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()
    })
    .unwrap()
}

fn psa_ticket(standin: &Standin, id: i64) -> Value {
    standin.snapshot("Tickets").into_iter().find(|t| t["id"].as_i64() == Some(id)).unwrap()
}

fn resource_psa(db: &Db, local: &str) -> i64 {
    db.read(|c| c.query_row("SELECT psa_id FROM resources WHERE id = ?1", [local], |r| r.get(0))).unwrap()
}

#[tokio::test]
async fn an_escalation_reaches_the_psa_with_the_previous_primary_kept_as_secondary() {
    let world = world().await;
    let db = &world.db;
    let senior: String = db
        .read(|c| {
            c.query_row(
                "SELECT id FROM resources WHERE role = 'senior_technician' AND psa_id IS NOT NULL LIMIT 1",
                [],
                |r| r.get(0),
            )
        })
        .expect("a senior technician in the stand-in's team");
    let (ticket, psa, previous) = my_open_tickets(&world).remove(0);
    escalate_ticket(
        db,
        &EscalationDraft { ticket_id: ticket, to_resource_id: senior.clone(), reason: "Needs a domain admin".into() },
        Utc::now(),
    )
    .unwrap();
    let report = cycle(&world).await;
    assert_eq!((report.failed, report.conflicts), (0, 0));
    assert_eq!(report.pushed, 3, "primary, secondary and the note");
    let in_psa = psa_ticket(&world.standin, psa);
    assert_eq!(in_psa["assignedResourceID"].as_i64(), Some(resource_psa(db, &senior)));
    let previous_psa = resource_psa(db, &previous);
    assert!(world
        .standin
        .snapshot("TicketSecondaryResources")
        .iter()
        .any(|s| s["ticketID"].as_i64() == Some(psa) && s["resourceID"].as_i64() == Some(previous_psa)));
    assert!(world.standin.snapshot("TicketNotes").iter().any(|n| n["ticketID"].as_i64() == Some(psa)
        && n["description"].as_str().is_some_and(|d| d.contains("Needs a domain admin"))
        && n["publish"].as_i64() == Some(2)));
    // The next sync agrees: nothing waits, nothing conflicts, the cache keeps both people.
    let report = cycle(&world).await;
    assert_eq!((report.pushed, report.conflicts), (0, 0));
    assert_eq!(text(db, "SELECT primary_resource_id FROM tickets WHERE id = ?1", &ticket.to_string()), Some(senior));
    let secondary: i64 = db
        .read(|c| {
            c.query_row(
                "SELECT count(*) FROM ticket_secondary_resources s JOIN tickets t ON t.row = s.ticket_row
                 WHERE t.id = ?1 AND s.resource_id = ?2",
                [ticket.to_string(), previous],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert_eq!(secondary, 1);
    assert_eq!(fieldkit_core::outbox::count_pending(db).unwrap(), 0);
}

#[tokio::test]
async fn priority_and_queue_merge_three_ways_and_a_clash_asks() {
    let world = world().await;
    let db = &world.db;
    let tickets = my_open_tickets(&world);
    let (one, one_psa, _) = tickets[0].clone();
    let (two, two_psa, _) = tickets[1].clone();
    let (three, three_psa, someone) = tickets[2].clone();
    let priority = |id: &Uuid| -> i64 {
        db.read(|c| c.query_row("SELECT priority FROM tickets WHERE id = ?1", [id.to_string()], |r| r.get(0))).unwrap()
    };
    let other_priority = |p: i64| if p == 1 { 2 } else { 1 };
    // One: I change the priority, the PSA the queue → both kept.
    let mine = other_priority(priority(&one));
    change_priority(db, one, mine, Utc::now()).unwrap();
    world.standin.patch("Tickets", one_psa, json!({ "queueID": 29685 }));
    // Two: both change the priority, differently → a conflict.
    let before = priority(&two);
    let (mine_two, theirs_two) = if before == 3 { (1, 2) } else { (3, if before == 1 { 2 } else { 1 }) };
    change_priority(db, two, mine_two, Utc::now()).unwrap();
    world.standin.patch("Tickets", two_psa, json!({ "priority": theirs_two }));
    // Three: I move it to another queue and hand it to someone else.
    change_queue(db, three, 29685, Utc::now()).unwrap();
    let other: String = db
        .read(|c| {
            c.query_row(
                "SELECT id FROM resources WHERE id <> ?1 AND psa_id IS NOT NULL AND role = 'technician' LIMIT 1",
                [&someone],
                |r| r.get(0),
            )
        })
        .unwrap();
    reassign_ticket(db, three, &other, Utc::now()).unwrap();

    let report = cycle(&world).await;
    assert_eq!(report.conflicts, 1);
    let one_in_psa = psa_ticket(&world.standin, one_psa);
    assert_eq!(one_in_psa["priority"].as_i64(), Some(mine));
    assert_eq!(one_in_psa["queueID"].as_i64(), Some(29685));
    let local_queue: i64 =
        db.read(|c| c.query_row("SELECT queue FROM tickets WHERE id = ?1", [one.to_string()], |r| r.get(0))).unwrap();
    assert_eq!(local_queue, 29685, "the PSA's queue came in beside my priority");
    let three_in_psa = psa_ticket(&world.standin, three_psa);
    assert_eq!(three_in_psa["queueID"].as_i64(), Some(29685));
    assert_eq!(three_in_psa["assignedResourceID"].as_i64(), Some(resource_psa(db, &other)));

    let conflicts = sync::list_conflicts(db).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(
        (conflicts[0].ticket_id, conflicts[0].field.as_str(), conflicts[0].field_label.as_str()),
        (two, "priority", "Priority")
    );
    assert_eq!(psa_ticket(&world.standin, two_psa)["priority"].as_i64(), Some(theirs_two), "held until I choose");
    sync::resolve_conflict(db, conflicts[0].id, Choice::Mine).unwrap();
    let report = cycle(&world).await;
    assert_eq!(report.conflicts, 0);
    assert_eq!(psa_ticket(&world.standin, two_psa)["priority"].as_i64(), Some(mine_two), "mine sent");
    assert_eq!(priority(&two), mine_two);
    assert_eq!(fieldkit_core::outbox::count_pending(db).unwrap(), 0);
}
