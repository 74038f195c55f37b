//! The native Save and Open dialogs (tauri-plugin-dialog, from Rust only:
//! the web view has no dialog permission and never names a path). With the
//! test switches on, `FIELDKIT_DIALOG_ANSWER` answers them from a file (see
//! `fieldkit_core::test_switches`), since WebDriver cannot reach a native
//! dialog.

use std::path::PathBuf;

use fieldkit_core::test_switches::dialog_answer_from_env;
use fieldkit_core::ErrorPayload;
use tauri_plugin_dialog::DialogExt;

/// Asks where to save a file named `name`; `None` when cancelled.
pub async fn save_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    name: String,
    filter: &'static str,
    extensions: &'static [&'static str],
) -> Result<Option<PathBuf>, ErrorPayload> {
    if let Some(answer) = dialog_answer_from_env() {
        return Ok(answer);
    }
    let chosen = tauri::async_runtime::spawn_blocking(move || {
        app.dialog().file().set_file_name(&name).add_filter(filter, extensions).blocking_save_file()
    })
    .await
    .map_err(|error| ErrorPayload::internal(error.to_string()))?;
    Ok(chosen.and_then(|file| file.into_path().ok()))
}

/// Asks which file to open; `None` when cancelled.
pub async fn open_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    filter: &'static str,
    extensions: &'static [&'static str],
) -> Result<Option<PathBuf>, ErrorPayload> {
    if let Some(answer) = dialog_answer_from_env() {
        return Ok(answer);
    }
    let chosen = tauri::async_runtime::spawn_blocking(move || {
        app.dialog().file().add_filter(filter, extensions).blocking_pick_file()
    })
    .await
    .map_err(|error| ErrorPayload::internal(error.to_string()))?;
    Ok(chosen.and_then(|file| file.into_path().ok()))
}
