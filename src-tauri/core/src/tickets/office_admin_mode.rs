//! "Filling in for office admin" as a working mode, stored locally under its
//! own settings keys (`office_admin.*`, not the shared `Settings`): on or
//! off, since when, and how often to be reminded to check the shared mailbox.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::TicketError;
use crate::db::Db;
use crate::validation::Invalid;

const ON_KEY: &str = "office_admin.mode_since";
const MINUTES_KEY: &str = "office_admin.reminder_minutes";
pub const DEFAULT_REMINDER_MINUTES: u32 = 60;
const MAX_REMINDER_MINUTES: u32 = 24 * 60;

/// The mode as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OfficeAdminMode {
    pub on: bool,
    /// When the mode was turned on (reminders count from here).
    pub since: Option<DateTime<Utc>>,
    pub reminder_minutes: u32,
    /// When the next "check the shared mailbox" reminder falls due (mode on).
    pub next_reminder_at: Option<DateTime<Utc>>,
}

/// Turning the mode on or off, and the reminder interval (text, as typed).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OfficeAdminModeDraft {
    pub on: bool,
    pub reminder_minutes: String,
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

fn read(connection: &Connection, now: DateTime<Utc>) -> rusqlite::Result<OfficeAdminMode> {
    let since = get(connection, ON_KEY)?
        .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
        .map(|time| time.with_timezone(&Utc));
    let reminder_minutes = get(connection, MINUTES_KEY)?
        .and_then(|text| text.parse::<u32>().ok())
        .filter(|m| (1..=MAX_REMINDER_MINUTES).contains(m))
        .unwrap_or(DEFAULT_REMINDER_MINUTES);
    Ok(OfficeAdminMode {
        on: since.is_some(),
        since,
        reminder_minutes,
        next_reminder_at: since.map(|since| next_reminder(since, reminder_minutes, now)),
    })
}

/// The first reminder after `now`: `since` + k × interval, k ≥ 1.
pub fn next_reminder(since: DateTime<Utc>, minutes: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    let step = Duration::minutes(i64::from(minutes.max(1)));
    if now < since + step {
        return since + step;
    }
    let elapsed = (now - since).num_seconds();
    let k = elapsed / step.num_seconds() + 1;
    since + step * (k as i32)
}

pub fn get_office_admin_mode(db: &Db, now: DateTime<Utc>) -> Result<OfficeAdminMode, TicketError> {
    Ok(db.read(|connection| read(connection, now))?)
}

/// Saves the mode. Turning it on (again) starts the reminders from `now`;
/// saving while on keeps the original start.
pub fn save_office_admin_mode(
    db: &Db,
    draft: &OfficeAdminModeDraft,
    now: DateTime<Utc>,
) -> Result<OfficeAdminMode, TicketError> {
    let minutes = match draft.reminder_minutes.trim().parse::<u32>() {
        Ok(m) if (1..=MAX_REMINDER_MINUTES).contains(&m) => m,
        _ => {
            return Err(TicketError::invalid(
                "reminder_minutes",
                format!("Enter a number of minutes from 1 to {MAX_REMINDER_MINUTES}."),
            ))
        }
    };
    db.write(|tx| {
        put(tx, MINUTES_KEY, &minutes.to_string())?;
        let was_on = get(tx, ON_KEY)?.is_some();
        if draft.on && !was_on {
            put(tx, ON_KEY, &now.to_rfc3339())?;
        } else if !draft.on {
            tx.execute("DELETE FROM settings WHERE key = ?1", [ON_KEY])?;
        }
        Ok::<_, TicketError>(read(tx, now)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_mode_is_off_by_default_and_reminds_every_interval_once_on() {
        let db = Db::open_in_memory().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        let off = get_office_admin_mode(&db, t0).unwrap();
        assert!(!off.on);
        assert_eq!(off.reminder_minutes, 60);
        assert_eq!(off.next_reminder_at, None);

        let on = save_office_admin_mode(&db, &OfficeAdminModeDraft { on: true, reminder_minutes: " 30 ".into() }, t0)
            .unwrap();
        assert!(on.on);
        assert_eq!(on.next_reminder_at, Some(t0 + Duration::minutes(30)));
        let later = t0 + Duration::minutes(75);
        let saved_again =
            save_office_admin_mode(&db, &OfficeAdminModeDraft { on: true, reminder_minutes: "30".into() }, later)
                .unwrap();
        assert_eq!(saved_again.since, Some(t0), "saving while on keeps the start");
        assert_eq!(saved_again.next_reminder_at, Some(t0 + Duration::minutes(90)));

        match save_office_admin_mode(&db, &OfficeAdminModeDraft { on: true, reminder_minutes: "0".into() }, later) {
            Err(TicketError::Invalid(fields)) => assert_eq!(fields[0].field, "reminder_minutes"),
            other => panic!("expected a field error, got {other:?}"),
        }
        assert_eq!(get_office_admin_mode(&db, later).unwrap().reminder_minutes, 30, "bad input changes nothing");

        let off =
            save_office_admin_mode(&db, &OfficeAdminModeDraft { on: false, reminder_minutes: "30".into() }, later)
                .unwrap();
        assert!(!off.on && off.next_reminder_at.is_none());
    }

    #[test]
    fn the_next_reminder_is_always_after_now() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        assert_eq!(next_reminder(t0, 60, t0), t0 + Duration::minutes(60));
        assert_eq!(next_reminder(t0, 60, t0 + Duration::minutes(60)), t0 + Duration::minutes(120));
        assert_eq!(next_reminder(t0, 60, t0 + Duration::minutes(61)), t0 + Duration::minutes(120));
    }
}
