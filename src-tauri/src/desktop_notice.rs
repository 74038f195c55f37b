//! Desktop notifications, shown from Rust (the web view has no notification
//! permission). `notify-rust` directly, as tauri-plugin-notification does on
//! the desktop — without the plugin, whose JavaScript commands nothing here
//! grants or calls (they were ~70 KB of the binary).

use tauri::{AppHandle, Runtime};

/// A notification titled `title` saying `body`, marked as Fieldkit's.
pub fn notification<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) -> notify_rust::Notification {
    let mut notification = notify_rust::Notification::new();
    notification.appname("Fieldkit").summary(title).body(body).auto_icon();
    #[cfg(windows)]
    {
        // The Start menu entry's AppUserModelID, which only the installed app has
        // (as the notification plugin does: not for a build run from `target/`).
        let installed =
            tauri::utils::platform::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.to_path_buf()));
        if installed.is_some_and(|dir| !dir.ends_with("target/debug") && !dir.ends_with("target/release")) {
            notification.app_id(&app.config().identifier);
        }
    }
    #[cfg(target_os = "macos")]
    {
        let _ = notify_rust::set_application(&app.config().identifier);
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    let _ = app;
    notification
}

/// Shows a notification; a failure (no notification server) is logged, not raised.
pub fn show<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    if let Err(error) = notification(app, title, body).show().map(|_| ()) {
        eprintln!("fieldkit: could not show a notification: {error}");
    }
}
