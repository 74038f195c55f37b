//! The technician's local settings.

use fieldkit_core::settings::{self, Settings};
use fieldkit_core::ErrorPayload;

use super::{with_db, AppState};

#[tauri::command]
pub async fn settings_get(state: AppState<'_>) -> Result<Settings, ErrorPayload> {
    with_db(state, |db| Ok(settings::get_settings(db)?)).await
}

#[tauri::command]
pub async fn settings_save(state: AppState<'_>, settings: Settings) -> Result<Settings, ErrorPayload> {
    with_db(state, move |db| Ok(settings::save_settings(db, &settings)?)).await
}
