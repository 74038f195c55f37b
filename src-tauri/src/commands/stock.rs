//! The technician's stock: the list, items, movements, stock-takes, usage.

use fieldkit_core::stock::{
    self, ItemHistory, ItemUsage, MovementDraft, MovementOutcome, StockCount, StockItem, StockItemDraft, StockList,
};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{now, with_db, AppState};

#[tauri::command]
pub async fn stock_list(state: AppState<'_>) -> Result<StockList, ErrorPayload> {
    with_db(state, |db| Ok(stock::list_stock(db)?)).await
}

#[tauri::command]
pub async fn stock_item_save(state: AppState<'_>, draft: StockItemDraft) -> Result<StockItem, ErrorPayload> {
    with_db(state, move |db| Ok(stock::save_item(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn stock_item_history(state: AppState<'_>, id: Uuid, limit: u32) -> Result<ItemHistory, ErrorPayload> {
    with_db(state, move |db| Ok(stock::item_history(db, id, limit)?)).await
}

#[tauri::command]
pub async fn stock_record(state: AppState<'_>, draft: MovementDraft) -> Result<MovementOutcome, ErrorPayload> {
    with_db(state, move |db| Ok(stock::record_movement(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn stock_take(state: AppState<'_>, counts: Vec<StockCount>) -> Result<MovementOutcome, ErrorPayload> {
    with_db(state, move |db| Ok(stock::stock_take(db, &counts, now())?)).await
}

#[tauri::command]
pub async fn stock_usage(
    state: AppState<'_>,
    item_id: Option<Uuid>,
    months: u32,
) -> Result<Vec<ItemUsage>, ErrorPayload> {
    with_db(state, move |db| Ok(stock::stock_usage(db, item_id, months, now())?)).await
}
