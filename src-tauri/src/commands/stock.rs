//! The technician's stock: the list, items, movements, stock-takes, usage.

use fieldkit_core::clock::now;
use fieldkit_core::stock::{
    self, ItemHistory, ItemUsage, MovementDraft, MovementOutcome, StockCount, StockItem, StockItemDraft, StockList,
};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn stock_list(database: DatabaseHandle<'_>) -> Result<StockList, ErrorPayload> {
    with_db(database, |db| Ok(stock::list_stock(db)?)).await
}

#[tauri::command]
pub async fn stock_item_save(database: DatabaseHandle<'_>, draft: StockItemDraft) -> Result<StockItem, ErrorPayload> {
    with_db(database, move |db| Ok(stock::save_item(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn stock_item_history(
    database: DatabaseHandle<'_>,
    id: Uuid,
    limit: u32,
) -> Result<ItemHistory, ErrorPayload> {
    with_db(database, move |db| Ok(stock::item_history(db, id, limit)?)).await
}

#[tauri::command]
pub async fn stock_record(database: DatabaseHandle<'_>, draft: MovementDraft) -> Result<MovementOutcome, ErrorPayload> {
    with_db(database, move |db| Ok(stock::record_movement(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn stock_take(
    database: DatabaseHandle<'_>,
    counts: Vec<StockCount>,
) -> Result<MovementOutcome, ErrorPayload> {
    with_db(database, move |db| Ok(stock::stock_take(db, &counts, now())?)).await
}

#[tauri::command]
pub async fn stock_usage(
    database: DatabaseHandle<'_>,
    item_id: Option<Uuid>,
    months: u32,
) -> Result<Vec<ItemUsage>, ErrorPayload> {
    with_db(database, move |db| Ok(stock::stock_usage(db, item_id, months, now())?)).await
}
