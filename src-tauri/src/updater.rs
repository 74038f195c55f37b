//! Updates with tauri-plugin-updater, from Rust only (the web view has no
//! updater permission). The endpoint comes from the core's settings
//! (`updates::resolved_endpoint`), the public key from `tauri.conf.json`
//! (`plugins.updater.pubkey`). The plugin verifies the package's minisign
//! signature (and the version it was signed for) before installing; on
//! Linux a `.deb`-installed app installs the new `.deb` with `dpkg -i`.
//!
//! "Install and restart" waits while the core says it is not quiet (a visit
//! in progress, changes not yet sent): a background task looks again every
//! 20 seconds and installs at the first quiet moment; "Install anyway"
//! skips the wait.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::clock::now;
use fieldkit_core::updates::{self, AvailableUpdate, Quiet, UpdateStatus};
use fieldkit_core::ErrorPayload;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};

/// How often a waiting install looks for a quiet moment.
const QUIET_POLL: Duration = Duration::from_secs(20);
/// How often the app looks for an update on its own (updates on).
const AUTO_CHECK: Duration = Duration::from_secs(6 * 60 * 60);

#[derive(Default)]
struct State {
    update: Option<Update>,
    checked_at: Option<String>,
    waiting: bool,
    installing: bool,
    problem: Option<String>,
}

/// The updater's state, managed by the app.
#[derive(Clone, Default)]
pub struct Updater {
    state: Arc<Mutex<State>>,
}

impl Updater {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The status for the UI.
    pub fn status<R: Runtime>(&self, app: &AppHandle<R>, database: &AppDatabase) -> UpdateStatus {
        let (enabled, quiet) = match database.db() {
            Ok(db) => (
                updates::get_update_settings(&db).ok().and_then(|s| updates::resolved_endpoint(&s)).is_some(),
                updates::quiet(&db).unwrap_or_else(|_| updates::quiet_from_counts(0, 0)),
            ),
            Err(_) => (false, updates::quiet_from_counts(0, 0)),
        };
        let state = self.lock();
        UpdateStatus {
            current_version: app.package_info().version.to_string(),
            enabled,
            available: state.update.as_ref().map(|update| AvailableUpdate {
                version: update.version.clone(),
                notes: update.body.clone().unwrap_or_default(),
                published: update.raw_json.get("pub_date").and_then(|date| date.as_str()).map(str::to_string),
            }),
            checked_at: state.checked_at.clone(),
            waiting: state.waiting,
            installing: state.installing,
            quiet,
            problem: state.problem.clone(),
        }
    }

    /// Asks the endpoint whether a newer version exists.
    pub async fn check<R: Runtime>(&self, app: &AppHandle<R>, database: &AppDatabase) -> Result<(), ErrorPayload> {
        let db = database.db().map_err(|error| ErrorPayload::internal(error.message))?;
        let settings = updates::get_update_settings(&db)?;
        let Some(endpoint) = updates::resolved_endpoint(&settings) else {
            return Err(ErrorPayload::field(
                "endpoint",
                "Enter the address of your latest.json first: updates are off.",
            ));
        };
        let url = tauri::Url::parse(&endpoint).map_err(|error| ErrorPayload::field("endpoint", error.to_string()))?;
        let found = async {
            app.updater_builder().endpoints(vec![url])?.timeout(Duration::from_secs(60)).build()?.check().await
        }
        .await;
        let mut state = self.lock();
        state.checked_at = Some(now().to_rfc3339());
        match found {
            Ok(update) => {
                state.update = update;
                state.problem = None;
                if state.update.is_none() {
                    state.waiting = false;
                }
                Ok(())
            }
            Err(error) => {
                let message = describe(&error);
                state.problem = Some(message.clone());
                Err(ErrorPayload::internal(message))
            }
        }
    }

    /// "Install and restart": at once when quiet (or `anyway`), else
    /// marked as waiting for the next quiet moment.
    pub async fn install<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        database: &AppDatabase,
        anyway: bool,
    ) -> Result<(), ErrorPayload> {
        let quiet = match database.db() {
            Ok(db) => updates::quiet(&db)?,
            Err(_) => updates::quiet_from_counts(0, 0),
        };
        {
            let mut state = self.lock();
            if state.update.is_none() {
                return Err(ErrorPayload::internal("No update to install: check for updates first."));
            }
            if state.installing {
                return Ok(());
            }
            if !anyway && !quiet.quiet {
                state.waiting = true;
                return Ok(());
            }
        }
        self.install_now(app).await
    }

    /// Downloads, verifies and installs the update, then restarts the app.
    /// A refused package leaves the installed version as it is.
    async fn install_now<R: Runtime>(&self, app: &AppHandle<R>) -> Result<(), ErrorPayload> {
        let update = {
            let mut state = self.lock();
            let Some(update) = state.update.clone() else {
                return Err(ErrorPayload::internal("No update to install: check for updates first."));
            };
            state.installing = true;
            state.waiting = false;
            update
        };
        let result = async {
            // `download` verifies the signature; `install` verifies it again
            // before handing the package to the system's installer.
            let bytes = update.download(|_, _| {}, || {}).await?;
            update.install(&bytes)
        }
        .await;
        match result {
            Ok(()) => {
                eprintln!("[updates] installed {}; restarting", update.version);
                app.restart();
            }
            Err(error) => {
                let message = describe(&error);
                eprintln!("[updates] {message}");
                let mut state = self.lock();
                state.installing = false;
                state.problem = Some(message.clone());
                Err(ErrorPayload::internal(message))
            }
        }
    }

    /// A waiting install goes ahead when it is quiet.
    async fn install_if_quiet<R: Runtime>(&self, app: &AppHandle<R>, database: &AppDatabase) {
        if !self.lock().waiting {
            return;
        }
        let quiet: Option<Quiet> = database.db().ok().and_then(|db| updates::quiet(&db).ok());
        if quiet.is_some_and(|q| q.quiet) {
            let _ = self.install_now(app).await;
        }
    }
}

/// The plugin's errors in the technician's words.
pub fn describe(error: &UpdaterError) -> String {
    match error {
        UpdaterError::Minisign(_) | UpdaterError::Base64(_) | UpdaterError::SignatureUtf8(_) => format!(
            "The update was refused: its signature does not match the package and the publisher's key (the file was changed, or signed with another key). Nothing was installed. ({error})"
        ),
        UpdaterError::SignedVersionMismatch { .. } | UpdaterError::MissingSignedVersion => {
            format!("The update was refused: {error} Nothing was installed.")
        }
        UpdaterError::InsecureTransportProtocol => {
            "This build accepts only https:// update addresses (http:// on this computer works in a debug build, for tests).".into()
        }
        UpdaterError::Reqwest(_) | UpdaterError::Network(_) => {
            format!("The update address could not be reached: {error}")
        }
        UpdaterError::ReleaseNotFound | UpdaterError::Serialization(_) | UpdaterError::Semver(_) => {
            format!("The update address did not answer with a valid latest.json: {error}")
        }
        UpdaterError::TargetNotFound(_) | UpdaterError::TargetsNotFound(_) => {
            format!("latest.json has no package for this computer: {error}")
        }
        UpdaterError::InvalidUpdaterFormat => {
            "The downloaded file is not a package this installation can install (a .deb install needs a .deb). Nothing was installed.".into()
        }
        UpdaterError::AuthenticationFailed | UpdaterError::DebInstallFailed | UpdaterError::PackageInstallFailed => {
            format!("The package could not be installed ({error}); the installed version stays.")
        }
        _ => format!("The update failed: {error}"),
    }
}

/// The background task: an automatic check at start and every few hours
/// (updates on), and a waiting install at the first quiet moment.
pub fn start<R: Runtime>(app: AppHandle<R>, database: Arc<AppDatabase>, updater: Updater) {
    tauri::async_runtime::spawn(async move {
        let mut since_check = AUTO_CHECK;
        loop {
            if since_check >= AUTO_CHECK {
                since_check = Duration::ZERO;
                let enabled = database
                    .db()
                    .ok()
                    .and_then(|db| updates::get_update_settings(&db).ok())
                    .and_then(|s| updates::resolved_endpoint(&s))
                    .is_some();
                if enabled {
                    let _ = updater.check(&app, &database).await;
                }
            }
            updater.install_if_quiet(&app, &database).await;
            tokio::time::sleep(QUIET_POLL).await;
            since_check += QUIET_POLL;
        }
    });
}

/// The updater as commands receive it.
pub fn state<R: Runtime>(app: &AppHandle<R>) -> Updater {
    app.state::<Updater>().inner().clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plugins_errors_are_said_in_words() {
        let refused =
            describe(&UpdaterError::SignedVersionMismatch { signed: "0.1.0".into(), announced: "0.2.0".into() });
        assert!(
            refused.starts_with("The update was refused:") && refused.ends_with("Nothing was installed."),
            "{refused}"
        );
        let insecure = describe(&UpdaterError::InsecureTransportProtocol);
        assert!(insecure.contains("https://"), "{insecure}");
        let missing = describe(&UpdaterError::TargetsNotFound(vec!["linux-x86_64-deb".into(), "linux-x86_64".into()]));
        assert!(missing.contains("no package for this computer") && missing.contains("linux-x86_64-deb"), "{missing}");
        let install = describe(&UpdaterError::PackageInstallFailed);
        assert!(install.contains("the installed version stays"), "{install}");
    }
}
