//! Secrets in the shell: the system clipboard a secret is copied to
//! (`arboard`, text only, used from Rust only: the web view has no clipboard
//! access), taking it back again, and the vault's idle lock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::secret_clipboard::{Clipboard, SecretClipboard, CLEAR_AFTER_SECONDS};
use fieldkit_core::vault::{self, Vault};
use tauri::{AppHandle, Manager, Runtime};

/// How often the idle lock looks at the vault.
const IDLE_CHECK: Duration = Duration::from_secs(30);

/// The system clipboard, opened the first time a secret is copied (not at
/// start: on Linux opening it connects to the display server and starts a
/// thread) and closed as the app exits (arboard's rule: on Linux the thread
/// that serves the clipboard must stop before the process does).
#[derive(Default)]
pub struct SystemClipboard(Mutex<Option<arboard::Clipboard>>);

impl SystemClipboard {
    fn with<T>(&self, action: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>) -> Result<T, String> {
        let mut slot = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let clipboard = match &mut *slot {
            Some(clipboard) => clipboard,
            empty => empty.insert(arboard::Clipboard::new().map_err(|error| error.to_string())?),
        };
        action(clipboard).map_err(|error| error.to_string())
    }

    /// Lets go of the clipboard (at `Exit`).
    pub fn close(&self) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
    }
}

impl Clipboard for SystemClipboard {
    fn read_text(&self) -> Option<String> {
        self.with(|clipboard| clipboard.get_text()).ok()
    }

    fn write_secret(&self, secret: &str) -> Result<(), String> {
        // Clipboard managers are asked to keep it out of their history.
        self.with(|clipboard| exclude_from_history(clipboard.set()).text(secret))
    }

    fn clear(&self) -> Result<(), String> {
        self.with(|clipboard| clipboard.clear())
    }
}

#[cfg(windows)]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtWindows;
    set.exclude_from_monitoring()
}

#[cfg(target_os = "macos")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtApple;
    set.exclude_from_history()
}

#[cfg(not(any(windows, target_os = "macos")))]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtLinux;
    set.exclude_from_history()
}

fn system<R: Runtime>(app: &AppHandle<R>) -> Arc<SystemClipboard> {
    app.state::<Arc<SystemClipboard>>().inner().clone()
}

/// Copies `secret` and clears it after [`CLEAR_AFTER_SECONDS`] — if the
/// clipboard still holds it then.
pub fn copy_for_a_while<R: Runtime>(
    app: AppHandle<R>,
    secrets: Arc<SecretClipboard>,
    secret: &str,
) -> Result<(), String> {
    let system = system(&app);
    let copy = secrets.copy(&*system, secret)?;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(u64::from(CLEAR_AFTER_SECONDS))).await;
        secrets.clear_if_unchanged(&*system, copy);
    });
    Ok(())
}

/// Clears a copied secret still on the clipboard (the vault locked). Not on
/// the main thread: reading the clipboard there can deadlock on Linux.
pub fn clear_now<R: Runtime>(app: &AppHandle<R>, secrets: &SecretClipboard) {
    secrets.clear_now(&*system(app));
}

/// Clears a copied secret as the app quits. The exit events arrive on the
/// main thread, so the clipboard is read from a helper thread, waited for
/// at most a second (the clipboard is closed at `Exit`, so this runs at
/// `ExitRequested`).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The clipboard of the display this runs on, so run it under Xvfb:
    /// `xvfb-run -a cargo test -p fieldkit --lib secrets -- --ignored`.
    #[test]
    #[ignore = "needs a display: run under xvfb-run"]
    fn a_secret_is_copied_read_back_and_cleared_on_the_real_clipboard() {
        let system = SystemClipboard::default();
        system.write_secret("s3cret-Ω 42").expect("copy");
        assert_eq!(system.read_text().as_deref(), Some("s3cret-Ω 42"));
        system.clear().expect("clear");
        assert_ne!(system.read_text().as_deref(), Some("s3cret-Ω 42"));
        system.close();
    }
}
