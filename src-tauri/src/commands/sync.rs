//! Sync with the PSA: settings, status, "Sync now", failed operations and conflicts.

use fieldkit_core::clock::now;
use fieldkit_core::sync::{self, Choice, Conflict, SyncOverview, SyncSettings, SyncSettingsDraft};
use fieldkit_core::ErrorPayload;
use tauri::State;
use uuid::Uuid;

use super::{with_db, DatabaseHandle, VaultHandle};
use crate::sync_service::SyncService;

#[tauri::command]
pub async fn sync_settings_get(database: DatabaseHandle<'_>) -> Result<SyncSettings, ErrorPayload> {
    with_db(database, |db| Ok(sync::get_sync_settings(db)?)).await
}

/// Saves the connection; the integration code and secret go to the vault.
#[tauri::command]
pub async fn sync_settings_save(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    service: State<'_, SyncService>,
    draft: SyncSettingsDraft,
) -> Result<SyncSettings, ErrorPayload> {
    let vault = vault.inner().clone();
    let saved = with_db(database, move |db| Ok(sync::save_sync_settings(db, &vault, &draft)?)).await?;
    service.wake();
    Ok(saved)
}

/// Checks the server and the stored credentials.
#[tauri::command]
pub async fn sync_test(database: DatabaseHandle<'_>, vault: VaultHandle<'_>) -> Result<String, ErrorPayload> {
    let db = database.db()?;
    let (connector, _) = sync::connect(&db, &vault, Default::default(), now())?;
    Ok(connector.test_connection().await?)
}

#[tauri::command]
pub fn sync_now(service: State<'_, SyncService>) {
    service.wake();
}

#[tauri::command]
pub async fn sync_overview(
    database: DatabaseHandle<'_>,
    service: State<'_, SyncService>,
) -> Result<SyncOverview, ErrorPayload> {
    let progress = service.progress.clone();
    with_db(database, move |db| Ok(sync::sync_overview(db, &progress)?)).await
}

/// Puts a refused operation back in line (after the technician fixed what the PSA said).
#[tauri::command]
pub async fn sync_retry(
    database: DatabaseHandle<'_>,
    service: State<'_, SyncService>,
    seq: i64,
) -> Result<(), ErrorPayload> {
    with_db(database, move |db| Ok(sync::retry_operation(db, seq)?)).await?;
    service.wake();
    Ok(())
}

#[tauri::command]
pub async fn sync_conflicts(database: DatabaseHandle<'_>) -> Result<Vec<Conflict>, ErrorPayload> {
    with_db(database, |db| Ok(sync::list_conflicts(db)?)).await
}

#[tauri::command]
pub async fn sync_resolve(
    database: DatabaseHandle<'_>,
    service: State<'_, SyncService>,
    id: Uuid,
    choice: Choice,
) -> Result<(), ErrorPayload> {
    with_db(database, move |db| Ok(sync::resolve_conflict(db, id, choice)?)).await?;
    service.wake();
    Ok(())
}
