//! Secrets in the shell: the system clipboard a secret is copied to (the
//! clipboard plugin, used from Rust only: the web view has no clipboard
//! permission), taking it back again, and the vault's idle lock.

use std::sync::Arc;
use std::time::Duration;

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::secret_clipboard::{Clipboard, SecretClipboard, CLEAR_AFTER_SECONDS};
use fieldkit_core::vault::{self, Vault};
use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

/// How often the idle lock looks at the vault.
const IDLE_CHECK: Duration = Duration::from_secs(30);

/// The system clipboard through the plugin.
struct SystemClipboard<'a, R: Runtime>(&'a AppHandle<R>);

impl<R: Runtime> Clipboard for SystemClipboard<'_, R> {
    fn read_text(&self) -> Option<String> {
        self.0.clipboard().read_text().ok()
    }

    fn write_secret(&self, secret: &str) -> Result<(), String> {
        self.0.clipboard().write_secret(secret).map_err(|error| error.to_string())
    }

    fn clear(&self) -> Result<(), String> {
        self.0.clipboard().clear().map_err(|error| error.to_string())
    }
}

/// Copies `secret` and clears it after [`CLEAR_AFTER_SECONDS`] — if the
/// clipboard still holds it then.
pub fn copy_for_a_while<R: Runtime>(
    app: AppHandle<R>,
    secrets: Arc<SecretClipboard>,
    secret: &str,
) -> Result<(), String> {
    let copy = secrets.copy(&SystemClipboard(&app), secret)?;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(u64::from(CLEAR_AFTER_SECONDS))).await;
        secrets.clear_if_unchanged(&SystemClipboard(&app), copy);
    });
    Ok(())
}

/// Clears a copied secret still on the clipboard (the vault locked). Not on
/// the main thread: reading the clipboard there can deadlock on Linux.
pub fn clear_now<R: Runtime>(app: &AppHandle<R>, secrets: &SecretClipboard) {
    secrets.clear_now(&SystemClipboard(app));
}

/// Clears a copied secret as the app quits. The exit events arrive on the
/// main thread, so the clipboard is read from a helper thread, waited for
/// at most a second (the plugin lets go of the clipboard at `Exit`, so this
/// runs at `ExitRequested`).
pub fn clear_at_exit<R: Runtime>(app: &AppHandle<R>, secrets: Arc<SecretClipboard>) {
    let app = app.clone();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        clear_now(&app, &secrets);
        let _ = done.send(());
    });
    let _ = finished.recv_timeout(Duration::from_secs(1));
}

/// Locks a passphrase vault left idle for the minutes set in Settings, and
/// takes a copied secret off the clipboard with it.
pub fn start_idle_lock<R: Runtime>(
    app: AppHandle<R>,
    database: Arc<AppDatabase>,
    vault: Arc<Vault>,
    secrets: Arc<SecretClipboard>,
) {
    std::thread::spawn(move || loop {
        std::thread::sleep(IDLE_CHECK);
        let Ok(db) = database.db() else { continue };
        let minutes = vault::idle_lock_minutes(&db).unwrap_or(vault::DEFAULT_IDLE_LOCK_MINUTES);
        // The system's clock, not the app's (tests move that one): idle
        // time is time that really passed.
        if matches!(vault.lock_if_idle(&db, chrono::Utc::now(), minutes), Ok(true)) {
            clear_now(&app, &secrets);
        }
    });
}
