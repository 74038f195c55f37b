//! The Tauri shell: opens the database in the data folder, registers the
//! commands and starts the window. Domain logic lives in `fieldkit-core`.

pub mod cli;
mod commands;
mod desktop_notice;
mod dialogs;
mod mailbox_reminder;
mod memory;
mod notice_clicks;
mod opener;
mod reminders;
mod secrets;
mod single_instance;
pub mod sync_service;
mod updater;

use std::sync::Arc;

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::data_dir::resolve_data_dir;
use fieldkit_core::first_screen::FirstScreen;
use fieldkit_core::secret_clipboard::SecretClipboard;
use tauri::Manager;

pub fn run() {
    memory::limit_arenas();
    tauri::Builder::default()
        // First: a second start on the same data folder hands over to the
        // first (its window comes forward) and exits before opening anything.
        .plugin(single_instance::plugin())
        .setup(|app| {
            let data_dir = resolve_data_dir(app.path().app_data_dir().ok())
                .ok_or("No data folder: set FIELDKIT_DATA_DIR to a writable folder.")?;
            // A database that fails to open is not an error here: the UI shows
            // the reason and the way out (see `database_status`).
            // Opened on its own thread: the window starts meanwhile; every use waits for it.
            let database = AppDatabase::open_in_background(&data_dir);
            // Today's data, read as soon as it has opened (the page's first read takes it).
            app.manage(FirstScreen::prepare_in_background(database.clone(), fieldkit_core::clock::now));
            let clicks = Arc::new(notice_clicks::NoticeClicks::default());
            reminders::start(app.handle().clone(), database.clone(), clicks.clone());
            app.manage(clicks);
            mailbox_reminder::start(app.handle().clone(), database.clone());
            // The key that opens secrets: in memory only, locked at start.
            let vault = Arc::new(fieldkit_core::vault::Vault::default());
            // A secret copied to the clipboard, to take back later.
            let copied = Arc::new(SecretClipboard::default());
            app.manage(Arc::new(secrets::SystemClipboard::default()));
            secrets::start_idle_lock(app.handle().clone(), database.clone(), vault.clone(), copied.clone());
            app.manage(sync_service::start(database.clone(), vault.clone()));
            // Updates: checked and installed from Rust (see `updater.rs`).
            app.handle().plugin(tauri_plugin_updater::Builder::new().build())?;
            let updater = updater::Updater::default();
            updater::start(app.handle().clone(), database.clone(), updater.clone());
            app.manage(updater);
            app.manage(database);
            app.manage(vault);
            app.manage(copied);
            Ok(())
        })
        .plugin(navigation_guard())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!())
        .expect("error while running Fieldkit")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                if let Some(system) = app.try_state::<Arc<secrets::SystemClipboard>>() {
                    system.close();
                }
            }
            if let tauri::RunEvent::ExitRequested { .. } = event {
                // A secret copied in the last seconds does not outlive the app.
                if let Some(copied) = app.try_state::<Arc<SecretClipboard>>() {
                    secrets::clear_at_exit(app, copied.inner().clone());
                }
                // The key is wiped from memory rather than left to the exit.
                if let Some(vault) = app.try_state::<Arc<fieldkit_core::vault::Vault>>() {
                    vault.lock();
                }
            }
        });
}

/// Keeps the window on the app: any navigation away from it (a link in some
/// text, a `tel:` link clicked without the app's handler) is refused.
fn navigation_guard<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_, url| {
            let local_host = matches!(url.host_str(), Some("localhost" | "tauri.localhost" | "127.0.0.1"));
            match url.scheme() {
                "tauri" => true,
                "http" | "https" => local_host,
                _ => false,
            }
        })
        .build()
}
