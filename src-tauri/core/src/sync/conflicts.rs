//! Three-way merges of the ticket fields a technician can change here
//! (status, primary resource; priority and queue since escalation and
//! triage, `team/escalate.rs`). The base is the value last agreed with the
//! PSA: a field changed on one side only takes that side's value; changed on
//! both to different values, it becomes a conflict the technician resolves.
//! Every other field always takes the PSA's value.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;
use uuid::Uuid;

use super::statements::{execute_cached, query_row_cached};
use super::SyncError;
use crate::db::{uuid_column, Db};

const STATUS: &str = "status";
const RESOURCE: &str = "assignedResource";
const PRIORITY: &str = "priority";
const QUEUE: &str = "queueID";

fn base(tx: &Transaction<'_>, row: i64) -> rusqlite::Result<Option<Value>> {
    let text: Option<String> =
        query_row_cached(tx, "SELECT fields FROM sync_base WHERE ticket_row = ?1", [row], |r| r.get(0)).optional()?;
    // Only an object is a base: anything else (damaged, another version's) is
    // as if there were none, never a panic when a field is set in it.
    Ok(text.and_then(|text| serde_json::from_str::<Value>(&text).ok()).filter(Value::is_object))
}

pub(crate) fn set_base(tx: &Transaction<'_>, row: i64, status: i64, resource: Option<&str>) -> rusqlite::Result<()> {
    execute_cached(tx,
        "INSERT INTO sync_base (ticket_row, fields) VALUES (?1, ?2) ON CONFLICT (ticket_row) DO UPDATE SET fields = excluded.fields",
        params![row, json!({ STATUS: status, RESOURCE: resource }).to_string()],
    )?;
    Ok(())
}

/// After a pushed update: the PSA now has this value.
pub(crate) fn agree(tx: &Transaction<'_>, row: i64, field: &str, value: &Value) -> rusqlite::Result<()> {
    let mut fields = base(tx, row)?.unwrap_or_else(|| json!({}));
    fields[field] = value.clone();
    execute_cached(tx,
        "INSERT INTO sync_base (ticket_row, fields) VALUES (?1, ?2) ON CONFLICT (ticket_row) DO UPDATE SET fields = excluded.fields",
        params![row, fields.to_string()],
    )?;
    Ok(())
}

/// Merges the PSA's status and primary resource with the cached ticket;
/// returns what to store. Conflicts are recorded and keep the local value.
pub(crate) fn merge_ticket(
    tx: &Transaction<'_>,
    row: i64,
    remote_status: i64,
    remote_resource: Option<String>,
    now: DateTime<Utc>,
) -> Result<(i64, Option<String>), SyncError> {
    let (local_status, local_resource): (i64, Option<String>) =
        query_row_cached(tx, "SELECT status, primary_resource_id FROM tickets WHERE row = ?1", [row], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let Some(mut agreed) = base(tx, row)? else {
        set_base(tx, row, remote_status, remote_resource.as_deref())?;
        return Ok((remote_status, remote_resource));
    };
    let local = json!({ STATUS: local_status, RESOURCE: local_resource });
    let remote = json!({ STATUS: remote_status, RESOURCE: remote_resource });
    let merged = merge_fields(tx, row, &mut agreed, &local, &remote, &[STATUS, RESOURCE], now)?;
    execute_cached(tx, "UPDATE sync_base SET fields = ?2 WHERE ticket_row = ?1", params![row, agreed.to_string()])?;
    Ok((merged[STATUS].as_i64().unwrap_or(remote_status), merged[RESOURCE].as_str().map(String::from)))
}

/// Merges the PSA's priority and queue with the cached ticket (after
/// [`merge_ticket`], which keeps the base); returns what to store. A base
/// written before these fields were merged takes the PSA's values.
pub(crate) fn merge_priority_queue(
    tx: &Transaction<'_>,
    row: i64,
    remote_priority: i64,
    remote_queue: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, Option<i64>), SyncError> {
    let (local_priority, local_queue): (i64, Option<i64>) =
        query_row_cached(tx, "SELECT priority, queue FROM tickets WHERE row = ?1", [row], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let mut agreed = base(tx, row)?.unwrap_or_else(|| json!({}));
    let local = json!({ PRIORITY: local_priority, QUEUE: local_queue });
    let remote = json!({ PRIORITY: remote_priority, QUEUE: remote_queue });
    let merged = merge_fields(tx, row, &mut agreed, &local, &remote, &[PRIORITY, QUEUE], now)?;
    execute_cached(tx,
        "INSERT INTO sync_base (ticket_row, fields) VALUES (?1, ?2) ON CONFLICT (ticket_row) DO UPDATE SET fields = excluded.fields",
        params![row, agreed.to_string()],
    )?;
    Ok((merged[PRIORITY].as_i64().unwrap_or(remote_priority), merged[QUEUE].as_i64()))
}

/// The three-way rule for `names`: returns the merged values and moves
/// `agreed` on; a field changed on both sides is recorded as a conflict and
/// keeps the local value. A field the base lacks takes the PSA's value.
fn merge_fields(
    tx: &Transaction<'_>,
    row: i64,
    agreed: &mut Value,
    local: &Value,
    remote: &Value,
    names: &[&str],
    now: DateTime<Utc>,
) -> Result<Value, SyncError> {
    let mut merged = local.clone();
    for &name in names {
        let (b, l, r) = (agreed.get(name).cloned(), &local[name], &remote[name]);
        let Some(b) = b else {
            merged[name] = r.clone();
            agreed[name] = r.clone();
            continue;
        };
        let b = &b;
        if l == b || l == r {
            merged[name] = r.clone();
            agreed[name] = r.clone();
            execute_cached(tx, "DELETE FROM sync_conflicts WHERE ticket_row = ?1 AND field = ?2", params![row, name])?;
        } else if r != b {
            execute_cached(tx,
                "INSERT INTO sync_conflicts (id, ticket_row, field, base_value, local_value, remote_value, detected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (ticket_row, field) DO UPDATE SET base_value = excluded.base_value,
                     local_value = excluded.local_value, remote_value = excluded.remote_value, detected_at = excluded.detected_at",
                params![Uuid::new_v4().to_string(), row, name, b.to_string(), l.to_string(), r.to_string(), now],
            )?;
        }
        // Only the local side changed: keep it; its outbox entry will send it.
    }
    Ok(merged)
}

/// A field changed here and in the PSA, for the technician to choose.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Conflict {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub ticket_number: String,
    pub ticket_title: String,
    /// `status`, `assignedResource`, `priority` or `queueID`.
    pub field: String,
    pub field_label: String,
    pub mine: String,
    pub theirs: String,
    pub detected_at: DateTime<Utc>,
}

/// Which side wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Choice {
    Mine,
    Theirs,
}

fn label(connection: &rusqlite::Connection, field: &str, value: &str) -> rusqlite::Result<String> {
    let value: Value = serde_json::from_str(value).unwrap_or(Value::Null);
    Ok(match (field, &value) {
        (STATUS, Value::Number(number)) => connection
            .query_row(
                "SELECT label FROM picklist_values WHERE kind = 'status' AND value = ?1",
                [number.as_i64()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| format!("Status {number}")),
        (RESOURCE, Value::String(id)) => connection
            .query_row("SELECT first_name || ' ' || last_name FROM resources WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .unwrap_or_else(|| "someone not in the team list".into()),
        (RESOURCE, Value::Null) => "nobody".into(),
        (PRIORITY, Value::Number(number)) => connection
            .query_row(
                "SELECT label FROM picklist_values WHERE kind = 'priority' AND value = ?1",
                [number.as_i64()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| format!("Priority {number}")),
        (QUEUE, Value::Number(number)) => connection
            .query_row(
                "SELECT label FROM picklist_values WHERE kind = 'queue' AND value = ?1",
                [number.as_i64()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| format!("Queue {number}")),
        (QUEUE, Value::Null) => "no queue".into(),
        _ => value.to_string(),
    })
}

pub fn list_conflicts(db: &Db) -> Result<Vec<Conflict>, SyncError> {
    db.read(|connection| {
        let mut statement = connection.prepare(
            "SELECT c.id, t.id, t.number, t.title, c.field, c.local_value, c.remote_value, c.detected_at
             FROM sync_conflicts c JOIN tickets t ON t.row = c.ticket_row ORDER BY c.detected_at",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                uuid_column(row, 0)?,
                uuid_column(row, 1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, DateTime<Utc>>(7)?,
            ))
        })?;
        let mut conflicts = Vec::new();
        for row in rows {
            let (id, ticket_id, ticket_number, ticket_title, field, local, remote, detected_at) = row?;
            conflicts.push(Conflict {
                id,
                ticket_id,
                ticket_number,
                ticket_title,
                field_label: match field.as_str() {
                    STATUS => "Status",
                    PRIORITY => "Priority",
                    QUEUE => "Queue",
                    _ => "Primary resource",
                }
                .into(),
                mine: label(connection, &field, &local)?,
                theirs: label(connection, &field, &remote)?,
                field,
                detected_at,
            });
        }
        Ok(conflicts)
    })
}

/// Mine: my pending change is sent over theirs. Theirs: the PSA's value is
/// taken and my pending change of that field is marked superseded.
pub fn resolve_conflict(db: &Db, id: Uuid, choice: Choice) -> Result<(), SyncError> {
    db.write(|tx| {
        let (row, field, remote): (i64, String, String) = tx
            .query_row("SELECT ticket_row, field, remote_value FROM sync_conflicts WHERE id = ?1", [id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?
            .ok_or_else(|| SyncError::Settings("That conflict was already resolved.".into()))?;
        let remote: Value = serde_json::from_str(&remote).unwrap_or(Value::Null);
        // Either way the PSA's value has been seen: it becomes the base.
        agree(tx, row, &field, &remote)?;
        if choice == Choice::Theirs {
            let ticket_id: String = query_row_cached(tx, "SELECT id FROM tickets WHERE row = ?1", [row], |r| r.get(0))?;
            match field.as_str() {
                STATUS => execute_cached(tx, "UPDATE tickets SET status = ?2 WHERE row = ?1", params![row, remote.as_i64()])?,
                PRIORITY => execute_cached(tx, "UPDATE tickets SET priority = ?2 WHERE row = ?1", params![row, remote.as_i64()])?,
                QUEUE => execute_cached(tx, "UPDATE tickets SET queue = ?2 WHERE row = ?1", params![row, remote.as_i64()])?,
                _ => execute_cached(tx, "UPDATE tickets SET primary_resource_id = ?2 WHERE row = ?1", params![row, remote.as_str()])?,
            };
            let pending: Vec<(i64, String)> = tx
                .prepare("SELECT seq, payload FROM outbox WHERE entity = 'Ticket' AND operation = 'update' AND entity_id = ?1 AND state IN ('pending', 'failed')")?
                .query_map([&ticket_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (seq, payload) in pending {
                let payload: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
                if payload.get(&field).is_some() {
                    execute_cached(tx,
                        "UPDATE outbox SET state = 'superseded', last_error = 'You kept the value from the PSA.' WHERE seq = ?1",
                        [seq],
                    )?;
                }
            }
        }
        execute_cached(tx, "DELETE FROM sync_conflicts WHERE id = ?1", [id.to_string()])?;
        Ok(())
    })
}
