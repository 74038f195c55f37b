//! Updates: the endpoint and channel (core settings), and the updater's
//! check and install (`crate::updater`, tauri-plugin-updater from Rust).

use fieldkit_core::updates::{self, UpdateSettings, UpdateStatus};
use fieldkit_core::ErrorPayload;
use tauri::AppHandle;

use super::{with_db, DatabaseHandle};
use crate::updater;

#[tauri::command]
pub async fn updates_settings_get(database: DatabaseHandle<'_>) -> Result<UpdateSettings, ErrorPayload> {
    with_db(database, |db| Ok(updates::get_update_settings(db)?)).await
}

#[tauri::command]
pub async fn updates_settings_save(
    database: DatabaseHandle<'_>,
    settings: UpdateSettings,
) -> Result<UpdateSettings, ErrorPayload> {
    with_db(database, move |db| Ok(updates::save_update_settings(db, &settings)?)).await
}

/// The version, the update found by the last check, whether an install
/// waits for a quiet moment and why.
#[tauri::command]
pub async fn updates_status(app: AppHandle, database: DatabaseHandle<'_>) -> Result<UpdateStatus, ErrorPayload> {
    let database = database.inner().clone();
    Ok(updater::state(&app).status(&app, &database))
}

/// "Check for updates".
#[tauri::command]
pub async fn updates_check(app: AppHandle, database: DatabaseHandle<'_>) -> Result<UpdateStatus, ErrorPayload> {
    let database = database.inner().clone();
    let service = updater::state(&app);
    service.check(&app, &database).await?;
    Ok(service.status(&app, &database))
}

/// "Install and restart" (`anyway`: "Install anyway", without waiting for
/// a quiet moment). Installing restarts the app, so a successful install
/// does not answer; a waiting one answers with the reasons.
#[tauri::command]
pub async fn updates_install(
    app: AppHandle,
    database: DatabaseHandle<'_>,
    anyway: bool,
) -> Result<UpdateStatus, ErrorPayload> {
    let database = database.inner().clone();
    let service = updater::state(&app);
    service.install(&app, &database, anyway).await?;
    Ok(service.status(&app, &database))
}
