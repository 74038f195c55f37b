//! Desktop notifications, checked every minute: placeholder time entries
//! that are overdue (each announced once per run of the app), and what
//! needs the technician after a sync (`notifications::due_notices`: once
//! each, ever). Sent from here, so the web view needs no notification
//! permission.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::notifications::due_notices;
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
            if let Ok(db) = database.db() {
                match due_notices(&db, fieldkit_core::clock::now()) {
                    Ok(notices) => {
                        for notice in notices {
                            let shown = app.notification().builder().title(&notice.title).body(&notice.body).show();
                            if let Err(error) = shown {
                                eprintln!("fieldkit: could not show a notification: {error}");
                            }
                        }
                    }
                    Err(error) => eprintln!("fieldkit: notifications: {error}"),
                }
            }
            std::thread::sleep(Duration::from_secs(60));
        }
    });
}
