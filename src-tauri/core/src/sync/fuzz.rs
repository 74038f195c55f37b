//! A fuzz harness over what the PSA sends, on stable Rust (proptest, a
//! bounded number of cases: `PROPTEST_CASES` raises it): arbitrary records
//! of every kind, whole page bodies as bytes (arbitrary and truncated), and
//! stored conflict bases that are not objects. Each must end in a clear
//! error or a clean apply: never a panic, never a half-written page.

use chrono::Utc;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::apply::apply_page;
use super::connector::Kind;
use super::SyncError;
use crate::db::Db;

/// Field names the connector reads, so the fuzz reaches past "no id".
const FIELDS: &[&str] = &[
    "id",
    "companyID",
    "companyLocationID",
    "contactID",
    "ticketID",
    "resourceID",
    "roleID",
    "serviceCallID",
    "serviceCallTicketID",
    "assignedResourceID",
    "assignedResourceRoleID",
    "configurationItemID",
    "ticketNumber",
    "title",
    "description",
    "status",
    "priority",
    "queueID",
    "issueType",
    "subIssueType",
    "createDate",
    "lastActivityDate",
    "lastModifiedDateTime",
    "dueDateTime",
    "startDateTime",
    "endDateTime",
    "dateWorked",
    "hoursWorked",
    "summaryNotes",
    "internalNotes",
    "noteType",
    "publish",
    "companyName",
    "firstName",
    "lastName",
    "emailAddress",
    "phone",
    "address1",
    "city",
    "name",
    "isActive",
    "isDefault",
    "serialNumber",
    "referenceTitle",
    "userDefinedFields",
    "createDateTime",
    "creatorResourceID",
    "lastActivityPersonType",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-5i64..50_000).prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::from),
        Just(Value::from("2026-11-29T09:00:00.000Z")),
        Just(Value::from("2026-02-30T25:61:00Z")),
        Just(Value::from("\u{0}\u{202e}<script>")),
        "[0-9]{1,25}".prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(FIELDS), inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

fn record() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::collection::vec((prop::sample::select(FIELDS), value()), 0..14).prop_map(|pairs| {
            let mut object = Map::new();
            for (key, value) in pairs {
                object.insert(key.to_string(), value);
            }
            Value::Object(object)
        }),
        1 => value(),
    ]
}

fn counts(db: &Db) -> Vec<i64> {
    db.read(|c| {
        [
            "resources",
            "customers",
            "sites",
            "contacts",
            "devices",
            "tickets",
            "ticket_notes",
            "appointments",
            "time_entries",
            "outbox",
        ]
        .iter()
        .map(|table| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
        .collect::<rusqlite::Result<Vec<i64>>>()
    })
    .unwrap()
}

/// Applies one page in one transaction, like the engine; an error must
/// leave the cache as it was.
fn apply_checked(db: &Db, kind: Kind, records: &[Value]) {
    let before = counts(db);
    let outcome = db.write(|tx| -> Result<(), SyncError> { apply_page(tx, kind, records, Utc::now()).map(|_| ()) });
    if let Err(error) = outcome {
        assert!(!error.to_string().is_empty());
        assert_eq!(counts(db), before, "a refused page left rows behind ({error})");
    }
}

fn sample_db() -> Db {
    let db = Db::open_in_memory().unwrap();
    crate::sample_data::load_sample_data(&db, 1, Utc::now()).unwrap();
    db
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_records_of_every_kind_apply_or_fail_cleanly(
        kind in prop::sample::select(Kind::ALL.to_vec()),
        records in prop::collection::vec(record(), 0..6),
    ) {
        let db = sample_db();
        apply_checked(&db, kind, &records);
    }

    /// Whole page bodies as the HTTP layer gets them: arbitrary bytes, and a
    /// real page cut anywhere.
    #[test]
    fn page_bodies_arbitrary_or_truncated_fail_cleanly(
        kind in prop::sample::select(Kind::ALL.to_vec()),
        bytes in prop::collection::vec(any::<u8>(), 0..256),
        cut in 0usize..400,
    ) {
        let db = sample_db();
        let real = json!({ "items": [{ "id": 901, "ticketID": 1, "title": "Printer", "description": "Jammed",
            "lastActivityDate": "2026-11-29T09:00:00.000Z", "companyID": 0 }], "pageDetails": { "count": 1, "nextPageUrl": null } })
            .to_string();
        let truncated = &real.as_bytes()[..cut.min(real.len())];
        for body in [bytes.as_slice(), truncated] {
            match serde_json::from_slice::<Value>(body) {
                Ok(page) => {
                    let items = page.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
                    apply_checked(&db, kind, &items);
                }
                Err(error) => prop_assert!(!error.to_string().is_empty()),
            }
        }
    }

    /// Picklists (`entityInformation/fields`) and error bodies as the PSA
    /// may send them: a clear error or what could be read, never a panic;
    /// stored error text stays bounded; picklists apply or fail whole.
    #[test]
    fn picklists_and_error_bodies_of_any_shape(info in value(), body in ".{0,300}", bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let db = sample_db();
        for entity in ["Tickets", "TicketNotes"] {
            for info in [info.clone(), json!({ "fields": [ { "name": "status", "isPickList": true, "picklistValues": [info.clone(), { "value": "x", "label": 1 }, { "value": "7", "label": "Seven" }] } ] })] {
                match super::autotask::picklist_values(entity, &info) {
                    Ok(values) => {
                        let before = counts(&db);
                        let applied = db.write(|tx| super::apply::apply_picklists(tx, &values));
                        if applied.is_err() {
                            prop_assert_eq!(counts(&db), before);
                        }
                    }
                    Err(error) => prop_assert!(!error.to_string().is_empty()),
                }
            }
        }
        for text in [body.clone(), String::from_utf8_lossy(&bytes).into_owned(), json!({ "errors": [body.repeat(20), info] }).to_string()] {
            let said = super::autotask::client::error_text(&text);
            prop_assert!(said.chars().count() <= 2_000);
        }
    }

    /// A stored conflict base that is not an object (damaged, or written by
    /// another version) must not panic the merge the sync runs.
    #[test]
    fn a_stored_base_that_is_not_an_object_does_not_kill_the_sync(stored in value()) {
        let db = sample_db();
        let row: i64 = db.read(|c| c.query_row("SELECT row FROM tickets LIMIT 1", [], |r| r.get(0))).unwrap();
        db.write(|tx| tx.execute(
            "INSERT INTO sync_base (ticket_row, fields) VALUES (?1, ?2)
             ON CONFLICT (ticket_row) DO UPDATE SET fields = excluded.fields",
            rusqlite::params![row, stored.to_string()],
        )).unwrap();
        let outcome = db.write(|tx| -> Result<(), SyncError> {
            super::conflicts::merge_ticket(tx, row, 8, Some("someone".into()), Utc::now())?;
            super::conflicts::agree(tx, row, "status", &json!(5))?;
            Ok(())
        });
        prop_assert!(outcome.is_ok(), "{outcome:?}");
    }
}
