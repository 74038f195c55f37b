//! Restock requests to the office admin. After every stock change (in the
//! same transaction) [`review_restock`] looks at what is low: with no request
//! pending it drafts one listing every low item with a suggested quantity,
//! queued in the outbox as a ticket for the office admin; while one is
//! pending, newly low items are added to it (never a second request); once
//! none of its items is low any more (stock received), it closes.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;
use uuid::Uuid;

use super::StockError;
use crate::outbox::{enqueue, Change};
use crate::picklists::{self, meaning, PicklistKind};

/// One item on a restock request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RestockLine {
    pub item_id: Uuid,
    pub name: String,
    pub unit: String,
    /// On hand when the item was added to the request.
    pub on_hand: i64,
    pub reorder_level: i64,
    pub suggested: i64,
}

/// A restock request: pending until none of its items is low.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RestockRequest {
    pub id: Uuid,
    pub pending: bool,
    pub lines: Vec<RestockLine>,
    /// The outbox entry that carries it to the PSA.
    pub outbox_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

fn read_request(connection: &Connection, state: &str) -> Result<Option<RestockRequest>, StockError> {
    let found = connection
        .prepare_cached(
            "SELECT id, lines, outbox_id, created_at, updated_at, closed_at FROM restock_requests
             WHERE state = ?1 ORDER BY created_at DESC LIMIT 1",
        )?
        .query_row([state], |row| {
            let lines: String = row.get(1)?;
            Ok(RestockRequest {
                id: crate::db::uuid_column(row, 0)?,
                pending: state == "pending",
                lines: serde_json::from_str(&lines).unwrap_or_default(),
                outbox_id: crate::db::uuid_column(row, 2)?,
                created_at: row.get(3)?,
                updated_at: row.get(4)?,
                closed_at: row.get(5)?,
            })
        })
        .optional()?;
    Ok(found)
}

pub(crate) fn pending_request(connection: &Connection) -> Result<Option<RestockRequest>, StockError> {
    read_request(connection, "pending")
}

/// The pending restock request, if any.
pub fn pending_restock_request(db: &crate::db::Db) -> Result<Option<RestockRequest>, StockError> {
    db.read(pending_request)
}

/// How many to ask for: the item's reorder quantity, or more if that would
/// not lift it above its reorder level.
fn suggested(on_hand: i64, reorder_level: i64, reorder_quantity: i64) -> i64 {
    reorder_quantity.max(reorder_level - on_hand + 1)
}

fn low_items(tx: &Transaction<'_>) -> Result<Vec<RestockLine>, StockError> {
    let mut statement = tx.prepare_cached(
        "SELECT id, name, unit, on_hand, reorder_level, reorder_quantity FROM stock_items
         WHERE on_hand <= reorder_level ORDER BY name COLLATE NOCASE",
    )?;
    let rows = statement.query_map([], |row| {
        let on_hand: i64 = row.get(3)?;
        let reorder_level: i64 = row.get(4)?;
        Ok(RestockLine {
            item_id: crate::db::uuid_column(row, 0)?,
            name: row.get(1)?,
            unit: row.get(2)?,
            on_hand,
            reorder_level,
            suggested: suggested(on_hand, reorder_level, row.get(5)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn describe(lines: &[RestockLine]) -> String {
    lines
        .iter()
        .map(|line| {
            format!(
                "- {}: {} {} on hand (reorder level {}); please send {} {}",
                line.name, line.on_hand, line.unit, line.reorder_level, line.suggested, line.unit
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn title(count: usize) -> String {
    if count == 1 {
        "Restock request: 1 item".into()
    } else {
        format!("Restock request: {count} items")
    }
}

/// Looks at what is low after a stock change and drafts, extends or closes
/// the restock request. Returns the request when this change drafted or
/// extended it.
pub(crate) fn review_restock(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<Option<RestockRequest>, StockError> {
    let low = low_items(tx)?;
    if let Some(mut request) = pending_request(tx)? {
        let still_low = request.lines.iter().any(|line| low.iter().any(|item| item.item_id == line.item_id));
        if still_low {
            let added: Vec<RestockLine> =
                low.into_iter().filter(|item| !request.lines.iter().any(|line| line.item_id == item.item_id)).collect();
            if added.is_empty() {
                return Ok(None);
            }
            request.lines.extend(added.iter().cloned());
            request.updated_at = now;
            extend(tx, &request, &added, now)?;
            return Ok(Some(request));
        }
        tx.execute(
            "UPDATE restock_requests SET state = 'closed', closed_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![request.id.to_string(), now],
        )?;
    }
    if low.is_empty() {
        return Ok(None);
    }
    draft(tx, low, now).map(Some)
}

fn me_and_office_admin(tx: &Transaction<'_>) -> Result<(String, Option<String>), StockError> {
    let me: String = crate::settings::my_name(tx)?.unwrap_or_else(|| "the technician".into());
    let office_admin: Option<String> = tx
        .query_row(
            "SELECT id FROM resources WHERE role = 'office_admin' AND is_active = 1 ORDER BY last_name, first_name LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()?;
    Ok((me, office_admin))
}

fn draft(tx: &Transaction<'_>, lines: Vec<RestockLine>, now: DateTime<Utc>) -> Result<RestockRequest, StockError> {
    let id = Uuid::new_v4();
    let (me, office_admin) = me_and_office_admin(tx)?;
    let payload = json!({
        "title": title(lines.len()),
        "description": format!("Stock of {me} is running low.\n\n{}", describe(&lines)),
        "status": picklists::value_with_meaning(tx, PicklistKind::Status, meaning::STATUS_NEW)?,
        "priority": picklists::value_with_meaning(tx, PicklistKind::Priority, meaning::PRIORITY_MEDIUM)?,
        // The MSP's own company: Autotask gives it the id 0.
        "company": 0,
        "assignedResource": office_admin,
        "source": picklists::value_with_meaning(tx, PicklistKind::Source, meaning::SOURCE_FIELD)?,
        "restockRequest": id,
    });
    let outbox_id = enqueue(
        tx,
        Change {
            entity: "Ticket",
            entity_id: id,
            operation: "create",
            summary: format!("{} for the office admin", title(lines.len())),
            payload,
        },
        now,
    )?;
    tx.execute(
        "INSERT INTO restock_requests (id, lines, outbox_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![
            id.to_string(),
            serde_json::to_string(&lines).unwrap_or_else(|_| "[]".into()),
            outbox_id.to_string(),
            now
        ],
    )?;
    Ok(RestockRequest { id, pending: true, lines, outbox_id, created_at: now, updated_at: now, closed_at: None })
}

/// Adds newly low items to the pending request: rewrites its outbox entry
/// while that is unsent, or follows it with a note once it is sent.
fn extend(
    tx: &Transaction<'_>,
    request: &RestockRequest,
    added: &[RestockLine],
    now: DateTime<Utc>,
) -> Result<(), StockError> {
    tx.execute(
        "UPDATE restock_requests SET lines = ?2, updated_at = ?3 WHERE id = ?1",
        params![request.id.to_string(), serde_json::to_string(&request.lines).unwrap_or_else(|_| "[]".into()), now],
    )?;
    let payload: Option<String> = tx
        .query_row(
            "SELECT payload FROM outbox WHERE id = ?1 AND state = 'pending'",
            [request.outbox_id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    match payload.and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok()) {
        Some(mut payload) => {
            let (me, _) = me_and_office_admin(tx)?;
            payload["title"] = json!(title(request.lines.len()));
            payload["description"] = json!(format!("Stock of {me} is running low.\n\n{}", describe(&request.lines)));
            tx.execute(
                "UPDATE outbox SET payload = ?2, summary = ?3 WHERE id = ?1",
                params![
                    request.outbox_id.to_string(),
                    payload.to_string(),
                    format!("{} for the office admin", title(request.lines.len()))
                ],
            )?;
        }
        None => {
            enqueue(
                tx,
                Change {
                    entity: "TicketNote",
                    entity_id: Uuid::new_v4(),
                    operation: "create",
                    summary: "More items for the restock request".into(),
                    payload: json!({
                        "ticket": request.id,
                        "title": "Also running low",
                        "description": describe(added),
                        "publish": 2,
                    }),
                },
                now,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::suggested;

    #[test]
    fn the_suggestion_lifts_the_item_above_its_level() {
        assert_eq!(suggested(2, 5, 10), 10);
        assert_eq!(suggested(-8, 5, 10), 14);
        assert_eq!(suggested(0, 0, 1), 1);
    }
}
