//! The movement ledger: recording a movement (or a whole stock-take) and
//! reading an item's history. Every movement is appended in the same
//! transaction that checks the quantity on hand, so two saves at once can
//! neither lose a movement nor both take the last one.

use crate::validation::Invalid;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use super::quantity::{parse_quantity, Allowed};
use super::restock::review_restock;
use super::{MovementDraft, MovementKind, MovementOutcome, RestockRequest, StockCount, StockError, StockMovement};
use crate::db::{uuid_column, Db};
use crate::validation::{FieldError, FieldErrors};

/// A movement ready to append.
pub(crate) struct NewMovement {
    pub item_id: Uuid,
    pub kind: MovementKind,
    pub delta: i64,
    pub counted: Option<i64>,
    pub reason: String,
    pub report_id: Option<Uuid>,
    pub ticket_row: Option<i64>,
    pub forced: bool,
    pub at: DateTime<Utc>,
}

/// Appends `movements`, then reviews the restock request in the same
/// transaction: every stock change goes through here (with no movements
/// when only an item's levels changed). Their ids, in order, and the
/// pending request.
pub(crate) fn append_movements(
    tx: &Transaction<'_>,
    movements: &[NewMovement],
    now: DateTime<Utc>,
) -> Result<(Vec<Uuid>, Option<RestockRequest>), StockError> {
    let mut ids = Vec::with_capacity(movements.len());
    for movement in movements {
        ids.push(insert_movement(tx, movement)?.0);
    }
    let restock = review_restock(tx, now)?;
    Ok((ids, restock))
}

/// Appends `movement` (the trigger updates the item's quantity on hand) and
/// returns its id and the balance after it. Without a restock review: for
/// the sample generator; a change made by the technician goes through
/// [`append_movements`].
pub(crate) fn insert_movement(connection: &Connection, movement: &NewMovement) -> rusqlite::Result<(Uuid, i64)> {
    let on_hand: i64 = connection
        .prepare_cached("SELECT on_hand FROM stock_items WHERE id = ?1")?
        .query_row([movement.item_id.to_string()], |row| row.get(0))?;
    let id = Uuid::new_v4();
    let balance = on_hand + movement.delta;
    connection
        .prepare_cached(
            "INSERT INTO stock_movements (id, item_id, kind, delta, balance_after, counted, reason, report_id, ticket_row, forced, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            id.to_string(),
            movement.item_id.to_string(),
            movement.kind.as_str(),
            movement.delta,
            balance,
            movement.counted,
            movement.reason,
            movement.report_id.map(|id| id.to_string()),
            movement.ticket_row,
            movement.forced,
            movement.at
        ])?;
    Ok((id, balance))
}

/// What a movement needs of its item.
struct OnHand {
    id: Uuid,
    name: String,
    unit: String,
    on_hand: i64,
}

fn read_on_hand(connection: &Connection, id: Uuid) -> Result<OnHand, StockError> {
    connection
        .prepare_cached("SELECT name, unit, on_hand FROM stock_items WHERE id = ?1")?
        .query_row([id.to_string()], |row| {
            Ok(OnHand { id, name: row.get(0)?, unit: row.get(1)?, on_hand: row.get(2)? })
        })
        .optional()?
        .ok_or(StockError::NotFound(id))
}

fn ticket_row(connection: &Connection, ticket_id: Option<Uuid>) -> Result<Option<i64>, StockError> {
    let Some(ticket) = ticket_id else { return Ok(None) };
    connection
        .query_row("SELECT row FROM tickets WHERE id = ?1", [ticket.to_string()], |row| row.get(0))
        .optional()?
        .map(Some)
        .ok_or_else(|| StockError::invalid("ticket_id", "That ticket is not in the cache."))
}

/// Records one movement. Taking more than is on hand is refused with
/// [`StockError::Short`] unless `record_anyway` is set.
pub fn record_movement(db: &Db, draft: &MovementDraft, now: DateTime<Utc>) -> Result<MovementOutcome, StockError> {
    let mut errors = FieldErrors::default();
    let reason = errors.text("reason", &draft.reason, draft.kind == MovementKind::Adjusted, 500);
    let allowed = match draft.kind {
        MovementKind::Received | MovementKind::Used | MovementKind::Returned => Allowed::Positive,
        MovementKind::Adjusted => Allowed::NonZeroSigned,
        MovementKind::Counted => Allowed::ZeroOrMore,
    };
    let quantity = parse_quantity(&mut errors, "quantity", &draft.quantity, allowed);
    let Some(quantity) = quantity.filter(|_| errors.is_empty()) else {
        return Err(StockError::Invalid(errors.into_result().err().unwrap_or_default()));
    };
    db.write(|tx| {
        let item = read_on_hand(tx, draft.item_id)?;
        let ticket_row = ticket_row(tx, draft.ticket_id)?;
        let (delta, counted) = match draft.kind {
            MovementKind::Received | MovementKind::Returned => (quantity, None),
            MovementKind::Used => (-quantity, None),
            MovementKind::Adjusted => (quantity, None),
            MovementKind::Counted => (quantity - item.on_hand, Some(quantity)),
        };
        let forced = refuse_if_short(item.on_hand, delta, "quantity", &item.name, &item.unit, draft.record_anyway)?;
        let movement = NewMovement {
            item_id: item.id,
            kind: draft.kind,
            delta,
            counted,
            reason: reason.clone(),
            report_id: None,
            ticket_row,
            forced,
            at: now,
        };
        let (ids, restock) = append_movements(tx, &[movement], now)?;
        let movements = ids.into_iter().map(|id| read_movement(tx, id)).collect::<Result<_, _>>()?;
        Ok(MovementOutcome { movements, restock })
    })
}

/// Whether taking `delta` from `on_hand` may go ahead: below zero needs
/// `record_anyway` (and is then marked as forced).
pub(crate) fn refuse_if_short(
    on_hand: i64,
    delta: i64,
    field: &str,
    name: &str,
    unit: &str,
    record_anyway: bool,
) -> Result<bool, StockError> {
    if on_hand + delta >= 0 || delta >= 0 {
        return Ok(false);
    }
    if record_anyway {
        return Ok(true);
    }
    Err(StockError::Short(vec![FieldError {
        field: field.into(),
        message: format!("Only {} {unit} of {name} on hand; this takes {}.", on_hand.max(0), -delta),
    }]))
}

/// A stock-take: every typed count becomes the quantity on hand (a
/// "counted" movement records the difference, zero included, as evidence of
/// the count). Empty counts are skipped; any bad count saves nothing.
pub fn stock_take(db: &Db, counts: &[StockCount], now: DateTime<Utc>) -> Result<MovementOutcome, StockError> {
    let mut errors = FieldErrors::default();
    let mut parsed = Vec::new();
    for (index, count) in counts.iter().enumerate() {
        if count.count.trim().is_empty() {
            continue;
        }
        if let Some(value) = parse_quantity(&mut errors, &format!("counts.{index}"), &count.count, Allowed::ZeroOrMore)
        {
            parsed.push((count.item_id, value));
        }
    }
    errors.into_result().map_err(StockError::Invalid)?;
    if parsed.is_empty() {
        return Err(StockError::invalid("counts", "Type at least one count."));
    }
    db.write(|tx| {
        let mut counted = Vec::with_capacity(parsed.len());
        for (item_id, value) in &parsed {
            let item = read_on_hand(tx, *item_id)?;
            counted.push(NewMovement {
                item_id: item.id,
                kind: MovementKind::Counted,
                delta: value - item.on_hand,
                counted: Some(*value),
                reason: "Stock-take".into(),
                report_id: None,
                ticket_row: None,
                forced: false,
                at: now,
            });
        }
        let (ids, restock) = append_movements(tx, &counted, now)?;
        let movements = ids.into_iter().map(|id| read_movement(tx, id)).collect::<Result<_, _>>()?;
        Ok(MovementOutcome { movements, restock })
    })
}

const MOVEMENT_SELECT: &str = "SELECT m.id, m.item_id, i.name, m.kind, m.delta, m.balance_after, m.counted, m.reason,
        m.report_id, t.id, t.number, m.forced, m.at
     FROM stock_movements m JOIN stock_items i ON i.id = m.item_id LEFT JOIN tickets t ON t.row = m.ticket_row";

fn movement_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StockMovement> {
    let kind: String = row.get(3)?;
    let optional_uuid = |index: usize| -> rusqlite::Result<Option<Uuid>> {
        let text: Option<String> = row.get(index)?;
        Ok(text.and_then(|text| Uuid::parse_str(&text).ok()))
    };
    Ok(StockMovement {
        id: uuid_column(row, 0)?,
        item_id: uuid_column(row, 1)?,
        item_name: row.get(2)?,
        kind: MovementKind::parse(&kind),
        delta: row.get(4)?,
        balance_after: row.get(5)?,
        counted: row.get(6)?,
        reason: row.get(7)?,
        report_id: optional_uuid(8)?,
        ticket_id: optional_uuid(9)?,
        ticket_number: row.get::<_, Option<String>>(10)?.unwrap_or_default(),
        forced: row.get(11)?,
        at: row.get(12)?,
    })
}

pub(crate) fn read_movement(connection: &Connection, id: Uuid) -> Result<StockMovement, StockError> {
    Ok(connection
        .prepare_cached(&format!("{MOVEMENT_SELECT} WHERE m.id = ?1"))?
        .query_row([id.to_string()], movement_from_row)?)
}

/// An item's newest `count` movements, newest first.
pub(super) fn newest_movements(
    connection: &Connection,
    item_id: Uuid,
    count: u32,
) -> rusqlite::Result<Vec<StockMovement>> {
    connection
        .prepare_cached(&format!("{MOVEMENT_SELECT} WHERE m.item_id = ?1 ORDER BY m.seq DESC LIMIT ?2"))?
        .query_map(params![item_id.to_string(), count], movement_from_row)?
        .collect()
}
