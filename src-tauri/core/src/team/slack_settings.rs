//! Where help requests go: the team's Slack incoming webhook. Its URL is a
//! secret (anyone holding it can post to the channel), so it is sealed by
//! the vault like the PSA credentials and never appears in a list, a log or
//! an export: the settings page learns only that one is stored.
//!
//! Beside it, the address of a ticket's page in the PSA (a template with
//! `{id}` for the ticket's PSA id), so a message links to the ticket.

use base64::Engine as _;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use super::TeamError;
use crate::db::Db;
use crate::sync::autotask::check_url;
use crate::validation::FieldErrors;
use crate::vault::{Vault, VaultError};

pub(crate) const WEBHOOK_KEY: &str = "team.slack_webhook";
const TICKET_URL_KEY: &str = "team.psa_ticket_url";
/// The vault context (AEAD associated data) of the webhook URL.
const WEBHOOK_CONTEXT: &str = "[\"slack webhook\"]";

/// The Slack settings as the Settings page shows them (never the webhook URL).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SlackSettings {
    /// A webhook URL is stored (encrypted).
    pub has_webhook: bool,
    /// The address of a ticket in the PSA, `{id}` standing for its PSA id;
    /// empty: messages carry no link.
    pub ticket_url_template: String,
}

/// The form. An empty `webhook_url` keeps the stored one.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SlackSettingsDraft {
    pub webhook_url: String,
    pub ticket_url_template: String,
    /// Forget the stored webhook (help requests then wait).
    pub remove_webhook: bool,
}

fn get(connection: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    connection.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()
}

fn put(tx: &Transaction<'_>, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub(crate) fn read(connection: &Connection) -> rusqlite::Result<SlackSettings> {
    Ok(SlackSettings {
        has_webhook: get(connection, WEBHOOK_KEY)?.is_some(),
        ticket_url_template: get(connection, TICKET_URL_KEY)?.unwrap_or_default(),
    })
}

pub fn get_slack_settings(db: &Db) -> Result<SlackSettings, TeamError> {
    Ok(db.read(read)?)
}

/// Saves the settings; a new webhook URL is encrypted by the (unlocked) vault.
pub fn save_slack_settings(db: &Db, vault: &Vault, draft: &SlackSettingsDraft) -> Result<SlackSettings, TeamError> {
    let mut errors = FieldErrors::default();
    let webhook = errors.text("webhook_url", &draft.webhook_url, false, 500);
    if !webhook.is_empty() {
        if let Err(message) = check_url(&webhook) {
            errors.add("webhook_url", message);
        }
    }
    let template = errors.text("ticket_url_template", &draft.ticket_url_template, false, 500);
    if !template.is_empty() {
        if !template.contains("{id}") {
            errors.add("ticket_url_template", "Put {id} where the ticket's PSA id goes.");
        } else if let Err(message) = check_url(&template.replace("{id}", "1")) {
            errors.add("ticket_url_template", message);
        } else if template.contains(['|', '<', '>', ' ']) {
            errors.add("ticket_url_template", "An address has no spaces, |, < or >.");
        }
    }
    errors.into_result().map_err(TeamError::Invalid)?;
    let sealed = match webhook.is_empty() {
        true => None,
        false => Some(base64::engine::general_purpose::STANDARD.encode(vault.encrypt(&webhook, WEBHOOK_CONTEXT)?)),
    };
    Ok(db.write(|tx| {
        match (&sealed, draft.remove_webhook) {
            (Some(sealed), _) => put(tx, WEBHOOK_KEY, sealed)?,
            (None, true) => {
                tx.execute("DELETE FROM settings WHERE key = ?1", [WEBHOOK_KEY])?;
            }
            (None, false) => {}
        }
        match template.is_empty() {
            true => {
                tx.execute("DELETE FROM settings WHERE key = ?1", [TICKET_URL_KEY])?;
            }
            false => put(tx, TICKET_URL_KEY, &template)?,
        }
        read(tx)
    })?)
}

/// The stored webhook URL, opened by the vault; `None` when none is stored.
pub(crate) fn webhook_url(db: &Db, vault: &Vault) -> Result<Option<Zeroizing<String>>, TeamError> {
    let Some(sealed) = db.read(|c| get(c, WEBHOOK_KEY))? else { return Ok(None) };
    let damaged =
        || TeamError::NotPossible("The stored Slack webhook is damaged; save it again in Settings → Team.".into());
    let bytes = base64::engine::general_purpose::STANDARD.decode(sealed).map_err(|_| damaged())?;
    match vault.decrypt(&bytes, WEBHOOK_CONTEXT) {
        Ok(url) => Ok(Some(url)),
        Err(VaultError::Tampered) => Err(damaged()),
        Err(other) => Err(other.into()),
    }
}

/// The ticket's page in the PSA, when the template is set and the ticket
/// has reached the PSA.
pub(crate) fn ticket_url(connection: &Connection, psa_id: Option<i64>) -> rusqlite::Result<Option<String>> {
    let Some(psa_id) = psa_id else { return Ok(None) };
    Ok(get(connection, TICKET_URL_KEY)?.filter(|t| !t.is_empty()).map(|t| t.replace("{id}", &psa_id.to_string())))
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

    const HOOK: &str = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";

    #[test]
    fn the_webhook_is_sealed_and_kept_when_the_field_is_left_empty() {
        let (db, vault) = setup();
        let draft = |url: &str| SlackSettingsDraft {
            webhook_url: url.into(),
            ticket_url_template: String::new(),
            remove_webhook: false,
        };
        let saved = save_slack_settings(&db, &vault, &draft(HOOK)).unwrap();
        assert!(saved.has_webhook);
        let stored = db.read(|c| get(c, WEBHOOK_KEY)).unwrap().unwrap();
        assert!(!stored.contains("XXXXSECRET") && !stored.contains("hooks.slack.com"));
        assert!(save_slack_settings(&db, &vault, &draft("")).unwrap().has_webhook);
        assert_eq!(webhook_url(&db, &vault).unwrap().unwrap().as_str(), HOOK);
        vault.lock();
        assert!(matches!(webhook_url(&db, &vault), Err(TeamError::Vault(VaultError::Locked))));
    }

    #[test]
    fn bad_addresses_are_refused_with_field_messages_and_nothing_is_saved() {
        let (db, vault) = setup();
        let result = save_slack_settings(
            &db,
            &vault,
            &SlackSettingsDraft {
                webhook_url: "http://hooks.slack.com/services/x".into(),
                ticket_url_template: "https://ww5.autotask.net/ticket".into(),
                remove_webhook: false,
            },
        );
        match result {
            Err(TeamError::Invalid(fields)) => {
                let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(names, ["webhook_url", "ticket_url_template"]);
            }
            other => panic!("expected field errors, got {other:?}"),
        }
        assert!(!get_slack_settings(&db).unwrap().has_webhook);
    }
}
