//! Usage per item over the last months, for the stock chart.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use super::StockError;
use crate::db::{uuid_column, Db};

/// One month of one item.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MonthUsage {
    /// `2026-11`
    pub month: String,
    /// Used on jobs, less what was brought back unused.
    pub used: i64,
}

/// An item's usage over the months asked for, oldest month first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ItemUsage {
    pub item_id: Uuid,
    pub name: String,
    pub unit: String,
    pub total: i64,
    pub months: Vec<MonthUsage>,
}

/// Usage of every item (or one) in the `months` calendar months up to and
/// including the current one (UTC), busiest items first.
pub fn stock_usage(
    db: &Db,
    item_id: Option<Uuid>,
    months: u32,
    now: DateTime<Utc>,
) -> Result<Vec<ItemUsage>, StockError> {
    let months = months.clamp(1, 24);
    let this_month = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap_or_default();
    let first = this_month.checked_sub_months(Months::new(months - 1)).unwrap_or(this_month);
    let labels: Vec<String> = (0..months)
        .filter_map(|offset| first.checked_add_months(Months::new(offset)))
        .map(|month| month.format("%Y-%m").to_string())
        .collect();
    let since = first.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    db.read(|connection| {
        let mut items: Vec<ItemUsage> = connection
            .prepare_cached(
                "SELECT id, name, unit FROM stock_items WHERE ?1 IS NULL OR id = ?1 ORDER BY name COLLATE NOCASE",
            )?
            .query_map([item_id.map(|id| id.to_string())], |row| {
                Ok(ItemUsage {
                    item_id: uuid_column(row, 0)?,
                    name: row.get(1)?,
                    unit: row.get(2)?,
                    total: 0,
                    months: labels.iter().map(|month| MonthUsage { month: month.clone(), used: 0 }).collect(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut statement = connection.prepare_cached(
            "SELECT item_id, substr(at, 1, 7), -sum(delta) FROM stock_movements
             WHERE kind IN ('used', 'returned') AND at >= ?1 AND (?2 IS NULL OR item_id = ?2)
             GROUP BY item_id, substr(at, 1, 7)",
        )?;
        let rows = statement.query_map(rusqlite::params![since, item_id.map(|id| id.to_string())], |row| {
            Ok((uuid_column(row, 0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?))
        })?;
        for row in rows {
            let (id, month, used) = row?;
            if let Some(item) = items.iter_mut().find(|item| item.item_id == id) {
                if let Some(slot) = item.months.iter_mut().find(|slot| slot.month == month) {
                    slot.used += used;
                    item.total += used;
                }
            }
        }
        items.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
        Ok(items)
    })
}
