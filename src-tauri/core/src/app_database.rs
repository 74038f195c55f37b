//! The database as the running app holds it: open, or failed with a reason
//! the UI can show (damaged file, newer version) and a way out (move the
//! damaged file aside and start fresh — never overwrite it).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::backup::{self, RestoreOutcome};
use crate::data_dir::{database_path, move_database_aside};
use crate::db::{Db, DbError, SCHEMA_VERSION};
use crate::error::{ErrorCode, ErrorPayload};

/// Whether the database could be opened, for the UI's first screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DatabaseState {
    Open,
    /// Damaged or not a database: offer to move it aside.
    Unreadable,
    /// Written by a newer Fieldkit: tell the user to update.
    TooNew,
    /// Anything else (permissions, full disk): show the message.
    Failed,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DatabaseStatus {
    pub state: DatabaseState,
    pub message: String,
    pub database_path: String,
    /// Where a damaged database was moved to by the last move-aside.
    pub moved_aside_to: Option<String>,
    pub schema_version: i64,
    pub app_version: String,
    /// Open with no customers and no people yet: the welcome (sample data or Settings) comes first.
    pub first_run: bool,
}

/// Opens the database file `path` of `data_dir`, after tidying the folder.
fn open_slot(data_dir: &Path, path: &Path) -> Slot {
    // The data folder is the owner's alone; a failure shows when the database opens.
    if let Err(error) = crate::files::private_dir(data_dir) {
        eprintln!("fieldkit: could not make {} private: {error}", data_dir.display());
    }
    // A backup or restore the app quit in the middle of leaves its temporary copies.
    backup::remove_leftovers(data_dir);
    match Db::open(path) {
        Ok(db) => {
            // A note saved just before a crash: bring its search document up to date.
            if let Err(error) = crate::tickets::catch_up_search(&db) {
                eprintln!("fieldkit: search index catch-up failed: {error}");
            }
            take_the_computers_zone(&db);
            Slot::Open(Arc::new(db))
        }
        Err(error) => Slot::Failed(error),
    }
}

/// A database without a time zone (a new one) counts days in this
/// computer's zone until the technician chooses another in Settings.
fn take_the_computers_zone(db: &Db) {
    if let Some(zone) = crate::settings::system_zone() {
        if let Err(error) = crate::settings::adopt_zone(db, &zone) {
            eprintln!("fieldkit: could not set the time zone: {error}");
        }
    }
}

/// No customers and no people: nothing synced or loaded yet.
fn is_first_run(db: &Db) -> bool {
    db.read(|connection| {
        connection.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM customers) AND NOT EXISTS (SELECT 1 FROM resources)",
            [],
            |row| row.get::<_, bool>(0),
        )
    })
    .unwrap_or(false)
}

enum Slot {
    Open(Arc<Db>),
    Failed(DbError),
    /// Closed for a restore, which puts the new database in place.
    Restoring,
    /// Being opened on its own thread (see [`AppDatabase::open_in_background`]).
    Opening,
}

pub struct AppDatabase {
    path: PathBuf,
    slot: RwLock<Slot>,
    moved_aside_to: RwLock<Option<PathBuf>>,
    /// True while the database opens on its own thread; `opened` wakes the waiters.
    opening: Mutex<bool>,
    opened: Condvar,
}

impl AppDatabase {
    /// Opens `fieldkit.db` in `data_dir`; a failure is kept for the UI, not raised.
    pub fn open(data_dir: &Path) -> Self {
        let path = database_path(data_dir);
        let slot = open_slot(data_dir, &path);
        Self::with_slot(path, slot, false)
    }

    /// Like [`AppDatabase::open`], on a thread of its own: the window and the
    /// web view start while the schema is checked and migrated. Every use of
    /// the database waits for the open to finish.
    pub fn open_in_background(data_dir: &Path) -> Arc<Self> {
        let path = database_path(data_dir);
        let app = Arc::new(Self::with_slot(path.clone(), Slot::Opening, true));
        let opener = app.clone();
        let folder = data_dir.to_path_buf();
        let spawned = std::thread::Builder::new().name("database-open".into()).spawn(move || {
            let slot = open_slot(&folder, &opener.path);
            opener.finish_opening(slot);
        });
        if spawned.is_err() {
            app.finish_opening(open_slot(data_dir, &path));
        }
        app
    }

    fn with_slot(path: PathBuf, slot: Slot, opening: bool) -> Self {
        Self {
            path,
            slot: RwLock::new(slot),
            moved_aside_to: RwLock::new(None),
            opening: Mutex::new(opening),
            opened: Condvar::new(),
        }
    }

    fn finish_opening(&self, slot: Slot) {
        *self.slot.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = slot;
        *self.opening.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = false;
        self.opened.notify_all();
    }

    /// Returns once the database is open (or failed to open).
    fn wait_until_opened(&self) {
        let mut opening = self.opening.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while *opening {
            opening = self.opened.wait(opening).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// The open database, or the reason there is none.
    pub fn db(&self) -> Result<Arc<Db>, ErrorPayload> {
        self.wait_until_opened();
        match &*self.slot.read().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            Slot::Open(db) => Ok(db.clone()),
            Slot::Failed(error) => Err(ErrorPayload::new(ErrorCode::DatabaseUnavailable, error.to_string())),
            Slot::Restoring => Err(ErrorPayload::internal("A backup is being restored; try again in a moment.")),
            Slot::Opening => Err(ErrorPayload::internal("The database is still opening; try again in a moment.")),
        }
    }

    /// The data folder: the database's folder.
    pub fn data_dir(&self) -> PathBuf {
        self.path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    /// Where exports are written: `exports/` beside the database.
    pub fn exports_dir(&self) -> PathBuf {
        self.path.parent().map_or_else(|| PathBuf::from("exports"), |dir| dir.join("exports"))
    }

    pub fn status(&self) -> DatabaseStatus {
        self.wait_until_opened();
        let slot = self.slot.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut first_run = false;
        let (state, message, schema_version) = match &*slot {
            Slot::Open(db) => {
                first_run = is_first_run(db);
                (DatabaseState::Open, String::new(), db.schema_version().unwrap_or(SCHEMA_VERSION))
            }
            Slot::Failed(error) => {
                let state = match error {
                    DbError::Unreadable { .. } => DatabaseState::Unreadable,
                    DbError::TooNew { .. } => DatabaseState::TooNew,
                    _ => DatabaseState::Failed,
                };
                (state, error.to_string(), SCHEMA_VERSION)
            }
            Slot::Restoring => (DatabaseState::Failed, "A backup is being restored.".to_string(), SCHEMA_VERSION),
            Slot::Opening => (DatabaseState::Failed, "The database is still opening.".to_string(), SCHEMA_VERSION),
        };
        DatabaseStatus {
            state,
            message,
            database_path: self.path.display().to_string(),
            moved_aside_to: self
                .moved_aside_to
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .as_ref()
                .map(|path| path.display().to_string()),
            schema_version,
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            first_run,
        }
    }

    /// Moves an unreadable database aside and opens a fresh one in its place.
    /// Refused while the database is open or merely newer than this build.
    pub fn move_aside_and_start_fresh(&self, now: DateTime<Utc>) -> Result<DatabaseStatus, ErrorPayload> {
        self.wait_until_opened();
        {
            let mut slot = self.slot.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            if !matches!(&*slot, Slot::Failed(DbError::Unreadable { .. })) {
                return Err(ErrorPayload::internal(
                    "Only a database that cannot be read is moved aside; this one was left as it is.",
                ));
            }
            let moved = move_database_aside(&self.path, now)
                .map_err(|error| ErrorPayload::internal(format!("Could not move the database aside: {error}")))?;
            *self.moved_aside_to.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(moved);
            *slot = match Db::open(&self.path) {
                Ok(db) => {
                    take_the_computers_zone(&db);
                    Slot::Open(Arc::new(db))
                }
                Err(error) => Slot::Failed(error),
            };
        }
        Ok(self.status())
    }
}

impl AppDatabase {
    /// Restores the backup at `archive` in place of the current data.
    ///
    /// 1. The archive is unpacked and checked in a staging folder while the
    ///    app goes on (`backup::stage_restore`): a damaged, foreign or newer
    ///    backup is refused here and nothing else is touched.
    /// 2. The sync lock (`sync.lock`) is taken, so no sync cycle or Slack
    ///    round — of this app or of `fieldkit sync --once` — runs meanwhile.
    /// 3. The database is closed: new callers wait on the slot, and the
    ///    restore waits (up to 15 s) for running actions to let go of it, so
    ///    every connection is closed before a file moves.
    /// 4. The current database and `exports/` move into
    ///    `before-restore-<time>/` and the backup's take their place.
    /// 5. The restored database is opened, which applies the migrations of a
    ///    backup made by an older Fieldkit. Should it not open, everything is
    ///    moved back as it was. Its pending outbox entries are marked as
    ///    tried, so the push looks each create up in the PSA before sending
    ///    it (it may have been sent after the backup was made); its waiting
    ///    Slack messages become "possibly sent" (send again / discard).
    pub fn restore(&self, archive: &Path, now: DateTime<Utc>) -> Result<RestoreOutcome, ErrorPayload> {
        self.wait_until_opened();
        let data_dir = self.data_dir();
        let staged = backup::stage_restore(&data_dir, archive)?;
        let _sync_lock = backup::take_sync_lock(&data_dir, Duration::from_secs(60))?;
        let mut slot = self.slot.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Slot::Open(db) = std::mem::replace(&mut *slot, Slot::Restoring) {
            let started = Instant::now();
            while Arc::strong_count(&db) > 1 {
                if started.elapsed() > Duration::from_secs(15) {
                    *slot = Slot::Open(db);
                    return Err(ErrorPayload::internal(
                        "The database stayed in use, so the backup was not restored; nothing was changed. Try again.",
                    ));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            // The last reference: every connection closes here.
            drop(db);
        }
        let kept = match backup::swap_in(&data_dir, &staged, now) {
            Ok(kept) => kept,
            Err(error) => {
                *slot = Self::reopen(&self.path);
                return Err(error.into());
            }
        };
        match Db::open(&self.path) {
            Ok(db) => {
                if let Err(error) = crate::tickets::catch_up_search(&db) {
                    eprintln!("fieldkit: search index catch-up failed: {error}");
                }
                // What was pending in the backup may have been sent since it
                // was made: each create is looked up in the PSA before it is
                // sent again, as after a crash (see "Exactly once").
                // Slack posts are not idempotent: a waiting message is shown
                // as possibly sent (send again / discard), never reposted silently.
                if let Err(error) = db.write(|tx| {
                    tx.execute(
                        "UPDATE outbox SET attempts = 1 WHERE state = 'pending' AND attempts = 0 AND entity <> ?1",
                        [crate::team::SLACK_ENTITY],
                    )?;
                    crate::team::hold_after_restore(tx, now)
                }) {
                    eprintln!("fieldkit: could not mark the restored outbox: {error}");
                }
                let secrets_note =
                    crate::vault::secrets_after_restore(&db).unwrap_or_else(|error| Some(error.to_string()));
                let schema_version = db.schema_version().unwrap_or(SCHEMA_VERSION);
                *slot = Slot::Open(Arc::new(db));
                Ok(RestoreOutcome {
                    restored_from: archive.display().to_string(),
                    backup_created_at: staged.manifest.created_at,
                    backup_app_version: staged.manifest.app_version.clone(),
                    backup_schema_version: staged.manifest.schema_version,
                    schema_version,
                    exports: staged.export_count(),
                    kept_aside_at: kept.display().to_string(),
                    secrets_note,
                })
            }
            Err(error) => {
                let moved_back = backup::swap_back(&data_dir, &kept);
                *slot = Self::reopen(&self.path);
                Err(ErrorPayload::internal(match moved_back {
                    Ok(()) => format!("The restored database could not be opened ({error}); your data was put back as it was."),
                    Err(back) => format!(
                        "The restored database could not be opened ({error}), and your data could not be put back ({back}): it is in {}.",
                        kept.display()
                    ),
                }))
            }
        }
    }

    fn reopen(path: &Path) -> Slot {
        match Db::open(path) {
            Ok(db) => Slot::Open(Arc::new(db)),
            Err(error) => Slot::Failed(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_database_is_reported_then_moved_aside_on_request() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(database_path(dir.path()), b"not a database at all, just text".repeat(64)).unwrap();
        let app = AppDatabase::open(dir.path());
        assert_eq!(app.status().state, DatabaseState::Unreadable);
        assert_eq!(app.db().unwrap_err().code, ErrorCode::DatabaseUnavailable);

        let status = app.move_aside_and_start_fresh(Utc::now()).unwrap();
        assert_eq!(status.state, DatabaseState::Open);
        let moved = PathBuf::from(status.moved_aside_to.unwrap());
        assert!(std::fs::read(moved).unwrap().starts_with(b"not a database"));
        assert!(app.db().is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn the_first_start_makes_a_private_data_folder() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("home/.local/share/com.fieldkit.app");
        let app = AppDatabase::open(&data);
        assert_eq!(app.status().state, DatabaseState::Open);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&database_path(&data)), 0o600);
        assert_eq!(app.data_dir(), data);
    }

    #[test]
    fn an_open_database_is_never_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let app = AppDatabase::open(dir.path());
        assert_eq!(app.status().state, DatabaseState::Open);
        assert!(app.move_aside_and_start_fresh(Utc::now()).is_err());
        assert!(database_path(dir.path()).exists());
    }

    #[test]
    fn opened_in_the_background_every_use_waits_for_the_open() {
        let dir = tempfile::tempdir().unwrap();
        let app = AppDatabase::open_in_background(dir.path());
        // Straight away, before the thread can have finished: the status waits for it.
        let status = app.status();
        assert_eq!(status.state, DatabaseState::Open);
        assert!(status.first_run, "nothing loaded yet");
        crate::sample_data::load_sample_data(&app.db().unwrap(), 1, Utc::now()).unwrap();
        assert!(!app.status().first_run);
        // A new database takes the computer's time zone (what the web view's clock uses).
        assert_eq!(
            crate::settings::get_settings(&app.db().unwrap()).unwrap().time_zone,
            crate::settings::system_zone().unwrap_or_default()
        );

        let damaged = tempfile::tempdir().unwrap();
        std::fs::write(database_path(damaged.path()), b"not a database at all, just text".repeat(64)).unwrap();
        let app = AppDatabase::open_in_background(damaged.path());
        assert_eq!(app.db().unwrap_err().code, ErrorCode::DatabaseUnavailable);
        assert_eq!(app.status().state, DatabaseState::Unreadable);
    }
}
