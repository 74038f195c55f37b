//! "Back up my data" and "Restore from a backup" (Settings → Your data).

use fieldkit_core::backup::{self, BackupSummary, DataLocation, RestoreOutcome, BACKUP_EXTENSION};
use fieldkit_core::clock::now;
use fieldkit_core::ErrorPayload;

use super::{DatabaseHandle, VaultHandle};
use crate::dialogs;

/// Where the data lives and how much of it there is.
#[tauri::command]
pub async fn data_location(database: DatabaseHandle<'_>) -> Result<DataLocation, ErrorPayload> {
    let data_dir = database.inner().data_dir();
    tauri::async_runtime::spawn_blocking(move || backup::data_location(&data_dir))
        .await
        .map_err(|error| ErrorPayload::internal(error.to_string()))
}

/// Asks where to save the backup (the system's Save dialog), then writes it.
/// `None` when the technician cancels.
#[tauri::command]
pub async fn backup_create<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    database: DatabaseHandle<'_>,
) -> Result<Option<BackupSummary>, ErrorPayload> {
    let data_dir = database.inner().data_dir();
    let name = backup::suggested_name(now());
    let Some(path) = dialogs::save_file(app, name, "Fieldkit backup", &[BACKUP_EXTENSION]).await? else {
        return Ok(None);
    };
    let summary = tauri::async_runtime::spawn_blocking(move || backup::create_backup(&data_dir, &path, now()))
        .await
        .map_err(|error| ErrorPayload::internal(error.to_string()))??;
    Ok(Some(summary))
}

/// Asks for a backup (the system's Open dialog) and restores it in place of
/// the current data, which is kept aside. The sync waits meanwhile (the
/// restore holds its lock, `AppDatabase::restore`); the vault forgets the
/// key of the data replaced.
#[tauri::command]
pub async fn backup_restore<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
) -> Result<Option<RestoreOutcome>, ErrorPayload> {
    let Some(path) = dialogs::open_file(app, "Fieldkit backup", &[BACKUP_EXTENSION]).await? else {
        return Ok(None);
    };
    let app_database = database.inner().clone();
    let outcome = tauri::async_runtime::spawn_blocking(move || app_database.restore(&path, now()))
        .await
        .map_err(|error| ErrorPayload::internal(error.to_string()))??;
    vault.forget_key();
    Ok(Some(outcome))
}
