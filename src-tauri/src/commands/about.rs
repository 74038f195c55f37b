//! About Fieldkit: the app's name and version from its package information.

use fieldkit_core::about::AboutApp;
use tauri::{AppHandle, Runtime};

#[tauri::command]
pub fn app_about<R: Runtime>(app: AppHandle<R>) -> AboutApp {
    let info = app.package_info();
    AboutApp::new(info.name.clone(), info.version.to_string())
}
