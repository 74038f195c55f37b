//! The sync settings. The server address, the API user, which resource I am
//! and my queues are plain settings; the integration code and the secret are
//! encrypted by the vault (whose key lives in the OS keychain, or behind the
//! technician's passphrase) and appear in no list, log or export.
//!
//! The encrypted credentials are bound to the server address and the API
//! user they were entered for: changing either in the form asks for them
//! again, and a row whose address was changed behind the form's back does
//! not decrypt — the secret is never sent to an address it was not given for.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::autotask::{check_url, Autotask, Endpoint, RetryPolicy};
use super::connector::Scope;
use super::halopsa::HaloPsa;
use super::psa::{cache_has_psa_records, AnyConnector, Psa, PsaChoice, PsaLabels};
use super::SyncError;
use crate::db::Db;
use crate::validation::FieldErrors;
use crate::vault::{Vault, VaultError};

/// The vault context (AEAD associated data) of the credentials: they open
/// only for the server address and API user they were sealed with. A JSON
/// array, so no address or user name can pass for another pair.
fn context(discovery_url: &str, api_user: &str) -> String {
    json!(["psa credentials", discovery_url, api_user]).to_string()
}

/// Why stored credentials do not open under the current address and user.
const NOT_FOR_THIS_SERVER: &str = "The stored PSA credentials were entered for another server address or API user. \
                                   Enter the integration code and secret again in Settings → Sync.";

/// The sync settings as the Settings page shows them (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SyncSettings {
    /// The PSA this data folder syncs with.
    pub psa: Psa,
    /// Its words for the UI (from its connector).
    pub labels: PsaLabels,
    /// The PSAs to choose from, each with its words.
    pub choices: Vec<PsaChoice>,
    /// The server address (Autotask) or Halo URL.
    pub discovery_url: String,
    /// Autotask's API user, or Halo's client id.
    pub api_user: String,
    /// An integration code and secret are stored (encrypted).
    pub has_credentials: bool,
    /// My PSA resource id.
    pub resource_id: Option<i64>,
    /// The queues whose tickets I keep, besides mine.
    pub queue_ids: Vec<i64>,
    pub interval_minutes: u32,
    /// Halo's tenant (`?tenant=` on the token request; hosted Halo only).
    pub tenant: String,
}

/// The form. Empty `integration_code` and `secret` keep the stored ones.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SyncSettingsDraft {
    #[serde(default)]
    pub psa: Psa,
    pub discovery_url: String,
    pub api_user: String,
    pub integration_code: String,
    pub secret: String,
    pub resource_id: String,
    pub queue_ids: Vec<i64>,
    pub interval_minutes: u32,
    #[serde(default)]
    pub tenant: String,
}

fn get(tx: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<String>> {
    tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()
}

fn put(tx: &Transaction<'_>, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

fn read(connection: &rusqlite::Connection) -> rusqlite::Result<SyncSettings> {
    let psa = get(connection, "sync.psa")?.and_then(|p| Psa::parse(&p)).unwrap_or_default();
    Ok(SyncSettings {
        psa,
        labels: psa.labels(),
        choices: Psa::choices(),
        tenant: get(connection, "sync.tenant")?.unwrap_or_default(),
        discovery_url: get(connection, "sync.discovery_url")?.unwrap_or_default(),
        api_user: get(connection, "sync.api_user")?.unwrap_or_default(),
        has_credentials: get(connection, "sync.credentials")?.is_some(),
        resource_id: get(connection, "sync.resource_id")?.and_then(|t| t.parse().ok()),
        queue_ids: get(connection, "sync.queue_ids")?.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default(),
        interval_minutes: get(connection, "sync.interval_minutes")?.and_then(|t| t.parse().ok()).unwrap_or(5),
    })
}

pub fn get_sync_settings(db: &Db) -> Result<SyncSettings, SyncError> {
    Ok(db.read(read)?)
}

/// Saves the settings; new credentials are encrypted by the (unlocked) vault.
pub fn save_sync_settings(db: &Db, vault: &Vault, draft: &SyncSettingsDraft) -> Result<SyncSettings, SyncError> {
    let mut errors = FieldErrors::default();
    let url = errors.text("discovery_url", &draft.discovery_url, true, 300);
    if !url.is_empty() {
        if let Err(message) = check_url(&url) {
            errors.add("discovery_url", message);
        }
    }
    let api_user = errors.text("api_user", &draft.api_user, true, 200);
    let code = errors.text("integration_code", &draft.integration_code, false, 200);
    let secret = draft.secret.trim().to_string();
    let resource = draft.resource_id.trim();
    let resource_id = match resource.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ if resource.is_empty() => None,
        _ => {
            errors.add("resource_id", "Enter your resource id from the PSA, a number such as 29682885.");
            None
        }
    };
    if !(1..=240).contains(&draft.interval_minutes) {
        errors.add("interval_minutes", "Choose between 1 and 240 minutes.");
    }
    let tenant = errors.text("tenant", &draft.tenant, false, 200);
    let before = db.read(read)?;
    // The cache belongs to one PSA: another is a fresh data folder.
    if draft.psa != before.psa && db.read(cache_has_psa_records)? {
        return Err(SyncError::Settings(format!(
            "This data folder holds records from {}: it cannot sync with {} as well. To use {}, start Fieldkit with a              new data folder (FIELDKIT_DATA_DIR) and connect it there; this one keeps its {} data.",
            before.labels.name,
            draft.psa.labels().name,
            draft.psa.labels().name,
            before.labels.name
        )));
    }
    let url = url.trim_end_matches('/').to_string();
    // Credentials are kept only for the PSA, server and user they were entered for.
    let moved = before.discovery_url != url || before.api_user != api_user || before.psa != draft.psa;
    let stored = before.has_credentials && !moved;
    // Halo needs no integration code: the client id and secret do.
    if !stored && code.is_empty() && draft.psa == Psa::Autotask {
        errors.add("integration_code", "Required.");
    }
    if !stored && secret.is_empty() {
        errors.add("secret", "Required.");
    }
    errors.into_result().map_err(SyncError::Invalid)?;
    let sealed = if code.is_empty() && secret.is_empty() {
        None
    } else {
        // One of the two may be kept: merge with what is stored.
        let (old_code, old_secret) = match stored {
            true => credentials(db, vault, &url, &api_user)?,
            false => (String::new(), zeroize::Zeroizing::new(String::new())),
        };
        let merged = json!({
            "integration_code": if code.is_empty() { old_code } else { code },
            "secret": if secret.is_empty() { old_secret.to_string() } else { secret },
        });
        let sealed = vault.encrypt(&merged.to_string(), &context(&url, &api_user))?;
        Some(base64::engine::general_purpose::STANDARD.encode(sealed))
    };
    db.write(|tx| {
        put(tx, "sync.psa", draft.psa.as_str())?;
        put(tx, "sync.tenant", &tenant)?;
        put(tx, "sync.discovery_url", &url)?;
        put(tx, "sync.api_user", &api_user)?;
        match resource_id {
            Some(id) => put(tx, "sync.resource_id", &id.to_string())?,
            None => {
                tx.execute("DELETE FROM settings WHERE key = 'sync.resource_id'", [])?;
            }
        }
        put(tx, "sync.queue_ids", &serde_json::to_string(&draft.queue_ids).unwrap_or_else(|_| "[]".into()))?;
        put(tx, "sync.interval_minutes", &draft.interval_minutes.to_string())?;
        match &sealed {
            Some(sealed) => put(tx, "sync.credentials", sealed)?,
            // Never left behind for another server or user.
            None if moved => {
                tx.execute("DELETE FROM settings WHERE key = 'sync.credentials'", [])?;
            }
            None => {}
        }
        read(tx)
    })
    .map_err(SyncError::from)
}

/// The stored integration code and secret, opened for `discovery_url` and
/// `api_user`: sealed for any other pair, they are refused.
fn credentials(
    db: &Db,
    vault: &Vault,
    discovery_url: &str,
    api_user: &str,
) -> Result<(String, zeroize::Zeroizing<String>), SyncError> {
    let sealed = db
        .read(|c| get(c, "sync.credentials"))?
        .ok_or_else(|| SyncError::Settings("Enter the PSA connection in Settings → Sync first.".into()))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sealed)
        .map_err(|_| SyncError::Settings("The stored PSA credentials are damaged; enter them again.".into()))?;
    let plain = match vault.decrypt(&bytes, &context(discovery_url, api_user)) {
        Ok(plain) => plain,
        Err(VaultError::Tampered) => return Err(SyncError::Settings(NOT_FOR_THIS_SERVER.into())),
        Err(other) => return Err(other.into()),
    };
    let value: serde_json::Value = serde_json::from_str(&plain)
        .map_err(|_| SyncError::Settings("The stored PSA credentials are damaged; enter them again.".into()))?;
    Ok((
        value["integration_code"].as_str().unwrap_or_default().to_string(),
        zeroize::Zeroizing::new(value["secret"].as_str().unwrap_or_default().to_string()),
    ))
}

/// The connector and scope from the settings (the vault must be unlocked).
pub fn connect(
    db: &Db,
    vault: &Vault,
    retry: RetryPolicy,
    now: DateTime<Utc>,
) -> Result<(AnyConnector, Scope), SyncError> {
    let settings = get_sync_settings(db)?;
    if settings.discovery_url.is_empty() || !settings.has_credentials {
        return Err(SyncError::Settings("Enter the PSA connection in Settings → Sync first.".into()));
    }
    let me = settings
        .resource_id
        .ok_or_else(|| SyncError::Settings("Enter your PSA resource id in Settings → Sync.".into()))?;
    let (integration_code, secret) = credentials(db, vault, &settings.discovery_url, &settings.api_user)?;
    let connector = match settings.psa {
        Psa::Autotask => AnyConnector::Autotask(Box::new(Autotask::new(
            Endpoint { discovery_url: settings.discovery_url, api_user: settings.api_user, integration_code, secret },
            retry,
        )?)),
        Psa::Halopsa => AnyConnector::Halo(Box::new(HaloPsa::new(
            super::halopsa::Endpoint {
                url: settings.discovery_url,
                auth_url: String::new(),
                tenant: settings.tenant,
                client_id: settings.api_user,
                secret,
            },
            retry,
        )?)),
    };
    Ok((
        connector,
        Scope {
            me,
            queues: settings.queue_ids,
            calls_since: now - chrono::Duration::days(30),
            extra_tickets: Vec::new(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Db, Vault) {
        let db = Db::open_in_memory().unwrap();
        let vault = Vault::default();
        vault.set_up(&db, Some("correct horse battery staple")).unwrap();
        (db, vault)
    }

    fn draft(url: &str, user: &str, code: &str, secret: &str) -> SyncSettingsDraft {
        SyncSettingsDraft {
            psa: Psa::Autotask,
            tenant: String::new(),
            discovery_url: url.into(),
            api_user: user.into(),
            integration_code: code.into(),
            secret: secret.into(),
            resource_id: "29682885".into(),
            queue_ids: vec![29683],
            interval_minutes: 5,
        }
    }

    fn required_fields(result: Result<SyncSettings, SyncError>) -> Vec<String> {
        match result {
            Err(SyncError::Invalid(fields)) => {
                fields.into_iter().filter(|f| f.message == "Required.").map(|f| f.field).collect()
            }
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    const HOME: &str = "https://webservices5.autotask.net";
    const USER: &str = "api@msp.example";

    #[test]
    fn changing_the_server_or_the_user_asks_for_the_credentials_again() {
        let (db, vault) = setup();
        save_sync_settings(&db, &vault, &draft(HOME, USER, "CODE", "s3cret")).unwrap();
        // Same server and user: empty fields keep what is stored.
        assert!(save_sync_settings(&db, &vault, &draft(&format!("{HOME}/"), USER, "", "")).unwrap().has_credentials);
        let both = vec!["integration_code".to_string(), "secret".to_string()];
        let elsewhere = "https://collector.example.invalid";
        assert_eq!(required_fields(save_sync_settings(&db, &vault, &draft(elsewhere, USER, "", ""))), both);
        assert_eq!(required_fields(save_sync_settings(&db, &vault, &draft(HOME, "other@msp.example", "", ""))), both);
        // Nor is one of them merged with the other server's.
        assert_eq!(required_fields(save_sync_settings(&db, &vault, &draft(elsewhere, USER, "NEW", ""))), ["secret"]);
        // Nothing was saved by the refusals: home still opens.
        assert_eq!(credentials(&db, &vault, HOME, USER).unwrap().1.as_str(), "s3cret");
        save_sync_settings(&db, &vault, &draft(elsewhere, USER, "NEW", "new secret")).unwrap();
        let (code, secret) = credentials(&db, &vault, elsewhere, USER).unwrap();
        assert_eq!((code.as_str(), secret.as_str()), ("NEW", "new secret"));
    }

    #[test]
    fn credentials_do_not_open_for_an_address_changed_in_the_database() {
        let (db, vault) = setup();
        save_sync_settings(&db, &vault, &draft(HOME, USER, "CODE", "s3cret")).unwrap();
        assert!(connect(&db, &vault, RetryPolicy::default(), Utc::now()).is_ok());
        for (key, value) in [("sync.discovery_url", "https://collector.example.invalid"), ("sync.api_user", "x@y.z")] {
            let original = db.read(|c| get(c, key)).unwrap().unwrap();
            db.write(|tx| put(tx, key, value)).unwrap();
            match connect(&db, &vault, RetryPolicy::default(), Utc::now()) {
                Err(SyncError::Settings(message)) => {
                    assert_eq!(message, NOT_FOR_THIS_SERVER);
                    assert!(message.contains("Enter the integration code and secret again"));
                }
                Err(other) => panic!("{key}: {other}"),
                Ok(_) => panic!("{key} changed in the database, and the credentials still opened"),
            }
            db.write(|tx| put(tx, key, &original)).unwrap();
        }
        assert!(connect(&db, &vault, RetryPolicy::default(), Utc::now()).is_ok());
    }

    #[test]
    fn an_address_with_userinfo_is_refused() {
        let (db, vault) = setup();
        let result = save_sync_settings(&db, &vault, &draft("http://127.0.0.1:1@example.invalid/", USER, "C", "S"));
        match result {
            Err(SyncError::Invalid(fields)) => assert!(fields.iter().any(|f| f.field == "discovery_url")),
            other => panic!("expected a discovery_url error, got {other:?}"),
        }
    }

    #[test]
    fn halo_needs_a_client_id_and_secret_and_connects_to_halo() {
        let (db, vault) = setup();
        let halo = SyncSettingsDraft {
            psa: Psa::Halopsa,
            tenant: "acme".into(),
            ..draft("https://acme.halopsa.com", "fieldkit-client", "", "client secret")
        };
        let saved = save_sync_settings(&db, &vault, &halo).unwrap();
        assert_eq!((saved.psa, saved.tenant.as_str()), (Psa::Halopsa, "acme"));
        assert_eq!(saved.labels.open_in, "Open in HaloPSA");
        assert_eq!(saved.labels.ticket_number, "HaloPSA ticket number");
        assert!(matches!(connect(&db, &vault, RetryPolicy::default(), Utc::now()), Ok((AnyConnector::Halo(_), _))));
        // The secret is bound to the URL as Autotask's is.
        let elsewhere =
            SyncSettingsDraft { psa: Psa::Halopsa, ..draft("https://other.halopsa.com", "fieldkit-client", "", "") };
        assert_eq!(required_fields(save_sync_settings(&db, &vault, &elsewhere)), ["secret"]);
    }

    #[test]
    fn a_data_folder_with_records_of_one_psa_refuses_the_other() {
        let (db, vault) = setup();
        save_sync_settings(&db, &vault, &draft(HOME, USER, "CODE", "s3cret")).unwrap();
        // Before any record arrived, the choice can still change.
        let halo = SyncSettingsDraft { psa: Psa::Halopsa, ..draft("https://acme.halopsa.com", "client", "", "secret") };
        save_sync_settings(&db, &vault, &halo).unwrap();
        save_sync_settings(&db, &vault, &draft(HOME, USER, "CODE", "s3cret")).unwrap();
        db.write(|tx| {
            tx.execute(
                "INSERT INTO sync_watermarks (entity, watermark) VALUES ('tickets', '2026-11-20T09:00:00.000Z')",
                [],
            )
        })
        .unwrap();
        match save_sync_settings(&db, &vault, &halo) {
            Err(SyncError::Settings(message)) => {
                assert!(message.contains("holds records from Autotask"), "{message}");
                assert!(message.contains("new data folder"), "{message}");
            }
            other => panic!("the switch was not refused: {other:?}"),
        }
        assert_eq!(get_sync_settings(&db).unwrap().psa, Psa::Autotask, "nothing changed");
    }
}
