//! The sample kit: a technician's forms, cables, adapters and drives, with
//! six months of movements (received, used on tickets, returned, adjusted)
//! ending in last week's stock-take, where every item is above its reorder
//! level (the 2 m patch cables by just two).

use chrono::{DateTime, Duration, Utc};
use rusqlite::Transaction;
use uuid::Uuid;

use super::Sequence;
use crate::stock::{self, MovementKind, NewMovement, StockCategory, StockItemDraft, StockLocation};

/// name, category, unit, location, reorder level, reorder quantity
const KIT: &[(&str, StockCategory, &str, StockLocation, i64, i64)] = &[
    ("Cat6 patch cable 0.5 m", StockCategory::Cables, "pcs", StockLocation::Car, 4, 10),
    ("Cat6 patch cable 1 m", StockCategory::Cables, "pcs", StockLocation::Car, 5, 10),
    ("Cat6 patch cable 2 m", StockCategory::Cables, "pcs", StockLocation::Car, 5, 10),
    ("Cat6 patch cable 5 m", StockCategory::Cables, "pcs", StockLocation::Car, 3, 6),
    ("Cat6 patch cable 10 m", StockCategory::Cables, "pcs", StockLocation::Car, 2, 4),
    ("HDMI cable 2 m", StockCategory::Cables, "pcs", StockLocation::Bag, 2, 5),
    ("DisplayPort to HDMI cable 2 m", StockCategory::Cables, "pcs", StockLocation::Bag, 2, 4),
    ("USB-C to USB-C cable 1 m", StockCategory::Cables, "pcs", StockLocation::Bag, 3, 6),
    ("Power cable C13 1.8 m", StockCategory::Cables, "pcs", StockLocation::Car, 3, 6),
    ("USB-C to HDMI adapter", StockCategory::Adapters, "pcs", StockLocation::Bag, 2, 5),
    ("USB-C to Ethernet adapter", StockCategory::Adapters, "pcs", StockLocation::Bag, 2, 5),
    ("USB-C multiport hub", StockCategory::Adapters, "pcs", StockLocation::Bag, 1, 3),
    ("DisplayPort to DVI adapter", StockCategory::Adapters, "pcs", StockLocation::Car, 1, 3),
    ("USB flash drive 64 GB", StockCategory::Storage, "pcs", StockLocation::Bag, 3, 10),
    ("SATA SSD 1 TB", StockCategory::Storage, "pcs", StockLocation::Car, 1, 2),
    ("External HDD 2 TB", StockCategory::Storage, "pcs", StockLocation::Office, 1, 2),
    ("OSSR form pad (50 sheets)", StockCategory::Forms, "pads", StockLocation::Car, 2, 5),
    ("Asset labels (roll of 500)", StockCategory::Forms, "rolls", StockLocation::Bag, 1, 3),
    ("Cable labels", StockCategory::Forms, "sheets", StockLocation::Bag, 5, 20),
    ("Velcro cable ties (pack of 50)", StockCategory::Other, "packs", StockLocation::Car, 1, 3),
    ("RJ45 connectors (bag of 100)", StockCategory::Other, "bags", StockLocation::Car, 1, 2),
    ("Keystone jack Cat6", StockCategory::Other, "pcs", StockLocation::Car, 4, 12),
    ("Thermal paste", StockCategory::Other, "tubes", StockLocation::Bag, 1, 2),
    ("Wireless mouse", StockCategory::Other, "pcs", StockLocation::Office, 2, 5),
];

/// Writes the kit and about `movements` movements over the last 180 days.
/// Returns (items, movements).
pub(super) fn generate(
    tx: &Transaction<'_>,
    sequence: &mut Sequence,
    ticket_rows: &[i64],
    movements: u32,
    now: DateTime<Utc>,
) -> rusqlite::Result<(u32, u32)> {
    let start = now - Duration::days(180);
    let mut items = Vec::with_capacity(KIT.len());
    for (index, (name, category, unit, location, level, quantity)) in KIT.iter().enumerate() {
        let id = Uuid::from_u128(0x5eed_0006_0000_0000_0000_0000_0000_0000 + index as u128);
        let draft = StockItemDraft {
            id: None,
            name: (*name).into(),
            category: *category,
            unit: (*unit).into(),
            location: *location,
            reorder_level: level.to_string(),
            reorder_quantity: quantity.to_string(),
            notes: String::new(),
            initial_quantity: String::new(),
        };
        stock::insert_sample_item(tx, id, &draft, *level, *quantity, start)?;
        items.push((id, *level, *quantity));
    }
    let mut ledger = Ledger { on_hand: vec![0; items.len()], written: 0 };
    let movement = |item_id, kind, delta, reason: &str, ticket_row, at| NewMovement {
        item_id,
        kind,
        delta,
        counted: None,
        reason: reason.into(),
        report_id: None,
        ticket_row,
        forced: false,
        at,
    };
    // The first delivery.
    for (index, (id, level, quantity)) in items.iter().enumerate() {
        ledger.record(tx, index, movement(*id, MovementKind::Received, level + quantity, "First kit", None, start))?;
    }
    // Then the months of work: mostly parts used on tickets, a delivery when
    // an item ran low, now and then one brought back or written off.
    let total = movements.saturating_sub(2 * items.len() as u32) as i64;
    let span = (now - Duration::days(4) - start).num_seconds().max(1);
    for step in 0..total {
        let at = start + Duration::seconds(span * (step + 1) / (total + 1));
        let index = (sequence.next() % items.len() as u64) as usize;
        let (id, level, quantity) = items[index];
        let ticket = (!ticket_rows.is_empty()).then(|| *sequence.pick(ticket_rows));
        let roll = sequence.between(0, 99);
        if ledger.on_hand[index] <= level {
            ledger.record(
                tx,
                index,
                movement(id, MovementKind::Received, quantity, "Restock from the office", None, at),
            )?;
        } else if roll < 6 {
            ledger.record(tx, index, movement(id, MovementKind::Returned, 1, "Not needed after all", ticket, at))?;
        } else if roll < 9 {
            ledger.record(tx, index, movement(id, MovementKind::Adjusted, -1, "Damaged in the car", None, at))?;
        } else {
            let used = sequence.between(1, 2).min(ledger.on_hand[index] as u64) as i64;
            ledger.record(tx, index, movement(id, MovementKind::Used, -used, "", ticket, at))?;
        }
    }
    // Last week's stock-take: everything above its level, the 2 m patch cables by two.
    let counted_at = now - Duration::days(3);
    for (index, (id, level, _)) in items.iter().enumerate() {
        let target = if KIT[index].0 == "Cat6 patch cable 2 m" { level + 2 } else { level + 2 + (index as i64 % 5) };
        let mut counted =
            movement(*id, MovementKind::Counted, target - ledger.on_hand[index], "Stock-take", None, counted_at);
        counted.counted = Some(target);
        ledger.record(tx, index, counted)?;
    }
    Ok((items.len() as u32, ledger.written))
}

/// What the generator has written so far, per item.
struct Ledger {
    on_hand: Vec<i64>,
    written: u32,
}

impl Ledger {
    fn record(&mut self, tx: &Transaction<'_>, index: usize, movement: NewMovement) -> rusqlite::Result<()> {
        self.on_hand[index] += movement.delta;
        stock::insert_movement(tx, &movement)?;
        self.written += 1;
        Ok(())
    }
}
