//! The one gateway to Fieldkit's SQLite database.
//!
//! Every connection is configured here (WAL, foreign keys, busy timeout,
//! full sync so a saved action survives a power cut), migrations embedded in
//! the binary are applied on open, and a database written by a newer Fieldkit
//! is refused rather than touched. Writes go through one connection, each user
//! action in one `IMMEDIATE` transaction; reads use a small pool of their own
//! connections so a long read never waits for the writer.

mod migrations;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

pub use migrations::SCHEMA_VERSION;

const READER_COUNT: usize = 2;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("The database at {path} cannot be read ({reason}). It may be damaged or not a Fieldkit database.")]
    Unreadable { path: PathBuf, reason: String },
    #[error("This database was written by a newer version of Fieldkit (schema {found}; this version knows up to {supported}). Update Fieldkit to open it; the file was not changed.")]
    TooNew { found: i64, supported: i64 },
    #[error("Could not create the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("Database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("The database could not be put in WAL mode (it is in {mode} mode), which Fieldkit needs to keep saved work safe.")]
    JournalMode { mode: String },
    #[error("Could not update the database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
}

/// The open database: one writer, a few readers.
pub struct Db {
    path: Option<PathBuf>,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    /// Transactions committed through `writer` (see [`Db::data_stamp`]).
    commits: AtomicU64,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Opens (creating if needed) the database file at `path` and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| DbError::DataDir { path: parent.to_path_buf(), source })?;
        }
        // Owner-only from the first byte; SQLite gives the WAL the same mode.
        // A failure here is left to SQLite's open to report.
        let _ = crate::files::create_private_if_missing(path);
        let unreadable = |error: rusqlite::Error| classify_open_error(path, error);
        let mut writer = Connection::open(path).map_err(unreadable)?;
        require_wal(Some(path), &configure(&writer).map_err(unreadable)?)?;
        migrations::apply(&mut writer).map_err(|error| match error {
            DbError::Sqlite(error) => classify_open_error(path, error),
            other => other,
        })?;
        let readers = (0..READER_COUNT)
            .map(|_| {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                let mode = configure(&reader).map_err(unreadable)?;
                require_wal(Some(path), &mode)?;
                Ok(Mutex::new(reader))
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        restrict_database_files(path);
        Ok(Db {
            path: Some(path.to_path_buf()),
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            commits: AtomicU64::new(0),
        })
    }

    /// A private in-memory database with the full schema, for tests and benchmarks.
    /// Reads share the writer connection.
    pub fn open_in_memory() -> Result<Db, DbError> {
        let mut writer = Connection::open_in_memory()?;
        require_wal(None, &configure(&writer)?)?;
        migrations::apply(&mut writer)?;
        Ok(Db {
            path: None,
            writer: Mutex::new(writer),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
            commits: AtomicU64::new(0),
        })
    }

    /// The file behind this database; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `action` in one `IMMEDIATE` transaction on the writer: all of it is
    /// committed, or none of it.
    pub fn write<T, E>(&self, action: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let mut connection = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = action(&transaction)?;
        transaction.commit()?;
        self.commits.fetch_add(1, Ordering::Release);
        Ok(value)
    }

    /// Like [`Db::write`], for data that can be fetched again (a page pulled
    /// from the PSA): the commit is not flushed to the disk on its own
    /// (`synchronous = NORMAL`). A power cut can lose the last such pages,
    /// never corrupt the file; the next write made with [`Db::write`] (the
    /// sync's watermark, any change by the user) flushes them with it.
    pub fn write_replayable<T, E>(&self, action: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let connection = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut relaxed = RelaxedSync::new(connection)?;
        let value = {
            let transaction = relaxed.connection().transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = action(&transaction)?;
            transaction.commit()?;
            self.commits.fetch_add(1, Ordering::Release);
            value
        };
        relaxed.restore()?;
        Ok(value)
    }

    /// Runs `query` on a reader connection (inside one read transaction, so it
    /// sees one consistent snapshot).
    pub fn read<T, E>(&self, query: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        if self.readers.is_empty() {
            let connection = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            return query(&connection);
        }
        let index = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let mut connection = self.readers[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let value = query(&transaction)?;
        transaction.finish()?;
        Ok(value)
    }

    /// A stamp that changes with every commit: this handle's (counted) and any
    /// other connection's or process's (SQLite's `data_version`, as the writer
    /// sees it). Two equal stamps mean nothing was committed in between.
    /// `None` while the writer is busy (a commit may be under way).
    pub fn data_stamp(&self) -> Option<DataStamp> {
        let connection = self.writer.try_lock().ok()?;
        let data_version = connection.pragma_query_value(None, "data_version", |row| row.get(0)).ok()?;
        Some(DataStamp { commits: self.commits.load(Ordering::Acquire), data_version })
    }

    /// The schema version stored in the file.
    pub fn schema_version(&self) -> Result<i64, DbError> {
        Ok(self.read(|connection| connection.pragma_query_value(None, "user_version", |row| row.get(0)))?)
    }
}

/// See [`Db::data_stamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataStamp {
    commits: u64,
    data_version: i64,
}

/// The writer with `synchronous = NORMAL` for one replayable write. `FULL`
/// comes back when it is dropped — after an error or a panic in the action
/// too — so no later user action is written without its flush.
struct RelaxedSync<'a> {
    connection: Option<MutexGuard<'a, Connection>>,
}

impl<'a> RelaxedSync<'a> {
    fn new(connection: MutexGuard<'a, Connection>) -> rusqlite::Result<Self> {
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(Self { connection: Some(connection) })
    }

    fn connection(&mut self) -> &mut Connection {
        // Present until `restore` or `drop` takes it.
        self.connection.as_mut().expect("the writer is held until restored")
    }

    /// Restores `FULL`, reporting a failure (the drop can only try).
    fn restore(mut self) -> rusqlite::Result<()> {
        match self.connection.take() {
            Some(connection) => connection.pragma_update(None, "synchronous", "FULL"),
            None => Ok(()),
        }
    }
}

impl Drop for RelaxedSync<'_> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            if let Err(error) = connection.pragma_update(None, "synchronous", "FULL") {
                eprintln!("fieldkit: could not restore synchronous = FULL: {error}");
            }
        }
    }
}

/// Configures a connection and returns its journal mode.
fn configure(connection: &Connection) -> rusqlite::Result<String> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // Reading the journal mode is the first access to the file: a damaged or
    // foreign file fails here, before anything is written.
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    connection.pragma_update(None, "foreign_keys", true)?;
    // FULL: a transaction the UI reported as saved survives a power cut.
    connection.pragma_update(None, "synchronous", "FULL")?;
    // 2 MiB of page cache per connection (SQLite's default): a page the
    // cache drops comes back from the OS's file cache at the cost of a read.
    // Measured by fieldkit-footprint at 100,000 tickets: 32 MiB per
    // connection was most of Fieldkit's memory above an empty window, for no
    // view or search figure of fieldkit-bench that 2 MiB loses; `mmap_size`
    // instead counts every mapped page of the file against the app (more
    // memory, not less).
    connection.pragma_update(None, "cache_size", CACHE_KIB)?;
    Ok(mode)
}

/// Durability rests on WAL (a reader never blocks the writer, a commit is
/// one append): a file that would not switch (a file system without shared
/// memory, a read-only copy in another mode) is refused, in release builds
/// too. Only an in-memory database has no WAL.
fn require_wal(path: Option<&Path>, mode: &str) -> Result<(), DbError> {
    let fine = match path {
        Some(_) => mode.eq_ignore_ascii_case("wal"),
        None => mode.eq_ignore_ascii_case("memory"),
    };
    if fine {
        Ok(())
    } else {
        Err(DbError::JournalMode { mode: mode.to_string() })
    }
}

/// The database, its WAL and shared-memory files: the owner's alone (files
/// made by an older Fieldkit may be readable by others). Best effort: a file
/// system without Unix permissions keeps the database usable.
fn restrict_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if let Err(error) = crate::files::restrict_to_owner(&file) {
            eprintln!("fieldkit: could not make {} private: {error}", file.display());
        }
    }
}

/// Page cache per connection, as SQLite's negative-KiB `cache_size`.
pub(crate) const CACHE_KIB: i64 = -2_048;

fn classify_open_error(path: &Path, error: rusqlite::Error) -> DbError {
    let unreadable = matches!(
        error.sqlite_error_code(),
        Some(
            ErrorCode::NotADatabase
                | ErrorCode::DatabaseCorrupt
                | ErrorCode::CannotOpen
                | ErrorCode::PermissionDenied
                | ErrorCode::ReadOnly
                | ErrorCode::SystemIoFailure
        )
    );
    if unreadable {
        DbError::Unreadable { path: path.to_path_buf(), reason: error.to_string() }
    } else {
        DbError::Sqlite(error)
    }
}

/// A UUID stored as text in column `index`; a malformed one is a conversion error, not a panic.
pub(crate) fn uuid_column(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<uuid::Uuid> {
    let text: String = row.get(index)?;
    uuid::Uuid::parse_str(&text)
        .map_err(|error| rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_gets_the_full_schema_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/fieldkit.db");
        let db = Db::open(&path).unwrap();
        assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = db.read(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0))).unwrap();
        assert_eq!(mode, "wal");
        let fk: bool = db.read(|c| c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))).unwrap();
        assert!(fk);
    }

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_wal_are_the_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fieldkit.db");
        let db = Db::open(&path).unwrap();
        db.write(|tx| tx.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])).unwrap();
        for suffix in ["", "-wal", "-shm"] {
            assert_eq!(mode(Path::new(&format!("{}{suffix}", path.display()))), 0o600, "{suffix}");
        }
        drop(db);
        // A file from an older Fieldkit, readable by all: tightened on open.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(Db::open(&path).unwrap());
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_failed_action_leaves_nothing_behind() {
        let db = Db::open_in_memory().unwrap();
        let result: Result<(), rusqlite::Error> = db.write(|tx| {
            tx.execute(
                "INSERT INTO resources (id, first_name, last_name, role) VALUES ('r1', 'A', 'B', 'technician')",
                [],
            )?;
            tx.execute(
                "INSERT INTO resources (id, first_name, last_name, role) VALUES ('r2', 'A', 'B', 'astronaut')",
                [],
            )?;
            Ok(())
        });
        assert!(result.is_err());
        let count: i64 = db.read(|c| c.query_row("SELECT count(*) FROM resources", [], |r| r.get(0))).unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fieldkit.db");
        let garbage = b"this is not sqlite, it is a shopping list: cat6 cables, 2x usb-c".repeat(100);
        std::fs::write(&path, &garbage).unwrap();
        let error = Db::open(&path).unwrap_err();
        assert!(matches!(error, DbError::Unreadable { .. }), "{error:?}");
        assert_eq!(std::fs::read(&path).unwrap(), garbage);
    }

    #[test]
    fn a_database_from_a_newer_fieldkit_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fieldkit.db");
        drop(Db::open(&path).unwrap());
        {
            let connection = Connection::open(&path).unwrap();
            connection.pragma_update(None, "user_version", SCHEMA_VERSION + 5).unwrap();
        }
        let error = Db::open(&path).unwrap_err();
        assert!(
            matches!(error, DbError::TooNew { found, supported } if found == SCHEMA_VERSION + 5 && supported == SCHEMA_VERSION),
            "{error:?}"
        );
        let connection = Connection::open(&path).unwrap();
        let version: i64 = connection.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION + 5);
    }

    fn synchronous(db: &Db) -> i64 {
        let connection = db.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        connection.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_replayable_write_restores_full_sync_even_after_a_panic() {
        const FULL: i64 = 2;
        let db = Db::open_in_memory().unwrap();
        assert_eq!(synchronous(&db), FULL);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<(), rusqlite::Error> = db.write_replayable(|_| panic!("a page that cannot be applied"));
        }));
        assert!(panicked.is_err());
        assert_eq!(synchronous(&db), FULL);

        let failed: Result<(), rusqlite::Error> =
            db.write_replayable(|tx| tx.execute("INSERT INTO no_such_table VALUES (1)", []).map(drop));
        assert!(failed.is_err());
        assert_eq!(synchronous(&db), FULL);

        db.write_replayable(|tx| {
            assert_eq!(tx.query_row("PRAGMA synchronous", [], |r| r.get::<_, i64>(0))?, 1, "NORMAL inside");
            Ok::<_, rusqlite::Error>(())
        })
        .unwrap();
        assert_eq!(synchronous(&db), FULL);
    }

    #[test]
    fn a_file_database_must_be_in_wal_mode() {
        let file = Some(Path::new("fieldkit.db"));
        assert!(require_wal(file, "wal").is_ok());
        assert!(matches!(require_wal(file, "delete"), Err(DbError::JournalMode { .. })));
        assert!(matches!(require_wal(file, "memory"), Err(DbError::JournalMode { .. })));
        assert!(require_wal(None, "memory").is_ok());
        assert!(matches!(require_wal(None, "delete"), Err(DbError::JournalMode { .. })));
    }

    #[test]
    fn reopening_keeps_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fieldkit.db");
        {
            let db = Db::open(&path).unwrap();
            db.write(|tx| {
                tx.execute(
                    "INSERT INTO resources (id, first_name, last_name, role) VALUES ('r1', 'Sam', 'Ortiz', 'technician')",
                    [],
                )
            })
            .unwrap();
        }
        let db = Db::open(&path).unwrap();
        let name: String = db.read(|c| c.query_row("SELECT first_name FROM resources", [], |r| r.get(0))).unwrap();
        assert_eq!(name, "Sam");
    }
}
