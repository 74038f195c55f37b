use chrono::{Duration, Utc};
use fieldkit_core::outbox::{list_in_state, list_pending};
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::tickets::{
    get_ticket, report_unticked_checklist_item, set_checklist_item, ticket_checklist, TicketError,
};
use fieldkit_core::Db;
use serde_json::Value;
use uuid::Uuid;

fn loaded() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("fieldkit.db")).unwrap();
    load_sample_data(&db, 1, Utc::now()).unwrap();
    (dir, db)
}

/// A ticket of the sample with a checklist whose first two items are unticked.
fn ticket_with_checklist(db: &Db) -> Uuid {
    let ids: Vec<String> = db
        .read(|c| {
            c.prepare(
                "SELECT t.id FROM tickets t WHERE EXISTS (SELECT 1 FROM checklist_items c WHERE c.ticket_row = t.row)
                 ORDER BY t.row",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()
        })
        .unwrap();
    assert!(ids.len() > 5, "the sample has checklists");
    ids.iter()
        .map(|id| Uuid::parse_str(id).unwrap())
        .find(|id| ticket_checklist(db, *id).unwrap().iter().take(2).all(|item| !item.is_completed))
        .expect("a checklist not started")
}

#[test]
fn a_checklist_lists_in_order_and_a_ticket_without_one_is_empty() {
    let (_dir, db) = loaded();
    let ticket = ticket_with_checklist(&db);
    let items = ticket_checklist(&db, ticket).unwrap();
    assert!(items.len() >= 3);
    assert!(items.windows(2).all(|w| w[0].position <= w[1].position), "in the PSA's order");
    assert!(items.iter().all(|item| !item.is_waiting));
    let without: String = db
        .read(|c| {
            c.query_row(
                "SELECT id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM checklist_items c WHERE c.ticket_row = t.row) LIMIT 1",
                [],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert!(ticket_checklist(&db, Uuid::parse_str(&without).unwrap()).unwrap().is_empty());
    assert!(matches!(ticket_checklist(&db, Uuid::new_v4()), Err(TicketError::NotFound(_))));
}

#[test]
fn a_tick_writes_the_item_and_its_outbox_entry_and_a_retick_goes_out_once() {
    let (_dir, db) = loaded();
    let ticket = ticket_with_checklist(&db);
    let number = get_ticket(&db, ticket, Utc::now()).unwrap().summary.number;
    let item = ticket_checklist(&db, ticket).unwrap()[0].clone();
    let before = list_pending(&db).unwrap().len();
    let now = Utc::now();

    let ticked = set_checklist_item(&db, item.id, true, now).unwrap();
    assert!(ticked.is_completed && ticked.is_waiting);
    assert_eq!(ticked.completed_by_name, "Alex Morgan", "ticked by me");
    assert_eq!(ticked.completed_at, Some(now));
    let pending = list_pending(&db).unwrap();
    assert_eq!(pending.len(), before + 1);
    let entry = pending.last().unwrap();
    assert_eq!(
        (entry.entity.as_str(), entry.operation.as_str(), entry.entity_id),
        ("TicketChecklistItem", "update", item.id)
    );
    assert!(entry.summary.contains(&number) && entry.summary.contains(&item.name), "{}", entry.summary);
    let payload: Value = serde_json::from_str(&entry.payload).unwrap();
    assert_eq!(payload["ticket"], ticket.to_string());
    assert_eq!(payload["isCompleted"], true);
    assert!(payload["completedBy"].is_string());
    assert!(payload["completedDateTime"].as_str().unwrap().ends_with('Z'));

    // The same state again: nothing new to send.
    set_checklist_item(&db, item.id, true, now).unwrap();
    assert_eq!(list_pending(&db).unwrap().len(), before + 1);

    // Untick, tick again before any sync: one entry waits, with the last state.
    let unticked = set_checklist_item(&db, item.id, false, now + Duration::minutes(1)).unwrap();
    assert!(!unticked.is_completed && unticked.completed_at.is_none() && unticked.completed_by_name.is_empty());
    set_checklist_item(&db, item.id, true, now + Duration::minutes(2)).unwrap();
    let mine: Vec<_> = list_pending(&db).unwrap().into_iter().filter(|e| e.entity_id == item.id).collect();
    assert_eq!(mine.len(), 1, "re-ticking supersedes the entry not sent yet");
    let payload: Value = serde_json::from_str(&mine[0].payload).unwrap();
    assert_eq!(payload["isCompleted"], true);
    let superseded = list_in_state(&db, "superseded").unwrap();
    assert_eq!(superseded.iter().filter(|e| e.entity_id == item.id).count(), 2);

    // Survives a reopen: the tick is in the file.
    assert!(ticket_checklist(&db, ticket).unwrap()[0].is_completed);
}

#[test]
fn an_unticked_item_becomes_a_discrepancy_report_naming_it() {
    let (_dir, db) = loaded();
    let ticket = ticket_with_checklist(&db);
    let items = ticket_checklist(&db, ticket).unwrap();
    let item = &items[1];
    let report = report_unticked_checklist_item(&db, item.id, Utc::now()).unwrap();
    let detail = get_ticket(&db, report, Utc::now()).unwrap();
    assert!(detail.summary.title.starts_with("Discrepancy: Missing checklist item"), "{}", detail.summary.title);
    assert!(
        detail.description.starts_with(&format!("Checklist item not done: {}", item.name)),
        "{}",
        detail.description
    );
    assert_eq!(detail.noticed_on.map(|link| link.id), Some(ticket));
    let entry = list_pending(&db).unwrap().into_iter().last().unwrap();
    assert_eq!((entry.entity.as_str(), entry.entity_id), ("Ticket", report));

    // A ticked item has nothing to report; nothing is created.
    set_checklist_item(&db, item.id, true, Utc::now()).unwrap();
    let pending = list_pending(&db).unwrap().len();
    assert!(matches!(report_unticked_checklist_item(&db, item.id, Utc::now()), Err(TicketError::NotPossible(_))));
    assert!(matches!(set_checklist_item(&db, Uuid::new_v4(), true, Utc::now()), Err(TicketError::NotPossible(_))));
    assert_eq!(list_pending(&db).unwrap().len(), pending);
}

#[test]
fn ticking_needs_to_know_who_i_am() {
    let (_dir, db) = loaded();
    let ticket = ticket_with_checklist(&db);
    let item = ticket_checklist(&db, ticket).unwrap()[0].clone();
    db.write(|tx| tx.execute("DELETE FROM settings WHERE key = 'me'", [])).unwrap();
    let pending = list_pending(&db).unwrap().len();
    let error = set_checklist_item(&db, item.id, true, Utc::now()).unwrap_err();
    assert!(error.to_string().contains("Settings"), "{error}");
    assert!(!ticket_checklist(&db, ticket).unwrap()[0].is_completed, "nothing half-done");
    assert_eq!(list_pending(&db).unwrap().len(), pending);
}
