//! The outbox: every change made in Fieldkit, in order, waiting to be sent
//! to the PSA. An entry is written in the same transaction as the change it
//! describes, so a change is never saved without its entry, nor the reverse.
//! Each entry has its own idempotency UUID for the sync to use.

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::db::{uuid_column, Db, DbError};

/// One change waiting to be sent (or sent, or failed).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OutboxEntry {
    /// Position in the send order.
    pub seq: i64,
    /// Idempotency key: the same entry is never applied twice.
    pub id: Uuid,
    /// The PSA entity: `Ticket`, `TicketNote`, `ServiceCall`.
    pub entity: String,
    /// The local UUID of the record the change is about.
    pub entity_id: Uuid,
    /// `create` or `update`.
    pub operation: String,
    /// One line for people: "Note on T20261120.0042".
    pub summary: String,
    /// The change, shaped after the PSA's API (camelCase field names).
    pub payload: String,
    pub created_at: DateTime<Utc>,
    /// `pending`, `sent`, `failed` (refused by the PSA) or `superseded`.
    pub state: String,
    /// Why the last attempt failed (the PSA's words for a refusal).
    pub last_error: Option<String>,
}

/// A change to record; see [`enqueue`].
pub struct Change<'a> {
    pub entity: &'a str,
    pub entity_id: Uuid,
    pub operation: &'a str,
    pub summary: String,
    pub payload: serde_json::Value,
}

/// Appends `change` inside the caller's transaction.
pub fn enqueue(tx: &Transaction<'_>, change: Change<'_>, now: DateTime<Utc>) -> rusqlite::Result<Uuid> {
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO outbox (id, entity, entity_id, operation, summary, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id.to_string(),
            change.entity,
            change.entity_id.to_string(),
            change.operation,
            change.summary,
            change.payload.to_string(),
            now
        ],
    )?;
    Ok(id)
}

/// The entries in `state` (`pending`, `sent`, `failed`, `superseded`), oldest first.
pub fn list_in_state(db: &Db, state: &str) -> Result<Vec<OutboxEntry>, DbError> {
    Ok(db.read(|connection| {
        let mut statement = connection.prepare_cached(
            "SELECT seq, id, entity, entity_id, operation, summary, payload, created_at, state, last_error
             FROM outbox WHERE state = ?1 ORDER BY seq",
        )?;
        let rows = statement.query_map([state], |row| {
            Ok(OutboxEntry {
                seq: row.get(0)?,
                id: uuid_column(row, 1)?,
                entity: row.get(2)?,
                entity_id: uuid_column(row, 3)?,
                operation: row.get(4)?,
                summary: row.get(5)?,
                payload: row.get(6)?,
                created_at: row.get(7)?,
                state: row.get(8)?,
                last_error: row.get(9)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })?)
}

/// The entries not yet sent, oldest first.
pub fn list_pending(db: &Db) -> Result<Vec<OutboxEntry>, DbError> {
    list_in_state(db, "pending")
}

/// How many entries wait to be sent.
pub fn count_pending(db: &Db) -> Result<u64, DbError> {
    let count: i64 = db.read(|connection| {
        connection.query_row("SELECT count(*) FROM outbox WHERE state = 'pending'", [], |row| row.get(0))
    })?;
    Ok(count.max(0) as u64)
}

/// The entries the PSA refused, oldest first, with its words in `last_error`.
pub fn list_failed(db: &Db) -> Result<Vec<OutboxEntry>, DbError> {
    list_in_state(db, "failed")
}
