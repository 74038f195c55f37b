//! The background sync: a tokio task that runs a cycle at start, every few
//! minutes, on "Sync now", and — after a failure to reach the PSA — every
//! 30 seconds until the network returns. After each cycle it posts the
//! queued Slack messages to the team's webhook (`team::send_slack_messages`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::clock::now;
use fieldkit_core::sync::{self, SyncError, SyncProgress};
use fieldkit_core::team;
use fieldkit_core::vault::Vault;
use tokio::sync::Notify;

/// What commands need of the background sync.
#[derive(Clone, Default)]
pub struct SyncService {
    pub progress: Arc<Mutex<SyncProgress>>,
    wake: Arc<Notify>,
    /// One cycle at a time in this process. Across processes (a
    /// `fieldkit sync --once` beside the app) the core's OS file lock on
    /// `sync.lock` keeps a second cycle out; both answer `SyncError::Busy`.
    running: Arc<tokio::sync::Mutex<()>>,
    finished: Arc<AtomicU64>,
}

impl SyncService {
    /// Asks for a cycle now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// How many times the sync has looked for work in this process, done or
    /// not (the notifications look after each, and "Sync now" is one).
    pub fn finished_cycles(&self) -> u64 {
        self.finished.load(Ordering::SeqCst)
    }
}

/// Runs one cycle if the sync is set up and the vault can be opened.
/// `Ok(None)`: nothing to do yet (not configured, vault locked).
pub async fn cycle_once(
    service: &SyncService,
    database: &AppDatabase,
    vault: &Vault,
) -> Result<Option<sync::SyncReport>, SyncError> {
    let db = database.db().map_err(|error| SyncError::Settings(error.message))?;
    let overview = sync::sync_overview(&db, &service.progress)?;
    if !overview.configured {
        return Ok(None);
    }
    // The keychain opens without asking; a passphrase waits for the
    // technician, and a vault they locked stays locked.
    if !matches!(vault.unlock_in_background(&db), Ok(true)) {
        return Ok(None);
    }
    let _one_at_a_time = service.running.try_lock().map_err(|_| SyncError::Busy)?;
    let (connector, scope) = sync::connect(&db, vault, Default::default(), now())?;
    sync::run_cycle(&db, &connector, &scope, now(), false, &service.progress).await.map(Some)
}

/// Posts the queued Slack messages if a webhook is stored and the vault can
/// be opened. `Ok(None)`: nothing to do yet.
pub async fn slack_once(
    service: &SyncService,
    database: &AppDatabase,
    vault: &Vault,
) -> Result<Option<team::SlackSendReport>, team::TeamError> {
    let db = database.db().map_err(|error| team::TeamError::NotPossible(error.message))?;
    if !team::get_slack_settings(&db)?.has_webhook {
        return Ok(None);
    }
    if !matches!(vault.unlock_in_background(&db), Ok(true)) {
        return Ok(None);
    }
    let Ok(_one_at_a_time) = service.running.try_lock() else { return Ok(None) };
    team::send_slack_messages(&db, vault, team::SlackPace::default(), now()).await.map(Some)
}

pub fn start(database: Arc<AppDatabase>, vault: Arc<Vault>) -> SyncService {
    let service = SyncService::default();
    let background = service.clone();
    tauri::async_runtime::spawn(async move {
        let mut delay = Duration::from_secs(2);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = background.wake.notified() => {}
            }
            let interval = database
                .db()
                .ok()
                .and_then(|db| sync::get_sync_settings(&db).ok())
                .map(|settings| Duration::from_secs(u64::from(settings.interval_minutes.max(1)) * 60))
                .unwrap_or(Duration::from_secs(300));
            let cycle = cycle_once(&background, &database, &vault).await;
            background.finished.fetch_add(1, Ordering::SeqCst);
            delay = match cycle {
                Ok(_) => interval,
                Err(SyncError::Unreachable(message)) => {
                    eprintln!("[sync] the PSA could not be reached: {message}");
                    Duration::from_secs(30).min(interval)
                }
                Err(SyncError::Busy) => interval,
                Err(error) => {
                    eprintln!("[sync] {error}");
                    interval
                }
            };
            // Slack messages go to the team's webhook, PSA or not; offline,
            // they are tried again as often as an unreachable PSA.
            match slack_once(&background, &database, &vault).await {
                Ok(Some(report)) if report.waiting > 0 => delay = delay.min(Duration::from_secs(30)),
                Ok(_) => {}
                Err(error) => eprintln!("[slack] {error}"),
            }
        }
    });
    service
}
