//! Updates: where the MSP publishes them (its own static `latest.json`),
//! which channel this laptop follows, and when installing one is allowed.
//!
//! The endpoint and channel are local settings under their own keys
//! (`updates.endpoint`, `updates.channel`). An empty endpoint means updates
//! are off. The shell's updater (tauri-plugin-updater, Rust only) fetches
//! the resolved address and verifies the package's signature; this module
//! holds the rules that need no window: the address check and the "is it
//! quiet?" rule — an update never interrupts a visit in progress or changes
//! not yet sent to the PSA.

use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::{Db, DbError};
use crate::error::{one_field, ErrorPayload};
use crate::validation::FieldError;

const ENDPOINT_KEY: &str = "updates.endpoint";
const CHANNEL_KEY: &str = "updates.channel";
/// Replaced by the channel's name (`stable`, `beta`) in the endpoint.
pub const CHANNEL_PLACEHOLDER: &str = "{channel}";
const MAX_ENDPOINT_LEN: usize = 500;

/// Which releases this laptop follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum UpdateChannel {
    #[default]
    Stable,
    Beta,
}

impl UpdateChannel {
    pub fn name(self) -> &'static str {
        match self {
            UpdateChannel::Stable => "stable",
            UpdateChannel::Beta => "beta",
        }
    }
}

/// The Updates section of Settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UpdateSettings {
    /// The address of the MSP's `latest.json`; may contain `{channel}`.
    /// Empty: updates are off.
    pub endpoint: String,
    pub channel: UpdateChannel,
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateSettingsError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for UpdateSettingsError {
    fn from(error: rusqlite::Error) -> Self {
        UpdateSettingsError::Db(DbError::Sqlite(error))
    }
}

impl From<UpdateSettingsError> for ErrorPayload {
    fn from(error: UpdateSettingsError) -> Self {
        match error {
            UpdateSettingsError::Invalid(fields) => ErrorPayload::validation(fields),
            UpdateSettingsError::Db(db) => db.into(),
        }
    }
}

fn get(connection: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    connection.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()
}

fn put(tx: &Transaction<'_>, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

fn read(connection: &Connection) -> rusqlite::Result<UpdateSettings> {
    let channel = match get(connection, CHANNEL_KEY)?.as_deref() {
        Some("beta") => UpdateChannel::Beta,
        _ => UpdateChannel::Stable,
    };
    Ok(UpdateSettings { endpoint: get(connection, ENDPOINT_KEY)?.unwrap_or_default(), channel })
}

pub fn get_update_settings(db: &Db) -> Result<UpdateSettings, DbError> {
    Ok(db.read(read)?)
}

/// Checks and stores the endpoint and channel; bad input changes nothing.
pub fn save_update_settings(db: &Db, settings: &UpdateSettings) -> Result<UpdateSettings, UpdateSettingsError> {
    let endpoint = settings.endpoint.trim().to_string();
    if let Err(message) = check_endpoint(&endpoint, settings.channel) {
        return Err(UpdateSettingsError::Invalid(one_field("endpoint", message)));
    }
    db.write(|tx| {
        put(tx, ENDPOINT_KEY, &endpoint)?;
        put(tx, CHANNEL_KEY, settings.channel.name())?;
        Ok::<_, UpdateSettingsError>(read(tx)?)
    })
}

/// The address to fetch `latest.json` from, with the channel filled in;
/// `None` when updates are off.
pub fn resolved_endpoint(settings: &UpdateSettings) -> Option<String> {
    let endpoint = settings.endpoint.trim();
    (!endpoint.is_empty()).then(|| endpoint.replace(CHANNEL_PLACEHOLDER, settings.channel.name()))
}

/// The endpoint's rules: empty (off), or an `https://` address with its
/// server written out — `http://` only to this computer (loopback), for
/// tests. No user name or password in it (it is shown and stored in the
/// clear). A beta channel needs `{channel}` in the address, or it would
/// fetch the stable releases.
pub fn check_endpoint(endpoint: &str, channel: UpdateChannel) -> Result<(), String> {
    if endpoint.is_empty() {
        return Ok(());
    }
    if endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(format!("Use at most {MAX_ENDPOINT_LEN} characters."));
    }
    if endpoint.chars().any(char::is_control) || endpoint.contains(' ') {
        return Err("The address cannot contain spaces or control characters.".into());
    }
    let resolved = endpoint.replace(CHANNEL_PLACEHOLDER, channel.name());
    let url = reqwest::Url::parse(&resolved)
        .map_err(|_| "Enter the full address of latest.json, starting with https://.".to_string())?;
    let host = url.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err("Write the server's name after https://.".into());
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(
                "Use https:// — an update address must be encrypted (http:// only on this computer, for tests).".into(),
            )
        }
        _ => return Err("Start the address with https://.".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Leave the user name and password out of the address.".into());
    }
    if channel == UpdateChannel::Beta && !endpoint.contains(CHANNEL_PLACEHOLDER) {
        return Err(
            "Put {channel} in the address (it becomes stable or beta), so beta releases have their own latest.json."
                .into(),
        );
    }
    Ok(())
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

/// Whether an update may install now, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Quiet {
    /// Nothing is in progress: installing (which restarts the app) loses nothing.
    pub quiet: bool,
    /// Visits and remote sessions started and not closed.
    pub open_visits: u32,
    /// Outbox entries not sent to the PSA yet (waiting or refused).
    pub unsent_changes: u32,
    /// Why it waits, in the technician's words ("a visit is in progress",
    /// "3 changes not yet sent"); empty when quiet.
    pub reasons: Vec<String>,
}

/// The "is it quiet?" rule: no visit in progress and nothing waiting in the
/// outbox (a refused entry counts: it is not sent either).
pub fn quiet(db: &Db) -> Result<Quiet, DbError> {
    let (open_visits, unsent_changes): (i64, i64) = db.read(|connection| {
        let visits = connection.query_row("SELECT count(*) FROM visits WHERE closed_at IS NULL", [], |r| r.get(0))?;
        let unsent =
            connection
                .query_row("SELECT count(*) FROM outbox WHERE state IN ('pending', 'failed')", [], |r| r.get(0))?;
        Ok::<_, rusqlite::Error>((visits, unsent))
    })?;
    Ok(quiet_from_counts(open_visits.max(0) as u32, unsent_changes.max(0) as u32))
}

pub fn quiet_from_counts(open_visits: u32, unsent_changes: u32) -> Quiet {
    let mut reasons = Vec::new();
    match open_visits {
        0 => {}
        1 => reasons.push("a visit is in progress".to_string()),
        n => reasons.push(format!("{n} visits are in progress")),
    }
    match unsent_changes {
        0 => {}
        1 => reasons.push("1 change not yet sent".to_string()),
        n => reasons.push(format!("{n} changes not yet sent")),
    }
    Quiet { quiet: reasons.is_empty(), open_visits, unsent_changes, reasons }
}

/// An update the endpoint offers, newer than this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AvailableUpdate {
    pub version: String,
    /// The release notes from `latest.json`, shown as text.
    pub notes: String,
    /// When it was published (RFC 3339), if `latest.json` says.
    pub published: Option<String>,
}

/// The Updates section's state, as the shell's updater holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UpdateStatus {
    /// The version running now.
    pub current_version: String,
    /// An endpoint is set (updates are on).
    pub enabled: bool,
    /// The last check's answer; `None` before a check or when up to date.
    pub available: Option<AvailableUpdate>,
    /// When the last check finished (RFC 3339).
    pub checked_at: Option<String>,
    /// "Install and restart" was asked and waits for a quiet moment.
    pub waiting: bool,
    /// Downloading, verifying and installing right now.
    pub installing: bool,
    /// Whether it is quiet now, and why not.
    pub quiet: Quiet,
    /// The last failure in words (a refused signature, an unreachable
    /// address); cleared by the next successful step.
    pub problem: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_are_off_by_default_and_the_channel_fills_the_address() {
        let db = Db::open_in_memory().unwrap();
        let settings = get_update_settings(&db).unwrap();
        assert_eq!(settings, UpdateSettings::default());
        assert_eq!(resolved_endpoint(&settings), None);

        let saved = save_update_settings(
            &db,
            &UpdateSettings {
                endpoint: " https://updates.example-msp.com/fieldkit/{channel}/latest.json ".into(),
                channel: UpdateChannel::Beta,
            },
        )
        .unwrap();
        assert_eq!(saved.endpoint, "https://updates.example-msp.com/fieldkit/{channel}/latest.json");
        assert_eq!(get_update_settings(&db).unwrap(), saved);
        assert_eq!(
            resolved_endpoint(&saved).as_deref(),
            Some("https://updates.example-msp.com/fieldkit/beta/latest.json")
        );
    }

    #[test]
    fn an_address_must_be_https_except_on_this_computer() {
        let stable = UpdateChannel::Stable;
        assert!(check_endpoint("", stable).is_ok());
        assert!(check_endpoint("https://u.example.com/latest.json", stable).is_ok());
        assert!(check_endpoint("http://127.0.0.1:8123/latest.json", stable).is_ok());
        assert!(check_endpoint("http://localhost:8123/{channel}/latest.json", stable).is_ok());
        assert!(check_endpoint("http://[::1]:8123/latest.json", stable).is_ok());
        for bad in [
            "http://u.example.com/latest.json",
            "http://127.0.0.1.evil.example/latest.json",
            "ftp://u.example.com/latest.json",
            "file:///tmp/latest.json",
            "javascript:alert(1)",
            "u.example.com/latest.json",
            "https://user:secret@u.example.com/latest.json",
            "https://u.example.com/a b.json",
        ] {
            assert!(check_endpoint(bad, stable).is_err(), "{bad} should be refused");
        }
        let beta = check_endpoint("https://u.example.com/latest.json", UpdateChannel::Beta).unwrap_err();
        assert!(beta.contains("{channel}"), "{beta}");
    }

    #[test]
    fn a_refused_address_changes_nothing() {
        let db = Db::open_in_memory().unwrap();
        let good =
            UpdateSettings { endpoint: "https://u.example.com/latest.json".into(), channel: UpdateChannel::Stable };
        save_update_settings(&db, &good).unwrap();
        let bad =
            UpdateSettings { endpoint: "http://u.example.com/latest.json".into(), channel: UpdateChannel::Stable };
        match save_update_settings(&db, &bad) {
            Err(UpdateSettingsError::Invalid(fields)) => assert_eq!(fields[0].field, "endpoint"),
            other => panic!("expected a field error, got {other:?}"),
        }
        assert_eq!(get_update_settings(&db).unwrap(), good);
    }

    #[test]
    fn the_reasons_to_wait_are_said_in_words() {
        assert_eq!(quiet_from_counts(0, 0), Quiet { quiet: true, open_visits: 0, unsent_changes: 0, reasons: vec![] });
        assert_eq!(quiet_from_counts(1, 0).reasons, vec!["a visit is in progress"]);
        assert_eq!(quiet_from_counts(2, 1).reasons, vec!["2 visits are in progress", "1 change not yet sent"]);
        assert_eq!(quiet_from_counts(0, 3).reasons, vec!["3 changes not yet sent"]);
        assert!(!quiet_from_counts(0, 3).quiet);
    }
}
