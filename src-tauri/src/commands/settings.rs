//! The technician's local settings.

use fieldkit_core::notifications::{self, NotificationSettings};
use fieldkit_core::settings::{self, Settings};
use fieldkit_core::ErrorPayload;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn settings_get(database: DatabaseHandle<'_>) -> Result<Settings, ErrorPayload> {
    with_db(database, |db| Ok(settings::get_settings(db)?)).await
}

#[tauri::command]
pub async fn settings_save(database: DatabaseHandle<'_>, settings: Settings) -> Result<Settings, ErrorPayload> {
    with_db(database, move |db| Ok(settings::save_settings(db, &settings)?)).await
}

/// Desktop notifications: on or off, and the quiet hours.
#[tauri::command]
pub async fn notification_settings_get(database: DatabaseHandle<'_>) -> Result<NotificationSettings, ErrorPayload> {
    with_db(database, |db| Ok(notifications::get_notification_settings(db)?)).await
}

#[tauri::command]
pub async fn notification_settings_save(
    database: DatabaseHandle<'_>,
    settings: NotificationSettings,
) -> Result<NotificationSettings, ErrorPayload> {
    with_db(database, move |db| Ok(notifications::save_notification_settings(db, &settings)?)).await
}
