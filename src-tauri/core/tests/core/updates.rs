//! Updates: the "is it quiet?" rule against a real SQLite file with the
//! sample data — an open visit and changes not yet sent hold an update back.

use chrono::{Duration, Utc};
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::tickets::{add_note, NoteDraft};
use fieldkit_core::updates::quiet;
use fieldkit_core::visits::{start_visit, VisitStart};
use fieldkit_core::Db;
use uuid::Uuid;

fn open_ticket(db: &Db) -> Uuid {
    let id: String = db
        .read(|c| {
            c.query_row("SELECT id FROM tickets WHERE completed_at IS NULL ORDER BY row LIMIT 1", [], |r| r.get(0))
        })
        .unwrap();
    Uuid::parse_str(&id).unwrap()
}

#[test]
fn an_open_visit_or_an_unsent_change_holds_an_update_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("fieldkit.db")).unwrap();
    let t0 = Utc::now();
    load_sample_data(&db, 1, t0).unwrap();
    db.write(|tx| tx.execute("UPDATE outbox SET state = 'sent'", [])).unwrap();

    let calm = quiet(&db).unwrap();
    assert!(calm.quiet, "{calm:?}");
    assert!(calm.reasons.is_empty());

    // Three notes written offline: the update waits for the sync.
    let ticket = open_ticket(&db);
    for n in 0..3 {
        let draft = NoteDraft { ticket_id: ticket, body: format!("Checked cable {n}"), is_customer_visible: false };
        add_note(&db, &draft, t0 + Duration::seconds(n)).unwrap();
    }
    let busy = quiet(&db).unwrap();
    assert!(!busy.quiet);
    assert_eq!(busy.unsent_changes, 3);
    assert_eq!(busy.reasons, vec!["3 changes not yet sent"]);

    // A refused change is not sent either.
    db.write(|tx| {
        tx.execute(
            "UPDATE outbox SET state = 'failed' WHERE seq = (SELECT min(seq) FROM outbox WHERE state = 'pending')",
            [],
        )
    })
    .unwrap();
    assert_eq!(quiet(&db).unwrap().unsent_changes, 3);

    // The sync sent them; a visit starts.
    db.write(|tx| tx.execute("UPDATE outbox SET state = 'sent'", [])).unwrap();
    let start = VisitStart { ticket_id: ticket, appointment_id: None, kind: None, if_running: None };
    let visit = start_visit(&db, &start, t0 + Duration::minutes(5)).unwrap().visit;
    db.write(|tx| tx.execute("UPDATE outbox SET state = 'sent'", [])).unwrap();
    let visiting = quiet(&db).unwrap();
    assert!(!visiting.quiet);
    assert_eq!((visiting.open_visits, visiting.unsent_changes), (1, 0));
    assert_eq!(visiting.reasons, vec!["a visit is in progress"]);

    // Closed: quiet again.
    db.write(|tx| {
        tx.execute(
            "UPDATE visits SET closed_at = ?2 WHERE id = ?1",
            [visit.id.to_string(), (t0 + Duration::hours(1)).to_rfc3339()],
        )
    })
    .unwrap();
    assert!(quiet(&db).unwrap().quiet);
}
