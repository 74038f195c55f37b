//! Desktop notifications: what needs the technician after a sync — a new
//! critical or high-priority ticket in my queues, a customer's reply on a
//! ticket of mine, a ticket given to me, a conflict waiting for me. Each is
//! announced at most once (`notices_sent`), many of one kind as one group,
//! none in the quiet hours (they are recorded as silenced), and none on the
//! first look at a cache (what was there before is not news). The text is
//! plain: PSA text is escaped for the Linux notification servers that render
//! markup. The shell shows them (the notification plugin, from Rust).

use chrono::{DateTime, Timelike, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::{Db, DbError};
use crate::error::ErrorPayload;
use crate::validation::FieldError;

/// More than this many of one kind at once are announced as one group.
const GROUP_ABOVE: usize = 2;

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NoticeKind {
    HighPriority,
    CustomerReply,
    AssignedToMe,
    Conflict,
}

impl NoticeKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NoticeKind::HighPriority => "high_priority",
            NoticeKind::CustomerReply => "customer_reply",
            NoticeKind::AssignedToMe => "assigned_to_me",
            NoticeKind::Conflict => "conflict",
        }
    }
}

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Notice {
    pub kind: NoticeKind,
    pub title: String,
    /// Plain text, markup escaped.
    pub body: String,
    /// The ticket it is about (one ticket), to open it from the app.
    pub ticket_id: Option<Uuid>,
}

/// The quiet hours (the technician's zone): none when `from == to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NotificationSettings {
    /// Whether notifications are shown at all.
    pub enabled: bool,
    /// Quiet from this hour (0–23) …
    pub quiet_from_hour: u32,
    /// … to this hour (0–23); equal hours: no quiet hours.
    pub quiet_to_hour: u32,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self { enabled: true, quiet_from_hour: 0, quiet_to_hour: 0 }
    }
}

impl NotificationSettings {
    /// Whether `hour` (local) falls in the quiet hours (which may wrap midnight).
    pub fn is_quiet(&self, hour: u32) -> bool {
        let (from, to) = (self.quiet_from_hour, self.quiet_to_hour);
        match from.cmp(&to) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => hour >= from && hour < to,
            std::cmp::Ordering::Greater => hour >= from || hour < to,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for NotificationError {
    fn from(error: rusqlite::Error) -> Self {
        NotificationError::Db(DbError::Sqlite(error))
    }
}

impl From<NotificationError> for ErrorPayload {
    fn from(error: NotificationError) -> Self {
        match error {
            NotificationError::Invalid(fields) => ErrorPayload::validation(fields),
            NotificationError::Db(db) => db.into(),
        }
    }
}

fn setting(connection: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    connection.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()
}

pub fn get_notification_settings(db: &Db) -> Result<NotificationSettings, NotificationError> {
    Ok(db.read(read_notification_settings)?)
}

fn read_notification_settings(connection: &Connection) -> rusqlite::Result<NotificationSettings> {
    let defaults = NotificationSettings::default();
    let hour = |key: &str, fallback: u32| -> rusqlite::Result<u32> {
        Ok(setting(connection, key)?.and_then(|text| text.parse().ok()).filter(|h| *h < 24).unwrap_or(fallback))
    };
    Ok(NotificationSettings {
        enabled: setting(connection, "notify_enabled")?.map_or(defaults.enabled, |text| text != "0"),
        quiet_from_hour: hour("notify_quiet_from", defaults.quiet_from_hour)?,
        quiet_to_hour: hour("notify_quiet_to", defaults.quiet_to_hour)?,
    })
}

pub fn save_notification_settings(
    db: &Db,
    settings: &NotificationSettings,
) -> Result<NotificationSettings, NotificationError> {
    let mut errors = Vec::new();
    for (field, hour) in [("quiet_from_hour", settings.quiet_from_hour), ("quiet_to_hour", settings.quiet_to_hour)] {
        if hour > 23 {
            errors.push(FieldError { field: field.into(), message: "Enter an hour from 0 to 23.".into() });
        }
    }
    if !errors.is_empty() {
        return Err(NotificationError::Invalid(errors));
    }
    db.write(|tx| -> Result<(), NotificationError> {
        for (key, value) in [
            ("notify_enabled", if settings.enabled { "1".to_string() } else { "0".to_string() }),
            ("notify_quiet_from", settings.quiet_from_hour.to_string()),
            ("notify_quiet_to", settings.quiet_to_hour.to_string()),
        ] {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        Ok(())
    })?;
    Ok(*settings)
}

/// PSA text made safe for notification servers that render a markup subset.
pub fn plain_text(text: &str) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let short: String = one_line.chars().take(200).collect();
    short.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// One candidate: its once-only key, kind, ticket and the line it shows.
struct Candidate {
    key: String,
    kind: NoticeKind,
    ticket_id: Option<Uuid>,
    line: String,
}

fn candidates(tx: &Transaction<'_>) -> rusqlite::Result<Vec<Candidate>> {
    let me: String = setting(tx, "me")?.unwrap_or_default();
    let mut found = Vec::new();
    let mut push = |kind: NoticeKind, rows: Vec<(String, String, String)>| {
        for (key, ticket, line) in rows {
            found.push(Candidate {
                key: format!("{}:{key}", kind.as_str()),
                kind,
                ticket_id: Uuid::parse_str(&ticket).ok(),
                line,
            });
        }
    };
    let collect = |sql: &str| -> rusqlite::Result<Vec<(String, String, String)>> {
        tx.prepare(sql)?.query_map([&me], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect()
    };
    // New critical or high tickets from the PSA in my queues: mine, unassigned, or the technicians' queue.
    push(
        NoticeKind::HighPriority,
        collect(
            "SELECT t.id, t.id, t.number || ' ' || t.title FROM tickets t
             WHERE t.completed_at IS NULL AND t.psa_id IS NOT NULL
               AND t.priority IN (SELECT value FROM picklist_values WHERE kind = 'priority' AND meaning IN ('critical', 'high'))
               AND (t.primary_resource_id = ?1 OR t.primary_resource_id IS NULL
                    OR t.queue IN (SELECT value FROM picklist_values WHERE kind = 'queue' AND meaning = 'technicians'))",
        )?,
    );
    // A customer's reply on a ticket where I am primary or secondary.
    push(
        NoticeKind::CustomerReply,
        collect(
            "SELECT n.id, t.id, t.number || ': ' || n.body FROM ticket_notes n JOIN tickets t ON t.row = n.ticket_row
             WHERE n.from_customer = 1 AND t.completed_at IS NULL
               AND (t.primary_resource_id = ?1 OR t.row IN
                    (SELECT ticket_row FROM ticket_secondary_resources WHERE resource_id = ?1 AND is_open = 1))",
        )?,
    );
    // A ticket given to me in the PSA (not one I took here: that waits in the outbox).
    push(
        NoticeKind::AssignedToMe,
        collect(
            "SELECT t.id, t.id, t.number || ' ' || t.title FROM tickets t
             WHERE t.completed_at IS NULL AND t.psa_id IS NOT NULL AND t.primary_resource_id = ?1
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'Ticket' AND o.entity_id = t.id)",
        )?,
    );
    // A conflict waiting for me after a sync.
    push(
        NoticeKind::Conflict,
        tx.prepare(
            "SELECT c.id, t.id, t.number || ' (' || c.field || ')' FROM sync_conflicts c JOIN tickets t ON t.row = c.ticket_row",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?,
    );
    Ok(found)
}

fn heading(kind: NoticeKind, count: usize) -> String {
    match (kind, count) {
        (NoticeKind::HighPriority, 1) => "New high-priority ticket".into(),
        (NoticeKind::HighPriority, n) => format!("{n} new high-priority tickets"),
        (NoticeKind::CustomerReply, 1) => "A customer replied".into(),
        (NoticeKind::CustomerReply, n) => format!("{n} customer replies"),
        (NoticeKind::AssignedToMe, 1) => "A ticket was given to you".into(),
        (NoticeKind::AssignedToMe, n) => format!("{n} tickets were given to you"),
        (NoticeKind::Conflict, 1) => "A change needs your choice".into(),
        (NoticeKind::Conflict, n) => format!("{n} changes need your choice"),
    }
}

/// What to announce now: every candidate not announced before is recorded
/// (once), and returned grouped by kind — unless this is the first look at
/// the cache (until it first holds tickets), notifications are off or it is the quiet hours, when they are
/// recorded as silenced and nothing is returned.
pub fn due_notices(db: &Db, now: DateTime<Utc>) -> Result<Vec<Notice>, NotificationError> {
    db.write(|tx| {
        let settings = read_notification_settings(tx)?;
        let first_look = setting(tx, "notices_since")?.is_none();
        let zone = crate::settings::read_settings(tx)?.zone();
        let hour = now.with_timezone(&zone).hour();
        let show = !first_look && settings.enabled && !settings.is_quiet(hour);
        let fresh: Vec<Candidate> = candidates(tx)?
            .into_iter()
            .filter(|candidate| {
                tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM notices_sent WHERE key = ?1)", [&candidate.key], |r| {
                    r.get::<_, bool>(0)
                })
                .unwrap_or(false)
            })
            .collect();
        for candidate in &fresh {
            tx.execute(
                "INSERT OR IGNORE INTO notices_sent (key, kind, sent_at, shown) VALUES (?1, ?2, ?3, ?4)",
                params![candidate.key, candidate.kind.as_str(), now, show],
            )?;
            // The app's list keeps each one, quiet hours or not (not the first look).
            if !first_look && settings.enabled {
                crate::notice_inbox::record(
                    tx,
                    candidate.kind.as_str(),
                    &heading(candidate.kind, 1),
                    &candidate.line,
                    candidate.ticket_id,
                    now,
                )?;
            }
        }
        // The first look ends once the cache holds tickets: the first sync
        // into an empty folder is not news either.
        let cache_filled: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM tickets)", [], |r| r.get(0))?;
        if first_look && cache_filled {
            tx.execute("INSERT INTO settings (key, value) VALUES ('notices_since', ?1)", [now.to_rfc3339()])?;
        }
        if !show {
            return Ok(Vec::new());
        }
        let mut notices = Vec::new();
        for kind in
            [NoticeKind::Conflict, NoticeKind::AssignedToMe, NoticeKind::HighPriority, NoticeKind::CustomerReply]
        {
            let of_kind: Vec<&Candidate> = fresh.iter().filter(|c| c.kind == kind).collect();
            if of_kind.is_empty() {
                continue;
            }
            if of_kind.len() > GROUP_ABOVE {
                let lines: Vec<String> = of_kind.iter().take(3).map(|c| plain_text(&c.line)).collect();
                let more = of_kind.len() - lines.len();
                let mut body = lines.join("\n");
                if more > 0 {
                    body.push_str(&format!("\n… and {more} more: open Fieldkit."));
                }
                notices.push(Notice { kind, title: heading(kind, of_kind.len()), body, ticket_id: None });
            } else {
                notices.extend(of_kind.iter().map(|c| Notice {
                    kind,
                    title: heading(kind, 1),
                    body: plain_text(&c.line),
                    ticket_id: c.ticket_id,
                }));
            }
        }
        Ok(notices)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_psa_text_is_shown_as_text() {
        assert_eq!(
            plain_text("<b>Printer</b> & <a href='x'>scanner</a>"),
            "&lt;b&gt;Printer&lt;/b&gt; &amp; &lt;a href='x'&gt;scanner&lt;/a&gt;"
        );
        assert_eq!(plain_text("two\nlines"), "two lines");
        assert_eq!(plain_text(&"x".repeat(500)).chars().count(), 200);
    }

    #[test]
    fn quiet_hours_may_wrap_midnight() {
        let night = NotificationSettings { enabled: true, quiet_from_hour: 20, quiet_to_hour: 7 };
        assert!(night.is_quiet(22) && night.is_quiet(3) && !night.is_quiet(7) && !night.is_quiet(12));
        let lunch = NotificationSettings { enabled: true, quiet_from_hour: 12, quiet_to_hour: 13 };
        assert!(lunch.is_quiet(12) && !lunch.is_quiet(13));
        assert!(!NotificationSettings::default().is_quiet(3));
    }
}
