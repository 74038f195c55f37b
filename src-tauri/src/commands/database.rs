//! The database itself: its state, and moving a damaged one aside.

use fieldkit_core::app_database::DatabaseStatus;
use fieldkit_core::clock::now;
use fieldkit_core::ErrorPayload;

use super::DatabaseHandle;

#[tauri::command]
pub async fn database_status(database: DatabaseHandle<'_>) -> Result<DatabaseStatus, ErrorPayload> {
    let app_database = database.inner().clone();
    tauri::async_runtime::spawn_blocking(move || app_database.status())
        .await
        .map_err(|error| ErrorPayload::internal(error.to_string()))
}

#[tauri::command]
pub async fn database_move_aside(database: DatabaseHandle<'_>) -> Result<DatabaseStatus, ErrorPayload> {
    let app_database = database.inner().clone();
    tauri::async_runtime::spawn_blocking(move || app_database.move_aside_and_start_fresh(now()))
        .await
        .map_err(|error| ErrorPayload::internal(error.to_string()))?
}
