//! The Tauri shell: opens the database in the data folder, registers the
//! commands and starts the window. Domain logic lives in `fieldkit-core`.

mod commands;

use std::sync::Arc;

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::data_dir::resolve_data_dir;
use tauri::Manager;

pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let data_dir = resolve_data_dir(app.path().app_data_dir().ok())
                .ok_or("No data folder: set FIELDKIT_DATA_DIR to a writable folder.")?;
            // A database that fails to open is not an error here: the UI shows
            // the reason and the way out (see `database_status`).
            app.manage(Arc::new(AppDatabase::open(&data_dir)));
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("error while running Fieldkit");
}
