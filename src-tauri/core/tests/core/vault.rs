use std::collections::BTreeMap;

use chrono::Utc;
use fieldkit_core::changes::{reveal_secret, save_change, ChangeCategory, ChangeDraft, ChangeError, SecretUse};
use fieldkit_core::customers::{list_customers, CustomerQuery};
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::sync::{get_sync_settings, save_sync_settings, SyncSettingsDraft};
use fieldkit_core::vault::{reset_preview, Vault, VaultError, VaultState, RESET_CONFIRMATION};
use fieldkit_core::Db;

fn password_change(customer_id: uuid::Uuid, secret: &str) -> ChangeDraft {
    ChangeDraft {
        correcting: None,
        customer_id,
        site_id: None,
        device_id: None,
        ticket_id: None,
        category: ChangeCategory::PasswordChange,
        summary: "Reset the server admin password".into(),
        fields: BTreeMap::from([
            ("system".to_string(), "SRV01 local admin".to_string()),
            ("vault_reference".to_string(), "IT Glue: SRV01".to_string()),
        ]),
        secret: Some(secret.into()),
    }
}

#[test]
fn resetting_secrets_drops_the_key_and_every_secret_encrypted_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("fieldkit.db")).unwrap();
    let now = Utc::now();
    load_sample_data(&db, 1, now).unwrap();
    let vault = Vault::default();
    vault.set_up(&db, Some("a passphrase that will be forgotten")).unwrap();
    let customer = list_customers(&db, &CustomerQuery { search: String::new(), limit: Some(1) }).unwrap()[0].id;
    let first = save_change(&db, &vault, &password_change(customer, "Osprey-1"), now).unwrap();
    let mut correction = password_change(customer, "Osprey-2");
    correction.correcting = Some(first.record_id);
    save_change(&db, &vault, &correction, now).unwrap();
    let second = save_change(&db, &vault, &password_change(customer, "Kestrel-3"), now).unwrap();
    save_sync_settings(
        &db,
        &vault,
        &SyncSettingsDraft {
            psa: Default::default(),
            tenant: String::new(),
            discovery_url: "https://webservices.autotask.net/atservicesrest".into(),
            api_user: "api@example.com".into(),
            integration_code: "CODE".into(),
            secret: "psa secret".into(),
            resource_id: String::new(),
            queue_ids: vec![],
            interval_minutes: 5,
        },
    )
    .unwrap();
    db.write(|tx| tx.execute("INSERT INTO seal_keys (id, public_key, sealed_secret) VALUES (1, 'ab', x'00')", []))
        .unwrap();

    // The passphrase is lost: nothing opens.
    vault.lock();
    let preview = reset_preview(&db).unwrap();
    assert_eq!(preview.change_secrets, 2, "two records, one with two revisions");
    assert!(preview.psa_credentials);
    assert!(preview.sealing_key);
    assert_eq!(preview.lost.len(), 3, "{:?}", preview.lost);

    assert!(matches!(vault.reset(&db, "yes"), Err(VaultError::Invalid(_))));
    assert!(get_sync_settings(&db).unwrap().has_credentials, "nothing dropped without the confirmation");

    let summary = vault.reset(&db, RESET_CONFIRMATION).unwrap();
    assert_eq!(summary, preview);
    assert_eq!(vault.status(&db).unwrap().state, VaultState::NotSetUp);
    assert!(!get_sync_settings(&db).unwrap().has_credentials);
    let left: i64 = db
        .read(|c| {
            c.query_row("SELECT count(*) FROM change_records WHERE secret_ciphertext IS NOT NULL", [], |r| r.get(0))
        })
        .unwrap();
    assert_eq!(left, 0);
    let records: i64 = db.read(|c| c.query_row("SELECT count(*) FROM change_records", [], |r| r.get(0))).unwrap();
    assert!(records >= 3, "the records themselves stay");
    let seal_keys: i64 = db.read(|c| c.query_row("SELECT count(*) FROM seal_keys", [], |r| r.get(0))).unwrap();
    assert_eq!(seal_keys, 1, "the sealing key's row is kept");

    // Secrets start afresh.
    vault.set_up(&db, Some("a passphrase to remember")).unwrap();
    assert!(matches!(reveal_secret(&db, &vault, second.id, SecretUse::Reveal, now), Err(ChangeError::NotFound(_))));
    let fresh = save_change(&db, &vault, &password_change(customer, "Merlin-4"), now).unwrap();
    assert_eq!(reveal_secret(&db, &vault, fresh.id, SecretUse::Reveal, now).unwrap().as_str(), "Merlin-4");
    assert_eq!(reset_preview(&db).unwrap().change_secrets, 1);
}
