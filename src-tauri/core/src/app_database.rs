//! The database as the running app holds it: open, or failed with a reason
//! the UI can show (damaged file, newer version) and a way out (move the
//! damaged file aside and start fresh — never overwrite it).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

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
}

enum Slot {
    Open(Arc<Db>),
    Failed(DbError),
}

pub struct AppDatabase {
    path: PathBuf,
    slot: RwLock<Slot>,
    moved_aside_to: RwLock<Option<PathBuf>>,
}

impl AppDatabase {
    /// Opens `fieldkit.db` in `data_dir`; a failure is kept for the UI, not raised.
    pub fn open(data_dir: &Path) -> Self {
        let path = database_path(data_dir);
        // The data folder is the owner's alone; a failure shows when the database opens.
        if let Err(error) = crate::files::private_dir(data_dir) {
            eprintln!("fieldkit: could not make {} private: {error}", data_dir.display());
        }
        let slot = match Db::open(&path) {
            Ok(db) => {
                // A note saved just before a crash: bring its search document up to date.
                if let Err(error) = crate::tickets::catch_up_search(&db) {
                    eprintln!("fieldkit: search index catch-up failed: {error}");
                }
                Slot::Open(Arc::new(db))
            }
            Err(error) => Slot::Failed(error),
        };
        Self { path, slot: RwLock::new(slot), moved_aside_to: RwLock::new(None) }
    }

    /// The open database, or the reason there is none.
    pub fn db(&self) -> Result<Arc<Db>, ErrorPayload> {
        match &*self.slot.read().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            Slot::Open(db) => Ok(db.clone()),
            Slot::Failed(error) => Err(ErrorPayload::new(ErrorCode::DatabaseUnavailable, error.to_string())),
        }
    }

    /// Where exports are written: `exports/` beside the database.
    pub fn exports_dir(&self) -> PathBuf {
        self.path.parent().map_or_else(|| PathBuf::from("exports"), |dir| dir.join("exports"))
    }

    pub fn status(&self) -> DatabaseStatus {
        let slot = self.slot.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (state, message, schema_version) = match &*slot {
            Slot::Open(db) => (DatabaseState::Open, String::new(), db.schema_version().unwrap_or(SCHEMA_VERSION)),
            Slot::Failed(error) => {
                let state = match error {
                    DbError::Unreadable { .. } => DatabaseState::Unreadable,
                    DbError::TooNew { .. } => DatabaseState::TooNew,
                    _ => DatabaseState::Failed,
                };
                (state, error.to_string(), SCHEMA_VERSION)
            }
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
        }
    }

    /// Moves an unreadable database aside and opens a fresh one in its place.
    /// Refused while the database is open or merely newer than this build.
    pub fn move_aside_and_start_fresh(&self, now: DateTime<Utc>) -> Result<DatabaseStatus, ErrorPayload> {
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
                Ok(db) => Slot::Open(Arc::new(db)),
                Err(error) => Slot::Failed(error),
            };
        }
        Ok(self.status())
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

    #[test]
    fn an_open_database_is_never_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let app = AppDatabase::open(dir.path());
        assert_eq!(app.status().state, DatabaseState::Open);
        assert!(app.move_aside_and_start_fresh(Utc::now()).is_err());
        assert!(database_path(dir.path()).exists());
    }
}
