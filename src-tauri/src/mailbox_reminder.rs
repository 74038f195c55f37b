//! While "Filling in for office admin" is on, a desktop notification every
//! N minutes (the mode's setting) to check the shared mailbox. Checked every
//! 30 s; each due time is announced once. Sent from here, so the web view
//! needs no notification permission (the UI shows the same line in-app).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::tickets::get_office_admin_mode;
use tauri::{AppHandle, Runtime};

pub fn start<R: Runtime>(app: AppHandle<R>, database: Arc<AppDatabase>) {
    std::thread::spawn(move || {
        // The due time we are waiting for; announced when it has passed.
        let mut waiting_for: Option<DateTime<Utc>> = None;
        loop {
            if let Ok(db) = database.db() {
                let now = fieldkit_core::clock::now();
                match get_office_admin_mode(&db, now) {
                    Ok(mode) if mode.on => {
                        if waiting_for.is_some_and(|due| due <= now) {
                            crate::desktop_notice::show(
                                &app,
                                "Check the shared mailbox",
                                &format!(
                                    "You are filling in for the office admin: time to check the shared mailbox \
                                     (every {} min).",
                                    mode.reminder_minutes
                                ),
                            );
                        }
                        waiting_for = mode.next_reminder_at;
                    }
                    _ => waiting_for = None,
                }
            }
            std::thread::sleep(Duration::from_secs(30));
        }
    });
}
