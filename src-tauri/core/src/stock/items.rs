//! Stock items: creating and editing them, and the stock list with derived
//! quantities, low items first.

use crate::validation::Invalid;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use uuid::Uuid;

use super::ledger::{append_movements, newest_movements, NewMovement};
use super::quantity::{parse_quantity, Allowed};
use super::restock::pending_request;
use super::{
    ItemHistory, MovementKind, StockCategory, StockError, StockItem, StockItemDraft, StockList, StockLocation,
};
use crate::db::{uuid_column, Db};
use crate::validation::FieldErrors;

const ITEM_COLUMNS: &str =
    "id, name, category, unit, location, reorder_level, reorder_quantity, notes, on_hand, updated_at";

fn item_from_row(row: &Row<'_>, requested: &[Uuid]) -> rusqlite::Result<StockItem> {
    let id = uuid_column(row, 0)?;
    let category: String = row.get(2)?;
    let location: String = row.get(4)?;
    let reorder_level: i64 = row.get(5)?;
    let on_hand: i64 = row.get(8)?;
    Ok(StockItem {
        id,
        name: row.get(1)?,
        category: StockCategory::parse(&category),
        unit: row.get(3)?,
        location: StockLocation::parse(&location),
        reorder_level,
        reorder_quantity: row.get(6)?,
        notes: row.get(7)?,
        on_hand,
        low: on_hand <= reorder_level,
        requested: requested.contains(&id),
        updated_at: row.get(9)?,
    })
}

fn requested_items(connection: &Connection) -> Result<Vec<Uuid>, StockError> {
    Ok(pending_request(connection)?
        .map(|request| request.lines.iter().map(|line| line.item_id).collect())
        .unwrap_or_default())
}

fn read_item(connection: &Connection, id: Uuid) -> Result<StockItem, StockError> {
    let requested = requested_items(connection)?;
    connection
        .prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM stock_items WHERE id = ?1"))?
        .query_row([id.to_string()], |row| item_from_row(row, &requested))
        .optional()?
        .ok_or(StockError::NotFound(id))
}

pub fn get_item(db: &Db, id: Uuid) -> Result<StockItem, StockError> {
    db.read(|connection| read_item(connection, id))
}

/// Every item with its quantity on hand: low items first (the emptiest,
/// relative to its reorder level, at the top), then by name.
pub fn list_stock(db: &Db) -> Result<StockList, StockError> {
    db.read(|connection| {
        let pending = pending_request(connection)?;
        let requested: Vec<Uuid> =
            pending.as_ref().map(|request| request.lines.iter().map(|line| line.item_id).collect()).unwrap_or_default();
        let mut statement = connection.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} FROM stock_items
             ORDER BY on_hand <= reorder_level DESC,
                      CASE WHEN on_hand <= reorder_level THEN on_hand - reorder_level END,
                      name COLLATE NOCASE"
        ))?;
        let items =
            statement.query_map([], |row| item_from_row(row, &requested))?.collect::<rusqlite::Result<Vec<_>>>()?;
        let low_count = items.iter().filter(|item| item.low).count() as u32;
        Ok(StockList { items, low_count, pending_request: pending })
    })
}

/// Creates or edits an item. A new item's initial quantity is recorded as
/// "received"; a changed reorder level can make the item low (and so draft
/// or extend the restock request).
pub fn save_item(db: &Db, draft: &StockItemDraft, now: DateTime<Utc>) -> Result<StockItem, StockError> {
    let mut errors = FieldErrors::default();
    let name = errors.text("name", &draft.name, true, 120);
    let unit = {
        let unit = errors.text("unit", &draft.unit, false, 20);
        if unit.is_empty() {
            "pcs".to_string()
        } else {
            unit
        }
    };
    let notes = errors.text("notes", &draft.notes, false, 2000);
    let reorder_level = parse_quantity(&mut errors, "reorder_level", &draft.reorder_level, Allowed::ZeroOrMore);
    let reorder_quantity = parse_quantity(&mut errors, "reorder_quantity", &draft.reorder_quantity, Allowed::Positive);
    let initial = if draft.id.is_none() && !draft.initial_quantity.trim().is_empty() {
        parse_quantity(&mut errors, "initial_quantity", &draft.initial_quantity, Allowed::ZeroOrMore)
    } else {
        Some(0)
    };
    let (Some(reorder_level), Some(reorder_quantity), Some(initial), true) =
        (reorder_level, reorder_quantity, initial, errors.is_empty())
    else {
        return Err(StockError::Invalid(errors.into_result().err().unwrap_or_default()));
    };
    db.write(|tx| {
        let same_name: Option<String> = tx
            .query_row(
                "SELECT id FROM stock_items WHERE name = ?1 COLLATE NOCASE AND id IS NOT ?2",
                params![name, draft.id.map(|id| id.to_string())],
                |row| row.get(0),
            )
            .optional()?;
        if same_name.is_some() {
            return Err(StockError::invalid("name", "An item with this name already exists; choose it from the list."));
        }
        let mut initial_movement = Vec::new();
        let id = match draft.id {
            Some(id) => {
                let changed = tx.execute(
                    "UPDATE stock_items SET name = ?2, category = ?3, unit = ?4, location = ?5, reorder_level = ?6,
                         reorder_quantity = ?7, notes = ?8, updated_at = ?9 WHERE id = ?1",
                    params![
                        id.to_string(),
                        name,
                        draft.category.as_str(),
                        unit,
                        draft.location.as_str(),
                        reorder_level,
                        reorder_quantity,
                        notes,
                        now
                    ],
                )?;
                if changed == 0 {
                    return Err(StockError::NotFound(id));
                }
                id
            }
            None => {
                let id = Uuid::new_v4();
                insert_item(tx, id, &name, draft, &unit, reorder_level, reorder_quantity, &notes, now)?;
                if initial > 0 {
                    initial_movement.push(NewMovement {
                        item_id: id,
                        kind: MovementKind::Received,
                        delta: initial,
                        counted: None,
                        reason: "Initial quantity".into(),
                        report_id: None,
                        ticket_row: None,
                        forced: false,
                        at: now,
                    });
                }
                id
            }
        };
        // A changed reorder level can make an item low: the review runs either way.
        append_movements(tx, &initial_movement, now)?;
        read_item(tx, id)
    })
}

/// Adds an item of the sample kit (already validated).
pub(crate) fn insert_sample_item(
    connection: &Connection,
    id: Uuid,
    draft: &StockItemDraft,
    reorder_level: i64,
    reorder_quantity: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    insert_item(connection, id, &draft.name, draft, &draft.unit, reorder_level, reorder_quantity, &draft.notes, now)
}

#[allow(clippy::too_many_arguments)]
fn insert_item(
    connection: &Connection,
    id: Uuid,
    name: &str,
    draft: &StockItemDraft,
    unit: &str,
    reorder_level: i64,
    reorder_quantity: i64,
    notes: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO stock_items (id, name, category, unit, location, reorder_level, reorder_quantity, notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            id.to_string(),
            name,
            draft.category.as_str(),
            unit,
            draft.location.as_str(),
            reorder_level,
            reorder_quantity,
            notes,
            now
        ],
    )?;
    Ok(())
}

/// An item and its newest `limit` movements.
pub fn item_history(db: &Db, item_id: Uuid, limit: u32) -> Result<ItemHistory, StockError> {
    db.read(|connection| {
        let item = read_item(connection, item_id)?;
        let limit = limit.clamp(1, 1000);
        let mut movements = newest_movements(connection, item_id, limit + 1)?;
        let more = movements.len() > limit as usize;
        movements.truncate(limit as usize);
        Ok(ItemHistory { item, movements, more })
    })
}
