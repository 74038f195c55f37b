//! Desktop notifications: placeholder time entries that are overdue (checked
//! every minute, each announced once per run of the app), and what needs the
//! technician after a sync (`notifications::due_notices`: once each, ever),
//! looked at when a sync cycle ends and every minute. Sent from here, so the
//! web view needs no notification permission; a click opens the ticket
//! (`notice_clicks`).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::notifications::due_notices;
use fieldkit_core::time::open_placeholders;
use tauri::{AppHandle, Manager, Runtime};

use crate::notice_clicks::{self, NoticeClicks};
use crate::sync_service::SyncService;

/// How often the sync's state is looked at for a cycle that ended.
const GLANCE: Duration = Duration::from_secs(2);

pub fn start<R: Runtime>(app: AppHandle<R>, database: Arc<AppDatabase>, clicks: Arc<NoticeClicks>) {
    std::thread::spawn(move || {
        let mut announced = HashSet::new();
        std::thread::sleep(Duration::from_secs(5));
        loop {
            let looked = Instant::now();
            if let Ok(db) = database.db() {
                if let Ok(placeholders) = open_placeholders(&db, fieldkit_core::clock::now()) {
                    for entry in placeholders.into_iter().filter(|entry| entry.overdue) {
                        if announced.insert(entry.id) {
                            crate::desktop_notice::show(
                                &app,
                                "Placeholder time to complete",
                                &format!(
                                    "{}: {:.2} h saved as a placeholder is overdue. Complete it in Time.",
                                    entry.ticket_number, entry.hours
                                ),
                            );
                        }
                    }
                }
            }
            if let Ok(db) = database.db() {
                match due_notices(&db, fieldkit_core::clock::now()) {
                    Ok(notices) => {
                        for notice in notices {
                            notice_clicks::show(&app, &clicks, &notice);
                        }
                    }
                    Err(error) => eprintln!("fieldkit: notifications: {error}"),
                }
            }
            // The start's reads, a sync cycle and this look are done: what
            // they freed goes back to the system.
            crate::memory::give_back();
            // A minute, or less when a sync cycle ends before.
            let cycles = || app.try_state::<SyncService>().map_or(0, |service| service.finished_cycles());
            let seen = cycles();
            while looked.elapsed() < Duration::from_secs(60) && cycles() == seen {
                std::thread::sleep(GLANCE);
            }
        }
    });
}
