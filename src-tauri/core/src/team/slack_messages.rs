//! The Slack messages written here and where each stands. A message's
//! state is mirrored into its outbox entry (pending while it waits or is
//! being sent, `failed` with Slack's words, `sent`, `superseded` once
//! discarded), so "what waits" and the Sync page count it like any change.
//!
//! A message found *possibly sent* (the app stopped during its POST) or
//! *failed* waits for the technician: "send again" puts it back in line,
//! "discard" drops it. Neither is ever done behind their back.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use super::{TeamError, SLACK_ENTITY};
use crate::db::{uuid_column, Db};

/// One message for the team's Slack channel.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SlackMessage {
    pub id: Uuid,
    /// `help_request` or `handoff`.
    pub kind: String,
    pub ticket_id: Option<Uuid>,
    pub text: String,
    /// `pending`, `sending`, `sent`, `failed`, `possibly_sent` or `discarded`.
    pub state: String,
    pub attempts: i64,
    /// Why the last attempt did not go through, for the technician.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, kind, ticket_id, text, state, attempts, last_error, created_at, sent_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<SlackMessage> {
    let ticket: Option<String> = row.get(2)?;
    Ok(SlackMessage {
        id: uuid_column(row, 0)?,
        kind: row.get(1)?,
        ticket_id: ticket.and_then(|t| Uuid::parse_str(&t).ok()),
        text: row.get(3)?,
        state: row.get(4)?,
        attempts: row.get(5)?,
        last_error: row.get(6)?,
        created_at: row.get(7)?,
        sent_at: row.get(8)?,
    })
}

pub(crate) fn read_message(connection: &Connection, id: Uuid) -> rusqlite::Result<Option<SlackMessage>> {
    connection
        .query_row(&format!("SELECT {COLUMNS} FROM slack_messages WHERE id = ?1"), [id.to_string()], from_row)
        .optional()
}

/// A ticket's messages (newest first), or — without a ticket — those that
/// wait or need the technician (oldest first).
pub fn list_slack_messages(db: &Db, ticket_id: Option<Uuid>) -> Result<Vec<SlackMessage>, TeamError> {
    Ok(db.read(|c| match ticket_id {
        Some(ticket) => c
            .prepare(&format!(
                "SELECT {COLUMNS} FROM slack_messages WHERE ticket_id = ?1 ORDER BY created_at DESC, rowid DESC"
            ))?
            .query_map([ticket.to_string()], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>(),
        None => c
            .prepare(&format!(
                "SELECT {COLUMNS} FROM slack_messages
                 WHERE state IN ('pending', 'sending', 'failed', 'possibly_sent') ORDER BY created_at, rowid"
            ))?
            .query_map([], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>(),
    })?)
}

/// Sets a message's state and its outbox entry's, inside `tx`.
/// What a restored backup says of a message that was waiting in it.
const RESTORED: &str = "Restored from a backup: this message may have been posted after the backup was made. \
Send it again or discard it.";

/// After a restore: a message waiting (or being sent) in the backup may
/// have been posted since, and a webhook post is not idempotent, so it is
/// shown as possibly sent — never posted again silently. Returns how many.
pub(crate) fn hold_after_restore(tx: &Connection, now: DateTime<Utc>) -> rusqlite::Result<u32> {
    let waiting: Vec<String> = tx
        .prepare("SELECT id FROM slack_messages WHERE state IN ('pending', 'sending')")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &waiting {
        set_state(tx, id, "possibly_sent", Some(RESTORED), now)?;
    }
    Ok(u32::try_from(waiting.len()).unwrap_or(u32::MAX))
}

pub(crate) fn set_state(
    tx: &Connection,
    id: &str,
    state: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE slack_messages SET state = ?2, last_error = ?3,
             sent_at = CASE WHEN ?2 = 'sent' THEN ?4 ELSE sent_at END
         WHERE id = ?1",
        params![id, state, error, now],
    )?;
    let outbox_state = match state {
        "sent" => "sent",
        "failed" => "failed",
        "discarded" => "superseded",
        _ => "pending",
    };
    tx.execute(
        "UPDATE outbox SET state = ?3, last_error = ?4, sent_at = CASE WHEN ?3 = 'sent' THEN ?5 ELSE sent_at END
         WHERE entity = ?1 AND entity_id = ?2",
        params![SLACK_ENTITY, id, outbox_state, error, now],
    )?;
    Ok(())
}

fn state_of(tx: &Connection, id: Uuid) -> Result<String, TeamError> {
    tx.query_row("SELECT state FROM slack_messages WHERE id = ?1", [id.to_string()], |r| r.get(0))
        .optional()?
        .ok_or(TeamError::MessageNotFound)
}

/// "Send again": a failed or possibly-sent message goes back in line. For a
/// possibly-sent one this is the technician's choice, knowing the channel
/// may then show it twice.
pub fn resend_slack_message(db: &Db, id: Uuid, now: DateTime<Utc>) -> Result<SlackMessage, TeamError> {
    db.write(|tx| -> Result<(), TeamError> {
        match state_of(tx, id)?.as_str() {
            "failed" | "possibly_sent" => Ok(set_state(tx, &id.to_string(), "pending", None, now)?),
            "pending" | "sending" => Err(TeamError::NotPossible("This message is already waiting to be sent.".into())),
            _ => Err(TeamError::NotPossible("This message was sent or discarded already.".into())),
        }
    })?;
    db.read(|c| read_message(c, id))?.ok_or(TeamError::MessageNotFound)
}

/// "Discard": the message will not be sent (or not again).
pub fn discard_slack_message(db: &Db, id: Uuid, now: DateTime<Utc>) -> Result<SlackMessage, TeamError> {
    db.write(|tx| -> Result<(), TeamError> {
        match state_of(tx, id)?.as_str() {
            "pending" | "failed" | "possibly_sent" => Ok(set_state(tx, &id.to_string(), "discarded", None, now)?),
            "sending" => Err(TeamError::NotPossible(
                "This message is being sent right now; wait a moment and look again.".into(),
            )),
            _ => Err(TeamError::NotPossible("This message was sent or discarded already.".into())),
        }
    })?;
    db.read(|c| read_message(c, id))?.ok_or(TeamError::MessageNotFound)
}
