//! The technician's local preferences: who "I" am among the resources, the
//! personal scheduling-link template, and the response-clock rules.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::{Db, DbError};
use crate::error::ErrorPayload;
use crate::validation::{FieldError, FieldErrors};

/// Everything on the Settings page that is stored locally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// The resource this laptop belongs to: "my" todo, "I" take a ticket.
    pub me: Option<Uuid>,
    /// A link the customer follows to book a time, e.g. a TimeZest link.
    /// `{ticket}` is replaced by the ticket number.
    pub scheduling_link_template: String,
    /// Managed-services (MSA) customers get a response within this many hours.
    pub msa_response_hours: u32,
    /// Everyone else, within this many hours.
    pub other_response_hours: u32,
    /// An open ticket with no customer-visible update for this many days is
    /// flagged "follow up with the customer".
    pub follow_up_after_days: u32,
    /// The technician's time zone (IANA name, e.g. `America/Los_Angeles`);
    /// empty until the app first tells it (it then uses the system's).
    pub time_zone: String,
    /// A placeholder time entry is due at this hour of the next working day.
    pub placeholder_due_hour: u32,
    /// The MSP's name, at the top of service reports.
    pub company_name: String,
    /// "Workstation offline" alerts: open tickets whose title contains this
    /// text, or whose issue type is named so (empty: the view stays empty).
    #[serde(default)]
    pub workstation_offline_rule: String,
}

/// What RMM alerts for an unreachable workstation are titled like.
pub const DEFAULT_WORKSTATION_OFFLINE_RULE: &str = "workstation offline";

impl Settings {
    /// The technician's zone; UTC until one is set.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            me: None,
            scheduling_link_template: String::new(),
            msa_response_hours: 2,
            other_response_hours: 8,
            follow_up_after_days: 3,
            time_zone: String::new(),
            placeholder_due_hour: 9,
            company_name: String::new(),
            workstation_offline_rule: DEFAULT_WORKSTATION_OFFLINE_RULE.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for SettingsError {
    fn from(error: rusqlite::Error) -> Self {
        SettingsError::Db(DbError::Sqlite(error))
    }
}

impl From<SettingsError> for ErrorPayload {
    fn from(error: SettingsError) -> Self {
        match error {
            SettingsError::Invalid(fields) => ErrorPayload::validation(fields),
            SettingsError::Db(db) => db.into(),
        }
    }
}

pub fn get_settings(db: &Db) -> Result<Settings, DbError> {
    Ok(db.read(read_settings)?)
}

pub(crate) fn read_settings(connection: &Connection) -> rusqlite::Result<Settings> {
    let get = |key: &str| -> rusqlite::Result<Option<String>> {
        connection.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()
    };
    let defaults = Settings::default();
    let number = |key: &str, fallback: u32| -> rusqlite::Result<u32> {
        Ok(get(key)?.and_then(|text| text.parse().ok()).unwrap_or(fallback))
    };
    Ok(Settings {
        me: get("me")?.and_then(|text| Uuid::parse_str(&text).ok()),
        scheduling_link_template: get("scheduling_link_template")?.unwrap_or_default(),
        msa_response_hours: number("msa_response_hours", defaults.msa_response_hours)?,
        other_response_hours: number("other_response_hours", defaults.other_response_hours)?,
        follow_up_after_days: number("follow_up_after_days", defaults.follow_up_after_days)?,
        time_zone: get("time_zone")?.unwrap_or_default(),
        placeholder_due_hour: number("placeholder_due_hour", defaults.placeholder_due_hour)?,
        company_name: get("company_name")?.unwrap_or_default(),
        workstation_offline_rule: get("workstation_offline_rule")?.unwrap_or(defaults.workstation_offline_rule),
    })
}

/// Checks and stores the settings in one transaction.
pub fn save_settings(db: &Db, settings: &Settings) -> Result<Settings, SettingsError> {
    let mut errors = FieldErrors::default();
    let template = errors.text("scheduling_link_template", &settings.scheduling_link_template, false, 500);
    if !template.is_empty() && !template.starts_with("https://") && !template.starts_with("http://") {
        errors.add("scheduling_link_template", "Start the link with https://.");
    }
    for (field, value, max) in [
        ("msa_response_hours", settings.msa_response_hours, 72),
        ("other_response_hours", settings.other_response_hours, 240),
        ("follow_up_after_days", settings.follow_up_after_days, 60),
    ] {
        if value == 0 || value > max {
            errors.add(field, format!("Enter a whole number from 1 to {max}."));
        }
    }
    let company = errors.text("company_name", &settings.company_name, false, 120);
    let offline_rule = errors.text("workstation_offline_rule", &settings.workstation_offline_rule, false, 120);
    let zone = settings.time_zone.trim().to_string();
    if !zone.is_empty() && zone.parse::<chrono_tz::Tz>().is_err() {
        errors.add("time_zone", "Choose a time zone such as America/Chicago.");
    }
    if settings.placeholder_due_hour > 23 {
        errors.add("placeholder_due_hour", "Enter an hour from 0 to 23.");
    }
    errors.into_result().map_err(SettingsError::Invalid)?;
    let cleaned = Settings {
        scheduling_link_template: template,
        time_zone: zone,
        company_name: company,
        workstation_offline_rule: offline_rule,
        ..settings.clone()
    };
    db.write(|tx| {
        if let Some(me) = cleaned.me {
            let known: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM resources WHERE id = ?1)", [me.to_string()], |row| {
                    row.get(0)
                })?;
            if !known {
                return Err(SettingsError::Invalid(vec![FieldError {
                    field: "me".into(),
                    message: "Choose someone from the team list.".into(),
                }]));
            }
        }
        write_settings(tx, &cleaned)?;
        Ok(())
    })?;
    Ok(cleaned)
}

/// The computer's time zone as an IANA name: `TZ` when it names one (the web
/// view's clock follows it too), else the system's setting.
pub fn system_zone() -> Option<String> {
    let from_env = std::env::var("TZ").ok().and_then(|value| zone_named_by_tz(&value));
    from_env.or_else(|| iana_time_zone::get_timezone().ok().filter(|name| name.parse::<chrono_tz::Tz>().is_ok()))
}

/// The zone a `TZ` value names: `Europe/Berlin`, `:Europe/Berlin` or
/// `/usr/share/zoneinfo/Europe/Berlin`; `None` for anything else.
fn zone_named_by_tz(value: &str) -> Option<String> {
    let value = value.trim_start_matches(':');
    let name = value.rsplit_once("zoneinfo/").map_or(value, |(_, name)| name);
    name.parse::<chrono_tz::Tz>().is_ok().then(|| name.to_string())
}

/// A database without a time zone takes `zone` (the computer's, see
/// [`system_zone`]): the technician's day, placeholder due times and reports
/// are counted in it. A zone already chosen stays. True when it was taken.
pub fn adopt_zone(db: &Db, zone: &str) -> Result<bool, DbError> {
    if zone.parse::<chrono_tz::Tz>().is_err() || !get_settings(db)?.time_zone.is_empty() {
        return Ok(false);
    }
    Ok(db.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('time_zone', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value = ''",
            [zone],
        )
    })? > 0)
}

pub(crate) fn write_settings(tx: &Transaction<'_>, settings: &Settings) -> rusqlite::Result<()> {
    let put = |key: &str, value: String| {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )
        .map(|_| ())
    };
    match settings.me {
        Some(me) => put("me", me.to_string())?,
        None => {
            tx.execute("DELETE FROM settings WHERE key = 'me'", [])?;
        }
    }
    put("scheduling_link_template", settings.scheduling_link_template.clone())?;
    put("msa_response_hours", settings.msa_response_hours.to_string())?;
    put("other_response_hours", settings.other_response_hours.to_string())?;
    put("follow_up_after_days", settings.follow_up_after_days.to_string())?;
    put("time_zone", settings.time_zone.clone())?;
    put("placeholder_due_hour", settings.placeholder_due_hour.to_string())?;
    put("company_name", settings.company_name.clone())?;
    put("workstation_offline_rule", settings.workstation_offline_rule.clone())?;
    Ok(())
}

/// The technician this installation belongs to (the `me` setting): their
/// resource id and name, `None` until they choose who they are.
pub(crate) fn my_resource(connection: &Connection) -> rusqlite::Result<Option<(String, String)>> {
    connection
        .prepare_cached(
            "SELECT r.id, r.first_name || ' ' || r.last_name FROM settings s JOIN resources r ON r.id = s.value
             WHERE s.key = 'me'",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// The technician's name (see [`my_resource`]).
pub(crate) fn my_name(connection: &Connection) -> rusqlite::Result<Option<String>> {
    Ok(my_resource(connection)?.map(|(_, name)| name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("fieldkit.db")).unwrap();
        (dir, db)
    }

    #[test]
    fn a_database_without_a_zone_takes_the_computers_once() {
        let (_dir, db) = database();
        assert!(!adopt_zone(&db, "Not/AZone").unwrap());
        assert_eq!(get_settings(&db).unwrap().time_zone, "");
        assert!(adopt_zone(&db, "Europe/Berlin").unwrap());
        assert_eq!(get_settings(&db).unwrap().zone(), chrono_tz::Europe::Berlin);
        // Later starts (another zone, e.g. travelling) keep what is set.
        assert!(!adopt_zone(&db, "America/Chicago").unwrap());
        assert_eq!(get_settings(&db).unwrap().time_zone, "Europe/Berlin");
    }

    #[test]
    fn a_zone_chosen_in_settings_is_never_replaced() {
        let (_dir, db) = database();
        let chosen = Settings { time_zone: "Asia/Tokyo".into(), ..Settings::default() };
        save_settings(&db, &chosen).unwrap();
        assert!(!adopt_zone(&db, "Europe/Berlin").unwrap());
        assert_eq!(get_settings(&db).unwrap().time_zone, "Asia/Tokyo");
    }

    #[test]
    fn tz_values_name_a_zone_in_each_of_their_forms() {
        assert_eq!(zone_named_by_tz("Europe/Berlin").as_deref(), Some("Europe/Berlin"));
        assert_eq!(zone_named_by_tz(":America/Chicago").as_deref(), Some("America/Chicago"));
        assert_eq!(zone_named_by_tz("/usr/share/zoneinfo/Asia/Tokyo").as_deref(), Some("Asia/Tokyo"));
        assert_eq!(zone_named_by_tz("<+0330>-3:30"), None);
        assert_eq!(zone_named_by_tz(""), None);
    }
}
