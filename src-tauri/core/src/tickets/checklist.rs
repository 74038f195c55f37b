//! A ticket's checklist (Autotask `TicketChecklistItems`): the items in the
//! PSA's order, ticked or unticked here offline — the row and its outbox
//! entry in one transaction, sent as an update of `isCompleted`,
//! `completedByResourceID` (me) and `completedDateTime`. Ticking again
//! before the sync sends it supersedes the waiting entry, so only the last
//! state goes out, once. An item left unticked can become a discrepancy
//! report naming it, in one click.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;
use uuid::Uuid;

use super::raise::file_discrepancy_report;
use super::store::ticket_key;
use super::{DiscrepancyDraft, DiscrepancyKind, TicketError};
use crate::db::{uuid_column, Db};
use crate::outbox::{enqueue, Change};
use crate::settings::my_resource;

/// The outbox entity of a tick.
pub(crate) const ENTITY: &str = "TicketChecklistItem";

/// One item of a ticket's checklist.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ChecklistItem {
    pub id: Uuid,
    pub position: i64,
    pub name: String,
    /// The PSA marks some items important.
    pub is_important: bool,
    pub is_completed: bool,
    /// Who ticked it (empty while unticked, or when the PSA names someone unknown here).
    pub completed_by_name: String,
    pub completed_at: Option<DateTime<Utc>>,
    /// Ticked or unticked here, and not yet sent to the PSA.
    pub is_waiting: bool,
}

const ITEM_SELECT: &str = "SELECT c.id, c.position, c.name, c.is_important, c.is_completed,
        coalesce(r.first_name || ' ' || r.last_name, ''), c.completed_at,
        EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'TicketChecklistItem' AND o.entity_id = c.id
                AND o.state IN ('pending', 'failed'))
     FROM checklist_items c LEFT JOIN resources r ON r.id = c.completed_by_resource_id";

fn item_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ChecklistItem> {
    Ok(ChecklistItem {
        id: uuid_column(row, 0)?,
        position: row.get(1)?,
        name: row.get(2)?,
        is_important: row.get(3)?,
        is_completed: row.get(4)?,
        completed_by_name: row.get(5)?,
        completed_at: row.get(6)?,
        is_waiting: row.get(7)?,
    })
}

fn read_item(connection: &Connection, id: Uuid) -> Result<ChecklistItem, TicketError> {
    connection
        .prepare_cached(&format!("{ITEM_SELECT} WHERE c.id = ?1"))?
        .query_row([id.to_string()], item_from_row)
        .optional()?
        .ok_or_else(|| TicketError::NotPossible("That checklist item is no longer on the ticket.".into()))
}

/// The checklist of ticket `ticket_id`, in the PSA's order (empty when it has none).
pub fn ticket_checklist(db: &Db, ticket_id: Uuid) -> Result<Vec<ChecklistItem>, TicketError> {
    db.read(|connection| {
        let (row, _) = ticket_key(connection, ticket_id)?;
        Ok(connection
            .prepare_cached(&format!("{ITEM_SELECT} WHERE c.ticket_row = ?1 ORDER BY c.position, c.row"))?
            .query_map([row], item_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    })
}

/// Ticks (`completed`) or unticks item `item_id` as me, with its outbox
/// entry; the item as it now stands. Setting the state it already has
/// changes nothing and queues nothing.
pub fn set_checklist_item(
    db: &Db,
    item_id: Uuid,
    completed: bool,
    now: DateTime<Utc>,
) -> Result<ChecklistItem, TicketError> {
    db.write(|tx| {
        let current = read_item(tx, item_id)?;
        if current.is_completed == completed {
            return Ok(current);
        }
        let (ticket_id, number): (String, String) = tx.query_row(
            "SELECT t.id, t.number FROM checklist_items c JOIN tickets t ON t.row = c.ticket_row WHERE c.id = ?1",
            [item_id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let me = my_resource(tx)?.map(|(id, _)| id);
        if completed && me.is_none() {
            return Err(TicketError::NotPossible("Choose who you are in Settings first.".into()));
        }
        let (by, at) = if completed { (me, Some(now)) } else { (None, None) };
        tx.execute(
            "UPDATE checklist_items SET is_completed = ?2, completed_by_resource_id = ?3, completed_at = ?4 WHERE id = ?1",
            params![item_id.to_string(), completed, by, at],
        )?;
        // A tick not sent yet is replaced by this one: only the last state goes out.
        tx.execute(
            "UPDATE outbox SET state = 'superseded', last_error = 'Replaced by a later tick or untick.'
             WHERE entity = ?1 AND entity_id = ?2 AND state = 'pending' AND attempts = 0",
            params![ENTITY, item_id.to_string()],
        )?;
        enqueue(
            tx,
            Change {
                entity: ENTITY,
                entity_id: item_id,
                operation: "update",
                summary: format!(
                    "Checklist on {number}: {} “{}”",
                    if completed { "ticked" } else { "unticked" },
                    current.name
                ),
                payload: json!({
                    "ticket": ticket_id,
                    "itemName": current.name,
                    "isCompleted": completed,
                    "completedBy": by,
                    "completedDateTime": at.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true)),
                }),
            },
            now,
        )?;
        read_item(tx, item_id)
    })
}

/// The description of the discrepancy report for an item left undone.
pub fn unticked_item_text(name: &str) -> String {
    format!("Checklist item not done: {name}")
}

/// Files a discrepancy report ("Missing checklist item") for an unticked
/// item, naming it; the new ticket's id.
pub fn report_unticked_checklist_item(db: &Db, item_id: Uuid, now: DateTime<Utc>) -> Result<Uuid, TicketError> {
    let (item, ticket, device) = db.read(|connection| -> Result<_, TicketError> {
        let item = read_item(connection, item_id)?;
        let (ticket, device): (String, Option<String>) = connection.query_row(
            "SELECT t.id, t.device_id FROM checklist_items c JOIN tickets t ON t.row = c.ticket_row WHERE c.id = ?1",
            [item_id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((item, ticket, device))
    })?;
    if item.is_completed {
        return Err(TicketError::NotPossible(format!("“{}” is ticked: there is nothing to report.", item.name)));
    }
    let draft = DiscrepancyDraft {
        kind: DiscrepancyKind::MissingChecklistItem,
        customer_id: None,
        device_id: device.and_then(|d| Uuid::parse_str(&d).ok()),
        noticed_on: Uuid::parse_str(&ticket).ok(),
        description: unticked_item_text(&item.name),
    };
    file_discrepancy_report(db, &draft, now)
}
