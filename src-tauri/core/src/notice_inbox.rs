//! The notices list in the app: every ticket-level notice the sync raised
//! (`notifications::due_notices`), one row per ticket even when the desktop
//! notification grouped several, kept while the quiet hours silence the
//! desktop. Opening one opens its ticket and marks it read; the desktop
//! notification's click does the same through the shell.

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::db::{Db, DbError};

/// The list keeps this many notices; older ones are dropped as new ones come.
const KEEP: i64 = 200;
/// At most this many are listed.
const LISTED: i64 = 50;

/// One notice in the app's list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NoticeItem {
    #[ts(type = "number")]
    pub id: i64,
    /// `high_priority`, `customer_reply`, `assigned_to_me` or `conflict`.
    pub kind: String,
    pub title: String,
    /// Plain text from the PSA: render it as text.
    pub body: String,
    pub ticket_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// The newest notices and how many are unread.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NoticeList {
    pub unread: u32,
    pub items: Vec<NoticeItem>,
}

/// A desktop notification the technician clicked: its ticket, or the
/// notices list for a grouped one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NoticeOpened {
    pub ticket_id: Option<Uuid>,
}

/// Adds a notice to the list (in the transaction that records it as sent).
pub(crate) fn record(
    tx: &Transaction<'_>,
    kind: &str,
    title: &str,
    body: &str,
    ticket_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let body: String = body.chars().map(|c| if c.is_control() { ' ' } else { c }).take(300).collect();
    tx.execute(
        "INSERT INTO notice_inbox (kind, title, body, ticket_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![kind, title, body, ticket_id.map(|id| id.to_string()), now],
    )?;
    tx.execute("DELETE FROM notice_inbox WHERE id <= (SELECT MAX(id) FROM notice_inbox) - ?1", [KEEP])?;
    Ok(())
}

pub fn list_notices(db: &Db) -> Result<NoticeList, DbError> {
    db.read(|connection| {
        let unread: u32 =
            connection.query_row("SELECT COUNT(*) FROM notice_inbox WHERE read_at IS NULL", [], |r| r.get(0))?;
        let items = connection
            .prepare(
                "SELECT id, kind, title, body, ticket_id, created_at, read_at IS NOT NULL
                 FROM notice_inbox ORDER BY id DESC LIMIT ?1",
            )?
            .query_map([LISTED], |r| {
                Ok(NoticeItem {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    title: r.get(2)?,
                    body: r.get(3)?,
                    ticket_id: r.get::<_, Option<String>>(4)?.and_then(|id| Uuid::parse_str(&id).ok()),
                    created_at: r.get(5)?,
                    read: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(NoticeList { unread, items })
    })
}

/// Marks one notice read (`Some(id)`) or all of them (`None`).
pub fn mark_notices_read(db: &Db, id: Option<i64>, now: DateTime<Utc>) -> Result<NoticeList, DbError> {
    db.write(|tx| {
        tx.execute(
            "UPDATE notice_inbox SET read_at = ?1 WHERE read_at IS NULL AND (?2 IS NULL OR id = ?2)",
            params![now, id],
        )
    })?;
    list_notices(db)
}
