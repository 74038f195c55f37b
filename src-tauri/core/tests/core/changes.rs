use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use fieldkit_core::changes::{
    change_history, export_changes, list_changes, post_change_to_ticket, reveal_secret, save_change, ChangeCategory,
    ChangeDraft, ChangeError, ChangeQuery, ExportFormat, SecretUse,
};
use fieldkit_core::customers::{list_customers, CustomerQuery};
use fieldkit_core::outbox::list_pending;
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::tickets::{get_ticket, list_tickets, TicketQuery, TicketSort, TicketView};
use fieldkit_core::vault::{Vault, VaultError};
use fieldkit_core::Db;

const PASSWORD: &str = "Zq7-Kestrel-Plaintext-4471";
const LICENSE_KEY: &str = "LKEY-Osprey-99X1-PLAIN";

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

#[test]
fn secrets_are_encrypted_and_never_leak_while_records_keep_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fieldkit.db");
    let db = Db::open(&path).unwrap();
    let now = Utc::now();
    load_sample_data(&db, 1, now).unwrap();
    let vault = Vault::default();
    vault.set_up(&db, Some("correct horse battery staple")).unwrap();
    let ticket = list_tickets(
        &db,
        &TicketQuery {
            view: TicketView::MyTodo,
            sort: TicketSort::Priority,
            customer_id: None,
            priority: None,
            status: None,
            offset: 0,
            limit: 1,
        },
        now,
    )
    .unwrap()
    .rows[0]
        .clone();

    let password = save_change(
        &db,
        &vault,
        &ChangeDraft {
            correcting: None,
            customer_id: ticket.customer_id,
            site_id: None,
            device_id: None,
            ticket_id: Some(ticket.id),
            category: ChangeCategory::PasswordChange,
            summary: "Reset the front desk admin password".into(),
            fields: fields(&[("system", "FRONTDESK local admin"), ("vault_reference", "IT Glue: Front desk")]),
            secret: Some(PASSWORD.into()),
        },
        now,
    )
    .unwrap();
    assert!(password.has_secret);
    let license = save_change(
        &db,
        &vault,
        &ChangeDraft {
            correcting: None,
            customer_id: ticket.customer_id,
            site_id: None,
            device_id: None,
            ticket_id: None,
            category: ChangeCategory::SoftwareLicense,
            summary: "Office seats for the new hires".into(),
            fields: fields(&[("product", "Microsoft 365 Business"), ("seats", "3")]),
            secret: Some(LICENSE_KEY.into()),
        },
        now,
    )
    .unwrap();

    // A network change, then its correction: two revisions, the first unchanged.
    let network = save_change(
        &db,
        &vault,
        &ChangeDraft {
            correcting: None,
            customer_id: ticket.customer_id,
            site_id: None,
            device_id: None,
            ticket_id: None,
            category: ChangeCategory::NetworkChange,
            summary: "Moved the printer to the office VLAN".into(),
            fields: fields(&[("what_changed", "VLAN"), ("before", "VLAN 1"), ("after", "VLAN 20")]),
            secret: None,
        },
        now,
    )
    .unwrap();
    let corrected = save_change(
        &db,
        &vault,
        &ChangeDraft {
            correcting: Some(network.record_id),
            customer_id: ticket.customer_id,
            site_id: None,
            device_id: None,
            ticket_id: None,
            category: ChangeCategory::NetworkChange,
            summary: "Moved the printer to the office VLAN".into(),
            fields: fields(&[("what_changed", "VLAN"), ("before", "VLAN 1"), ("after", "VLAN 30")]),
            secret: None,
        },
        now + Duration::minutes(5),
    )
    .unwrap();
    assert_eq!(corrected.revision, 2);
    let history = change_history(&db, network.record_id).unwrap();
    assert_eq!(history.revisions.len(), 2);
    assert_eq!(history.revisions[0].fields.iter().find(|f| f.key == "after").unwrap().value, "VLAN 20");
    assert!(!history.revisions[0].is_current && history.revisions[1].is_current);

    // Every path that shows records.
    let page =
        list_changes(&db, &ChangeQuery { customer_id: Some(ticket.customer_id), limit: 50, ..Default::default() })
            .unwrap();
    assert_eq!(page.total, 3, "current revisions only");
    let list_json = serde_json::to_string(&page.rows).unwrap();
    let history_json = serde_json::to_string(&change_history(&db, password.record_id).unwrap().revisions).unwrap();
    let search_hits =
        list_changes(&db, &ChangeQuery { search: "Kestrel".into(), limit: 50, ..Default::default() }).unwrap();
    assert_eq!(search_hits.total, 0, "secrets are not searchable");
    assert_eq!(
        list_changes(&db, &ChangeQuery { search: "front desk".into(), limit: 50, ..Default::default() }).unwrap().total,
        1
    );
    let markdown = export_changes(&db, ticket.customer_id, None, None, ExportFormat::Markdown).unwrap();
    let csv = export_changes(&db, ticket.customer_id, None, None, ExportFormat::Csv).unwrap();
    assert!(markdown.contains("Reset the front desk admin password") && markdown.contains("not exported"));
    post_change_to_ticket(&db, password.id, now).unwrap();
    let outbox = serde_json::to_string(&list_pending(&db).unwrap()).unwrap();
    assert!(outbox.contains("Reset the front desk admin password"));
    let note = get_ticket(&db, ticket.id, now).unwrap().notes[0].body.clone();
    for (what, text) in [
        ("list", &list_json),
        ("history", &history_json),
        ("markdown", &markdown),
        ("csv", &csv),
        ("outbox", &outbox),
        ("note", &note),
    ] {
        assert!(!text.contains(PASSWORD) && !text.contains(LICENSE_KEY), "a secret leaked into the {what}");
    }

    // Revealing is deliberate and recorded.
    let secret = reveal_secret(&db, &vault, password.id, SecretUse::Reveal, now).unwrap();
    assert_eq!(secret.as_str(), PASSWORD);
    reveal_secret(&db, &vault, license.id, SecretUse::Copy, now).unwrap();
    let events = change_history(&db, password.record_id).unwrap().events;
    assert_eq!(events.iter().map(|e| e.what.as_str()).collect::<Vec<_>>(), vec!["revealed"]);

    // On disk: the database and its WAL hold only ciphertext.
    for file in ["fieldkit.db", "fieldkit.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(!contains(&bytes, PASSWORD) && !contains(&bytes, LICENSE_KEY), "a secret is in {file} as plaintext");
    }

    // Locked: a new secret cannot be saved, and nothing is written.
    vault.lock();
    let before = list_changes(&db, &ChangeQuery { limit: 1, ..Default::default() }).unwrap().total;
    let locked = save_change(
        &db,
        &vault,
        &ChangeDraft {
            correcting: None,
            customer_id: ticket.customer_id,
            site_id: None,
            device_id: None,
            ticket_id: None,
            category: ChangeCategory::PasswordChange,
            summary: "Another".into(),
            fields: fields(&[("system", "x"), ("vault_reference", "y")]),
            secret: Some("whatever-secret".into()),
        },
        now,
    );
    assert!(matches!(locked, Err(ChangeError::Vault(VaultError::Locked))));
    assert_eq!(list_changes(&db, &ChangeQuery { limit: 1, ..Default::default() }).unwrap().total, before);
    assert!(matches!(vault.unlock(&db, Some("not the passphrase")), Err(VaultError::WrongPassphrase)));
    vault.unlock(&db, Some("correct horse battery staple")).unwrap();

    // A tampered ciphertext is detected.
    drop(db);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let mut sealed: Vec<u8> = raw
        .query_row("SELECT secret_ciphertext FROM change_records WHERE id = ?1", [password.id.to_string()], |r| {
            r.get(0)
        })
        .unwrap();
    let last = sealed.len() - 1;
    sealed[last] ^= 0x01;
    raw.execute(
        "UPDATE change_records SET secret_ciphertext = ?2 WHERE id = ?1",
        rusqlite::params![password.id.to_string(), sealed],
    )
    .unwrap();
    drop(raw);
    let db = Db::open(&path).unwrap();
    assert!(matches!(
        reveal_secret(&db, &vault, password.id, SecretUse::Reveal, now),
        Err(ChangeError::Vault(VaultError::Tampered))
    ));
    assert!(list_customers(&db, &CustomerQuery::default()).unwrap().len() == 10);
}

#[test]
fn bad_input_gets_field_messages() {
    let db = Db::open_in_memory().unwrap();
    load_sample_data(&db, 1, Utc::now()).unwrap();
    let customer = list_customers(&db, &CustomerQuery::default()).unwrap()[0].id;
    let vault = Vault::default();
    let result = save_change(
        &db,
        &vault,
        &ChangeDraft {
            correcting: None,
            customer_id: customer,
            site_id: None,
            device_id: None,
            ticket_id: None,
            category: ChangeCategory::NewUser,
            summary: " ".into(),
            fields: fields(&[("admin_rights", "maybe")]),
            secret: Some("not for users".into()),
        },
        Utc::now(),
    );
    match result {
        Err(ChangeError::Invalid(errors)) => {
            let paths: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
            for expected in ["summary", "fields.username", "fields.system", "fields.admin_rights", "secret"] {
                assert!(paths.contains(&expected), "{expected} in {paths:?}");
            }
        }
        other => panic!("expected field errors, got {:?}", other.map(|r| r.summary)),
    }
}
