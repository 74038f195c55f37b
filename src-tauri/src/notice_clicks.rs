//! Desktop notifications the technician clicks: the click focuses the window
//! and is handed to the UI, which waits for it with `notice_opened_wait` (a
//! long-poll command — the web view gets no event permission). On Linux the
//! notification carries a default action through the notification server
//! (`notify-rust`, D-Bus); elsewhere it is shown without one and the app's
//! notices list is the way to the ticket.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldkit_core::notice_inbox::NoticeOpened;
use fieldkit_core::notifications::Notice;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::Notify;

/// At most this many notifications wait for a click at once (one thread each);
/// beyond, they are shown without a click action.
const WAITING_AT_MOST: usize = 16;

/// The clicks not yet taken by the UI, newest last.
#[derive(Default)]
pub struct NoticeClicks {
    pending: Mutex<Vec<NoticeOpened>>,
    arrived: Notify,
    waiting: AtomicUsize,
}

impl NoticeClicks {
    fn clicked(&self, opened: NoticeOpened) {
        self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(opened);
        self.arrived.notify_waiters();
        self.arrived.notify_one();
    }

    fn take(&self) -> Option<NoticeOpened> {
        let mut pending = self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let newest = pending.pop();
        pending.clear();
        newest
    }

    /// The next click, or `None` after `patience`.
    pub async fn wait(&self, patience: Duration) -> Option<NoticeOpened> {
        if let Some(opened) = self.take() {
            return Some(opened);
        }
        let _ = tokio::time::timeout(patience, self.arrived.notified()).await;
        self.take()
    }
}

/// Shows `notice` on the desktop; a click opens its ticket (or the list).
pub fn show<R: Runtime>(app: &AppHandle<R>, clicks: &Arc<NoticeClicks>, notice: &Notice) {
    #[cfg(target_os = "linux")]
    if clicks.waiting.load(Ordering::SeqCst) < WAITING_AT_MOST {
        // Shown and waited for on one thread: the notification's D-Bus connection stays on it.
        let mut notification = crate::desktop_notice::notification(app, &notice.title, &notice.body);
        notification.action("default", "Open");
        let (app, clicks, opened) = (app.clone(), clicks.clone(), NoticeOpened { ticket_id: notice.ticket_id });
        clicks.waiting.fetch_add(1, Ordering::SeqCst);
        let waiting = clicks.clone();
        let spawned = std::thread::Builder::new().name("notice-click".into()).spawn(move || {
            match notification.show() {
                Ok(handle) => handle.wait_for_action(|action| {
                    if action == "default" {
                        clicks.clicked(opened);
                        bring_forward(&app);
                    }
                }),
                Err(error) => eprintln!("fieldkit: could not show a notification: {error}"),
            }
            clicks.waiting.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_ok() {
            return;
        }
        waiting.waiting.fetch_sub(1, Ordering::SeqCst);
    }
    crate::desktop_notice::show(app, &notice.title, &notice.body);
}

fn bring_forward<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
