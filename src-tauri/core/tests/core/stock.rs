use std::sync::Arc;

use chrono::{Duration, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use fieldkit_core::outbox::list_pending;
use fieldkit_core::reports::{
    create_correction, create_report, save_report_draft, seal_report, PartLine, ReportDraft, ReportError,
    SignatureInput,
};
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::stock::{
    item_history, list_stock, record_movement, save_item, stock_take, stock_usage, MovementDraft, MovementKind,
    StockCategory, StockCount, StockError, StockItem, StockItemDraft, StockLocation,
};
use fieldkit_core::tickets::{list_tickets, TicketQuery, TicketSort, TicketView};
use fieldkit_core::vault::Vault;
use fieldkit_core::Db;

fn item_draft(name: &str, level: &str, quantity: &str, initial: &str) -> StockItemDraft {
    StockItemDraft {
        id: None,
        name: name.into(),
        category: StockCategory::Cables,
        unit: "pcs".into(),
        location: StockLocation::Car,
        reorder_level: level.into(),
        reorder_quantity: quantity.into(),
        notes: String::new(),
        initial_quantity: initial.into(),
    }
}

fn movement(item: Uuid, kind: MovementKind, quantity: &str) -> MovementDraft {
    MovementDraft {
        item_id: item,
        kind,
        quantity: quantity.into(),
        reason: if kind == MovementKind::Adjusted { "Found in the car".into() } else { String::new() },
        ticket_id: None,
        record_anyway: false,
    }
}

fn ledger_sum(db: &Db, item: Uuid) -> i64 {
    db.read(|connection| {
        connection.query_row(
            "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE item_id = ?1",
            [item.to_string()],
            |row| row.get::<_, i64>(0),
        )
    })
    .unwrap()
}

fn item_named(db: &Db, name: &str) -> StockItem {
    list_stock(db).unwrap().items.into_iter().find(|item| item.name == name).unwrap()
}

fn fields(error: StockError) -> Vec<(String, String)> {
    match error {
        StockError::Invalid(fields) | StockError::Short(fields) => {
            fields.into_iter().map(|field| (field.field, field.message)).collect()
        }
        other => panic!("expected field errors, got {other}"),
    }
}

#[derive(Debug, Clone)]
enum Step {
    Receive(u16),
    Use(u16, bool),
    Return(u16),
    Adjust(i16, bool),
    Count(u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1u16..50).prop_map(Step::Receive),
        (1u16..30, any::<bool>()).prop_map(|(n, anyway)| Step::Use(n, anyway)),
        (1u16..10).prop_map(Step::Return),
        (-20i16..20).prop_filter("non-zero", |n| *n != 0).prop_map(|n| Step::Adjust(n, false)),
        (0u16..60).prop_map(Step::Count),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any sequence of movements: the quantity on hand equals the sum of the
    /// ledger and a model of it; it goes below zero only through a movement
    /// recorded anyway, which is marked; a refused movement changes nothing.
    #[test]
    fn the_quantity_on_hand_is_the_sum_of_the_ledger(steps in prop::collection::vec(step(), 1..40)) {
        let db = Db::open_in_memory().unwrap();
        let now = Utc::now();
        let item = save_item(&db, &item_draft("Patch cable", "0", "5", "3"), now).unwrap();
        let mut model: i64 = 3;
        let mut forced_seen = false;
        for (index, step) in steps.iter().enumerate() {
            let at = now + Duration::seconds(index as i64 + 1);
            let (draft, delta) = match *step {
                Step::Receive(n) => (movement(item.id, MovementKind::Received, &n.to_string()), i64::from(n)),
                Step::Use(n, anyway) => {
                    let mut draft = movement(item.id, MovementKind::Used, &n.to_string());
                    draft.record_anyway = anyway;
                    (draft, -i64::from(n))
                }
                Step::Return(n) => (movement(item.id, MovementKind::Returned, &n.to_string()), i64::from(n)),
                Step::Adjust(n, anyway) => {
                    let mut draft = movement(item.id, MovementKind::Adjusted, &format!("{n:+}"));
                    draft.record_anyway = anyway;
                    (draft, i64::from(n))
                }
                Step::Count(n) => (movement(item.id, MovementKind::Counted, &n.to_string()), i64::from(n) - model),
            };
            let goes_negative = delta < 0 && model + delta < 0;
            match record_movement(&db, &draft, at) {
                Ok(outcome) => {
                    prop_assert!(!goes_negative || draft.record_anyway);
                    let recorded = &outcome.movements[0];
                    prop_assert_eq!(recorded.delta, delta);
                    prop_assert_eq!(recorded.forced, goes_negative);
                    forced_seen |= recorded.forced;
                    model += delta;
                    prop_assert_eq!(recorded.balance_after, model);
                }
                Err(StockError::Short(_)) => prop_assert!(goes_negative && !draft.record_anyway),
                Err(other) => prop_assert!(false, "unexpected error {}", other),
            }
            let on_hand = fieldkit_core::stock::get_item(&db, item.id).unwrap().on_hand;
            prop_assert_eq!(on_hand, model);
            prop_assert_eq!(on_hand, ledger_sum(&db, item.id));
            prop_assert!(on_hand >= 0 || forced_seen);
        }
        let history = item_history(&db, item.id, 1000).unwrap();
        let mut running = 0;
        for line in history.movements.iter().rev() {
            running += line.delta;
            prop_assert_eq!(line.balance_after, running);
        }
    }
}

/// Eight threads record 200 movements each on one file: nothing is lost and
/// the stock never went below zero without "record anyway".
#[test]
fn concurrent_saves_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
    let now = Utc::now();
    let item = save_item(&db, &item_draft("USB-C adapter", "2", "10", "50"), now).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|thread| {
            let db = Arc::clone(&db);
            std::thread::spawn(move || {
                let mut applied = 0i64;
                for step in 0..200 {
                    let (kind, quantity) =
                        if (step + thread) % 3 == 0 { (MovementKind::Received, 2) } else { (MovementKind::Used, 1) };
                    match record_movement(&db, &movement(item.id, kind, &quantity.to_string()), now) {
                        Ok(outcome) => applied += outcome.movements[0].delta,
                        Err(StockError::Short(_)) => {}
                        Err(other) => panic!("{other}"),
                    }
                }
                applied
            })
        })
        .collect();
    let applied: i64 = threads.into_iter().map(|thread| thread.join().unwrap()).sum();
    let on_hand = fieldkit_core::stock::get_item(&db, item.id).unwrap().on_hand;
    assert_eq!(on_hand, 50 + applied);
    assert_eq!(on_hand, ledger_sum(&db, item.id));
    let lowest: i64 = db
        .read(|connection| {
            connection.query_row("SELECT min(balance_after) FROM stock_movements", [], |row| row.get::<_, i64>(0))
        })
        .unwrap();
    assert!(lowest >= 0, "the stock went to {lowest} without record anyway");
}

#[test]
fn bad_input_gets_field_level_messages_and_saves_nothing() {
    let db = Db::open_in_memory().unwrap();
    let now = Utc::now();
    let errors = fields(save_item(&db, &item_draft("", "three", "-4", "1.5"), now).unwrap_err());
    assert_eq!(
        errors,
        vec![
            ("name".into(), "Required.".into()),
            ("reorder_level".into(), "Enter a number, such as 3.".into()),
            ("reorder_quantity".into(), "Enter 1 or more.".into()),
            ("initial_quantity".into(), "Enter a whole number, such as 3.".into()),
        ]
    );
    let errors = fields(save_item(&db, &item_draft("HDMI", "2", "99999999999", "5"), now).unwrap_err());
    assert_eq!(errors[0].0, "reorder_quantity");
    assert!(errors[0].1.contains("100,000"), "{errors:?}");
    assert!(list_stock(&db).unwrap().items.is_empty());

    let item = save_item(&db, &item_draft("HDMI cable 2 m", "2", "5", "4"), now).unwrap();
    assert_eq!(item.on_hand, 4);
    let errors = fields(save_item(&db, &item_draft("  hdmi CABLE 2 m ", "1", "1", ""), now).unwrap_err());
    assert_eq!(errors, vec![("name".into(), "An item with this name already exists; choose it from the list.".into())]);

    for (quantity, message) in [
        ("two", "Enter a number, such as 3."),
        ("-2", "Enter 1 or more."),
        ("0", "Enter 1 or more."),
        ("1000000", "That is more than 100,000; enter a smaller number."),
        ("", "Required."),
    ] {
        let errors = fields(record_movement(&db, &movement(item.id, MovementKind::Used, quantity), now).unwrap_err());
        assert_eq!(errors, vec![("quantity".into(), message.into())], "{quantity:?}");
    }
    let mut adjustment = movement(item.id, MovementKind::Adjusted, "-1");
    adjustment.reason = " ".into();
    assert_eq!(
        fields(record_movement(&db, &adjustment, now).unwrap_err()),
        vec![("reason".into(), "Required.".into())]
    );

    // Taking more than there is: refused with the line named, then recorded anyway and marked.
    let errors = fields(record_movement(&db, &movement(item.id, MovementKind::Used, "6"), now).unwrap_err());
    assert_eq!(errors, vec![("quantity".into(), "Only 4 pcs of HDMI cable 2 m on hand; this takes 6.".into())]);
    let mut anyway = movement(item.id, MovementKind::Used, "6");
    anyway.record_anyway = true;
    let outcome = record_movement(&db, &anyway, now).unwrap();
    assert!(outcome.movements[0].forced);
    assert_eq!(outcome.movements[0].balance_after, -2);
    let history = item_history(&db, item.id, 10).unwrap();
    assert_eq!(history.item.on_hand, -2);
    assert!(history.movements[0].forced);

    // A stock-take with one bad count saves none of them.
    let errors = fields(
        stock_take(
            &db,
            &[
                StockCount { item_id: item.id, count: "5".into() },
                StockCount { item_id: item.id, count: "lots".into() },
            ],
            now,
        )
        .unwrap_err(),
    );
    assert_eq!(errors, vec![("counts.1".into(), "Enter a number, such as 3.".into())]);
    assert_eq!(fieldkit_core::stock::get_item(&db, item.id).unwrap().on_hand, -2);
}

#[test]
fn one_restock_request_while_pending_closing_when_stock_is_received() {
    let db = Db::open_in_memory().unwrap();
    let now = Utc::now();
    load_sample_data(&db, 1, now).unwrap();
    let stock = list_stock(&db).unwrap();
    assert_eq!(stock.items.len(), 24);
    assert_eq!(stock.low_count, 0, "the sample kit starts above every reorder level");
    assert!(stock.pending_request.is_none());
    let outbox_before = list_pending(&db).unwrap().len();

    let cable = item_named(&db, "Cat6 patch cable 2 m");
    assert_eq!(cable.on_hand, cable.reorder_level + 2);
    record_movement(&db, &movement(cable.id, MovementKind::Used, "1"), now).unwrap();
    assert!(list_stock(&db).unwrap().pending_request.is_none());
    let outcome = record_movement(&db, &movement(cable.id, MovementKind::Used, "1"), now).unwrap();
    let request = outcome.restock.expect("a restock request is drafted at the reorder level");
    assert_eq!(request.lines.len(), 1);
    assert_eq!(request.lines[0].suggested, 10);
    let stock = list_stock(&db).unwrap();
    assert_eq!(stock.low_count, 1);
    assert_eq!(stock.items[0].id, cable.id, "low items come first");
    assert!(stock.items[0].low && stock.items[0].requested);

    // Further use and a second low item: still one request, which now lists both.
    record_movement(&db, &movement(cable.id, MovementKind::Used, "1"), now).unwrap();
    let labels = item_named(&db, "Cable labels");
    let used = (labels.on_hand - labels.reorder_level).to_string();
    let outcome = record_movement(&db, &movement(labels.id, MovementKind::Used, &used), now).unwrap();
    assert_eq!(outcome.restock.expect("extended").lines.len(), 2);
    let outbox = list_pending(&db).unwrap();
    let requests: Vec<_> = outbox.iter().filter(|entry| entry.summary.starts_with("Restock request")).collect();
    assert_eq!(requests.len(), 1, "one request while one is pending");
    assert_eq!(outbox.len(), outbox_before + 1);
    assert!(requests[0].payload.contains("Cat6 patch cable 2 m") && requests[0].payload.contains("Cable labels"));
    assert!(requests[0].summary.contains("2 items"));

    // Stock received for one item: still pending; for both: closed, the badge clears.
    record_movement(&db, &movement(cable.id, MovementKind::Received, "10"), now).unwrap();
    assert!(list_stock(&db).unwrap().pending_request.is_some());
    record_movement(&db, &movement(labels.id, MovementKind::Received, "20"), now).unwrap();
    let stock = list_stock(&db).unwrap();
    assert!(stock.pending_request.is_none());
    assert_eq!(stock.low_count, 0);

    // Low again later: a new request.
    let cable = item_named(&db, "Cat6 patch cable 2 m");
    let used = (cable.on_hand - cable.reorder_level).to_string();
    assert!(record_movement(&db, &movement(cable.id, MovementKind::Used, &used), now).unwrap().restock.is_some());
    let requests = list_pending(&db).unwrap().into_iter().filter(|e| e.summary.starts_with("Restock request")).count();
    assert_eq!(requests, 2);
}

#[test]
fn sealing_a_report_records_its_stock_parts_as_used_in_the_same_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("fieldkit.db")).unwrap();
    let now = Utc::now();
    load_sample_data(&db, 1, now).unwrap();
    let vault = Vault::default();
    vault.set_up(&db, Some("correct horse battery staple")).unwrap();
    let query = TicketQuery {
        view: TicketView::MyTodo,
        sort: TicketSort::Priority,
        customer_id: None,
        priority: None,
        status: None,
        offset: 0,
        limit: 1,
    };
    let ticket = list_tickets(&db, &query, now).unwrap().rows[0].clone();
    let cable = item_named(&db, "Cat6 patch cable 1 m");
    let hub = item_named(&db, "USB-C multiport hub");

    let report = create_report(&db, ticket.id, now).unwrap();
    let draft = |parts: Vec<PartLine>| ReportDraft {
        id: report.id,
        work_performed: "Replaced two patch cables at the front desk.".into(),
        findings: String::new(),
        recommendations: String::new(),
        customer_notes: String::new(),
        follow_up_needed: false,
        follow_up_what: String::new(),
        parts,
    };
    let parts = vec![
        PartLine { item: "whatever the UI showed".into(), quantity: 2, item_id: Some(cable.id) },
        PartLine { item: "Customer's own switch".into(), quantity: 1, item_id: None },
        PartLine { item: String::new(), quantity: hub.on_hand as u32 + 1, item_id: Some(hub.id) },
    ];
    let saved = save_report_draft(&db, &draft(parts), now).unwrap();
    assert_eq!(saved.parts[0].item, "Cat6 patch cable 1 m", "a stock line carries the item's name");
    let signature = SignatureInput {
        strokes: super::reports::signature_strokes(),
        signer_name: "Dana Reyes".into(),
        signer_title: "Owner".into(),
        no_signature_reason: String::new(),
        record_anyway: false,
        paper: None,
    };

    // More hubs than on hand: the seal is refused, naming the line, and nothing is recorded.
    match seal_report(&db, &vault, report.id, &signature, now) {
        Err(ReportError::Stock(StockError::Short(fields))) => {
            assert_eq!(fields.len(), 1);
            assert_eq!(fields[0].field, "parts.2.quantity");
        }
        other => panic!("expected a stock shortfall, got {other:?}"),
    }
    assert_eq!(item_named(&db, "Cat6 patch cable 1 m").on_hand, cable.on_hand);
    assert!(!fieldkit_core::reports::get_report(&db, report.id).unwrap().sealed);

    // One hub fewer: sealed, and the two lines from stock are recorded as used.
    let parts = vec![
        PartLine { item: String::new(), quantity: 2, item_id: Some(cable.id) },
        PartLine { item: "Customer's own switch".into(), quantity: 1, item_id: None },
        PartLine { item: String::new(), quantity: hub.on_hand as u32, item_id: Some(hub.id) },
    ];
    save_report_draft(&db, &draft(parts), now).unwrap();
    let sealed = seal_report(&db, &vault, report.id, &signature, now).unwrap();
    assert!(sealed.sealed);
    assert!(fieldkit_core::reports::verify_report(&db, Some(&vault), report.id).unwrap().ok);
    let history = item_history(&db, cable.id, 5).unwrap();
    assert_eq!(history.item.on_hand, cable.on_hand - 2);
    let used = &history.movements[0];
    assert_eq!((used.kind, used.delta, used.report_id), (MovementKind::Used, -2, Some(report.id)));
    assert_eq!(used.ticket_id, Some(ticket.id));
    assert_eq!(used.ticket_number, ticket.number);
    assert_eq!(item_named(&db, "USB-C multiport hub").on_hand, 0);
    assert!(list_stock(&db).unwrap().pending_request.is_some(), "the hub is now low");

    // A correction that uses one cable fewer returns one; the rest is unchanged.
    let correction = create_correction(&db, report.id, now + Duration::minutes(5)).unwrap();
    let mut parts = correction.parts.clone();
    parts[0].quantity = 1;
    save_report_draft(&db, &ReportDraft { id: correction.id, ..draft(parts) }, now).unwrap();
    seal_report(&db, &vault, correction.id, &signature, now + Duration::minutes(6)).unwrap();
    let history = item_history(&db, cable.id, 5).unwrap();
    assert_eq!(history.item.on_hand, cable.on_hand - 1);
    assert_eq!((history.movements[0].kind, history.movements[0].delta), (MovementKind::Returned, 1));
    assert_eq!(item_named(&db, "USB-C multiport hub").on_hand, 0);
}

#[test]
fn usage_per_item_per_month() {
    let db = Db::open_in_memory().unwrap();
    let now = Utc::now();
    load_sample_data(&db, 1, now).unwrap();
    let usage = stock_usage(&db, None, 6, now).unwrap();
    assert_eq!(usage.len(), 24);
    assert!(usage.iter().all(|item| item.months.len() == 6));
    assert!(usage[0].total >= usage[1].total, "busiest first");
    assert!(usage.iter().map(|item| item.total).sum::<i64>() > 50, "six months of work use parts");
    for item in &usage {
        assert_eq!(item.total, item.months.iter().map(|month| month.used).sum::<i64>());
    }
    let one = stock_usage(&db, Some(usage[0].item_id), 6, now).unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0], usage[0]);
}
