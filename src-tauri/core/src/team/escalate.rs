//! Handing a ticket on: escalating it to the senior technician (the primary
//! resource changes, the previous primary stays on as a secondary resource,
//! an internal note says why), plain reassignment, and priority and queue
//! changes. Each is one transaction with its outbox entries; the sync sends
//! them and merges them three-way with the PSA's changes (`sync/conflicts.rs`).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;
use uuid::Uuid;

use super::TeamError;
use crate::db::Db;
use crate::outbox::{enqueue, Change};
use crate::picklists::{self, PicklistKind};
use crate::validation::FieldErrors;

/// Someone a ticket can be handed to.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Assignee {
    pub id: Uuid,
    pub name: String,
    /// `technician`, `office_admin` or `senior_technician`.
    pub role: String,
}

/// The escalation form.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct EscalationDraft {
    pub ticket_id: Uuid,
    /// A senior technician.
    pub to_resource_id: String,
    /// Why, for the internal note.
    pub reason: String,
}

/// The active people, senior technicians first (for escalation, only they are offered).
pub fn list_assignees(db: &Db) -> Result<Vec<Assignee>, TeamError> {
    Ok(db.read(|c| {
        c.prepare(
            "SELECT id, first_name || ' ' || last_name, role FROM resources WHERE is_active = 1
             ORDER BY CASE role WHEN 'senior_technician' THEN 0 WHEN 'technician' THEN 1 ELSE 2 END, last_name, first_name",
        )?
        .query_map([], |r| {
            let id: String = r.get(0)?;
            Ok(Assignee { id: Uuid::parse_str(&id).unwrap_or_default(), name: r.get(1)?, role: r.get(2)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()
    })?)
}

/// The ticket's row, number and primary resource.
fn ticket(tx: &Connection, id: Uuid) -> Result<(i64, String, Option<String>), TeamError> {
    tx.query_row("SELECT row, number, primary_resource_id FROM tickets WHERE id = ?1", [id.to_string()], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()?
    .ok_or(TeamError::TicketNotFound)
}

/// An active person's name and role; a field message when there is none.
fn person(tx: &Connection, field: &str, id: &str) -> Result<(String, String), TeamError> {
    let found: Option<(String, String)> = match Uuid::parse_str(id.trim()) {
        Ok(uuid) => tx
            .query_row(
                "SELECT first_name || ' ' || last_name, role FROM resources WHERE id = ?1 AND is_active = 1",
                [uuid.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?,
        Err(_) => None,
    };
    found.ok_or_else(|| TeamError::Invalid(crate::error::one_field(field, "Choose someone from the list.")))
}

/// Makes `to` the primary resource, in the cache and the outbox.
fn set_primary(
    tx: &Transaction<'_>,
    ticket_id: Uuid,
    row: i64,
    to: &str,
    summary: String,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE tickets SET primary_resource_id = ?2, last_activity_at = ?3 WHERE row = ?1",
        params![row, to, now],
    )?;
    // Primary and secondary at once is refused by the PSA.
    tx.execute("DELETE FROM ticket_secondary_resources WHERE ticket_row = ?1 AND resource_id = ?2", params![row, to])?;
    enqueue(
        tx,
        Change {
            entity: "Ticket",
            entity_id: ticket_id,
            operation: "update",
            summary,
            payload: json!({ "ticket": ticket_id, "assignedResource": to }),
        },
        now,
    )?;
    Ok(())
}

/// Escalates to a senior technician: they become primary, the previous
/// primary stays on as a secondary resource, an internal note says why.
pub fn escalate_ticket(db: &Db, draft: &EscalationDraft, now: DateTime<Utc>) -> Result<(), TeamError> {
    let mut errors = FieldErrors::default();
    let reason = errors.text("reason", &draft.reason, true, 2_000);
    errors.into_result().map_err(TeamError::Invalid)?;
    db.write(|tx| -> Result<(), TeamError> {
        let (row, number, previous) = ticket(tx, draft.ticket_id)?;
        let (name, role) = person(tx, "to_resource_id", &draft.to_resource_id)?;
        if role != "senior_technician" {
            return Err(TeamError::Invalid(crate::error::one_field(
                "to_resource_id",
                "Escalate to a senior technician; to hand it to someone else, reassign it.",
            )));
        }
        let to = Uuid::parse_str(draft.to_resource_id.trim()).unwrap_or_default().to_string();
        if previous.as_deref() == Some(to.as_str()) {
            return Err(TeamError::NotPossible(format!("{name} is already the primary resource of {number}.")));
        }
        set_primary(tx, draft.ticket_id, row, &to, format!("Escalated {number} to {name}"), now)?;
        if let Some(previous) = previous {
            let added = tx.execute(
                "INSERT OR IGNORE INTO ticket_secondary_resources (ticket_row, resource_id, is_open)
                 SELECT ?1, ?2, completed_at IS NULL FROM tickets WHERE row = ?1",
                params![row, previous],
            )?;
            if added == 1 {
                enqueue(
                    tx,
                    Change {
                        entity: "TicketSecondaryResource",
                        entity_id: Uuid::new_v4(),
                        operation: "create",
                        summary: format!("Kept the previous primary on {number} as secondary"),
                        payload: json!({ "ticket": draft.ticket_id, "resource": previous }),
                    },
                    now,
                )?;
            }
        }
        crate::tickets::write_note_in(tx, draft.ticket_id, &format!("Escalated to {name}: {reason}"), false, now)?;
        Ok(())
    })
}

/// Hands the ticket to someone (the primary resource changes; nothing else).
pub fn reassign_ticket(db: &Db, ticket_id: Uuid, to_resource_id: &str, now: DateTime<Utc>) -> Result<(), TeamError> {
    db.write(|tx| -> Result<(), TeamError> {
        let (row, number, previous) = ticket(tx, ticket_id)?;
        let (name, _) = person(tx, "to_resource_id", to_resource_id)?;
        let to = Uuid::parse_str(to_resource_id.trim()).unwrap_or_default().to_string();
        if previous.as_deref() == Some(to.as_str()) {
            return Err(TeamError::NotPossible(format!("{name} is already the primary resource of {number}.")));
        }
        Ok(set_primary(tx, ticket_id, row, &to, format!("Reassigned {number} to {name}"), now)?)
    })
}

/// Sets the priority.
pub fn change_priority(db: &Db, ticket_id: Uuid, priority: i64, now: DateTime<Utc>) -> Result<(), TeamError> {
    change_field(db, ticket_id, PicklistKind::Priority, "priority", priority, now)
}

/// Moves the ticket to another queue.
pub fn change_queue(db: &Db, ticket_id: Uuid, queue: i64, now: DateTime<Utc>) -> Result<(), TeamError> {
    change_field(db, ticket_id, PicklistKind::Queue, "queue", queue, now)
}

fn change_field(
    db: &Db,
    ticket_id: Uuid,
    kind: PicklistKind,
    column: &str,
    value: i64,
    now: DateTime<Utc>,
) -> Result<(), TeamError> {
    db.write(|tx| -> Result<(), TeamError> {
        let (row, number, _) = ticket(tx, ticket_id)?;
        if !picklists::is_known(tx, kind, value)? {
            return Err(TeamError::Invalid(crate::error::one_field(column, "Choose a value from the list.")));
        }
        let label: String = tx.query_row(
            "SELECT label FROM picklist_values WHERE kind = ?1 AND value = ?2",
            params![column, value],
            |r| r.get(0),
        )?;
        tx.execute(
            &format!("UPDATE tickets SET {column} = ?2, last_activity_at = ?3 WHERE row = ?1"),
            params![row, value, now],
        )?;
        // Autotask's names: `priority`, `queueID`.
        let field = if column == "queue" { "queueID" } else { "priority" };
        let what = if column == "queue" { "Queue" } else { "Priority" };
        enqueue(
            tx,
            Change {
                entity: "Ticket",
                entity_id: ticket_id,
                operation: "update",
                summary: format!("{what} of {number} → {label}"),
                payload: json!({ "ticket": ticket_id, field: value }),
            },
            now,
        )?;
        Ok(())
    })
}
