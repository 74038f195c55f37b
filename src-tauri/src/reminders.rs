//! Desktop notifications for placeholder time entries that are overdue: each
//! one is announced once per run of the app, checked every minute. Sent from
//! here, so the web view needs no notification permission.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::time::open_placeholders;
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

pub fn start<R: Runtime>(app: AppHandle<R>, database: Arc<AppDatabase>) {
    std::thread::spawn(move || {
        let mut announced = HashSet::new();
        std::thread::sleep(Duration::from_secs(5));
        loop {
            if let Ok(db) = database.db() {
                if let Ok(placeholders) = open_placeholders(&db, fieldkit_core::clock::now()) {
                    for entry in placeholders.into_iter().filter(|entry| entry.overdue) {
                        if announced.insert(entry.id) {
                            let shown = app
                                .notification()
                                .builder()
                                .title("Placeholder time to complete")
                                .body(format!(
                                    "{}: {:.2} h saved as a placeholder is overdue. Complete it in Time.",
                                    entry.ticket_number, entry.hours
                                ))
                                .show();
                            if let Err(error) = shown {
                                eprintln!("fieldkit: could not show a notification: {error}");
                            }
                        }
                    }
                }
            }
            std::thread::sleep(Duration::from_secs(60));
        }
    });
}
