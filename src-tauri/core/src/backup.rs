//! "Back up my data" and "Restore from a backup".
//!
//! A backup is one plain tar file (any archive tool opens it) holding, in
//! this order: `manifest.json` (format and app versions, the database's
//! schema version, when it was made, and every other entry with its size and
//! SHA-256), `fieldkit.db` and the files of `exports/` as `exports/<name>`.
//!
//! The database is copied with SQLite's online backup API on a connection of
//! its own that holds one read snapshot for the whole copy: in WAL mode the
//! writer (the user, the sync) is never blocked, the copy is stepped a few
//! hundred pages at a time, and it is exactly one committed state however
//! much is written meanwhile. The archive is written whole or not at all,
//! owner-only (`files::write_atomically_with`).
//!
//! A restore first unpacks into a private staging folder in the data folder
//! and checks everything there — the manifest, each file's size and hash, no
//! stray bytes in the archive, the database opens and passes
//! `PRAGMA integrity_check`, its schema is not newer than this build — before
//! anything of the current data moves. [`crate::app_database::AppDatabase::restore`]
//! then swaps it in (see there).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::data_dir::{database_path, DATABASE_FILE, EXPORTS_DIR};
use crate::db::SCHEMA_VERSION;
use crate::files;

/// The manifest's `format`: what makes a tar file a Fieldkit backup.
pub const BACKUP_FORMAT: &str = "fieldkit-backup";
/// The archive layout this build writes and reads.
pub const BACKUP_FORMAT_VERSION: u32 = 1;
pub const MANIFEST_ENTRY: &str = "manifest.json";
/// The extension offered in the Save dialog.
pub const BACKUP_EXTENSION: &str = "fkbackup";
/// Pages copied per step (4 KiB pages: 1 MiB), then the source's lock is let go.
const PAGES_PER_STEP: i32 = 256;
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
const BLOCK: u64 = 512;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("There is no database to back up yet.")]
    NothingToBackUp,
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
    #[error("Could not copy the database: {0}")]
    Copy(#[from] rusqlite::Error),
    #[error("This file is not a Fieldkit backup ({0}). Nothing was changed.")]
    NotABackup(String),
    #[error("This backup is damaged or was changed after it was made ({0}). Nothing was changed.")]
    Damaged(String),
    #[error("This backup was made by a newer Fieldkit (schema {found}, this app knows {supported}). Update Fieldkit to restore it; nothing was changed.")]
    TooNew { found: i64, supported: i64 },
    #[error("This backup was made by a newer Fieldkit (backup format {found}, this app reads {supported}). Update Fieldkit to restore it; nothing was changed.")]
    FormatTooNew { found: u32, supported: u32 },
    #[error("{0}")]
    Busy(String),
}

impl From<BackupError> for crate::ErrorPayload {
    fn from(error: BackupError) -> Self {
        crate::ErrorPayload::internal(error.to_string())
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// The first entry of every backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupManifest {
    pub format: String,
    pub format_version: u32,
    pub app_version: String,
    /// The database's `user_version`.
    pub schema_version: i64,
    pub created_at: DateTime<Utc>,
    pub files: Vec<BackupFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupFile {
    /// `fieldkit.db` or `exports/<name>`.
    pub path: String,
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// A backup just written, for the UI.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupSummary {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Files of `exports/` in it.
    pub exports: u32,
    pub schema_version: i64,
    pub created_at: DateTime<Utc>,
}

/// A restore done, for the UI.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RestoreOutcome {
    pub restored_from: String,
    pub backup_created_at: DateTime<Utc>,
    pub backup_app_version: String,
    /// The schema the backup was made with; migrated up to `schema_version`.
    pub backup_schema_version: i64,
    pub schema_version: i64,
    pub exports: u32,
    /// The folder the data in place before the restore was moved to.
    pub kept_aside_at: String,
    /// What the restore means for secrets (the keychain of another computer).
    pub secrets_note: Option<String>,
}

/// Where the data lives, for Settings.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DataLocation {
    pub data_dir: String,
    pub database_path: String,
    /// The database with its WAL.
    #[ts(type = "number")]
    pub database_bytes: u64,
    pub exports_dir: String,
    pub exports: u32,
}

pub fn data_location(data_dir: &Path) -> DataLocation {
    let database = database_path(data_dir);
    let size = |path: PathBuf| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let database_bytes = size(database.clone()) + size(PathBuf::from(format!("{}-wal", database.display())));
    DataLocation {
        data_dir: data_dir.display().to_string(),
        database_path: database.display().to_string(),
        database_bytes,
        exports_dir: data_dir.join(EXPORTS_DIR).display().to_string(),
        exports: export_files(data_dir).map(|files| u32::try_from(files.len()).unwrap_or(u32::MAX)).unwrap_or(0),
    }
}

/// A suggested file name for a backup made at `now`.
pub fn suggested_name(now: DateTime<Utc>) -> String {
    format!("fieldkit-backup-{}.{BACKUP_EXTENSION}", now.format("%Y-%m-%d-%H%M"))
}

/// A temporary file removed when dropped (unless it was moved away).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

fn nonce() -> String {
    crate::vault::random_bytes::<6>().iter().map(|b| format!("{b:02x}")).collect()
}

/// Copies the database of `data_dir` to `target` with the online backup API
/// (see the module's documentation) and returns its schema version.
fn copy_database(source_path: &Path, target: &Path) -> Result<i64, BackupError> {
    let source =
        Connection::open_with_flags(source_path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    source.busy_timeout(Duration::from_secs(5))?;
    // One read snapshot for the whole copy: the backup steps inside it, so a
    // commit by another connection between two steps neither restarts the
    // copy nor mixes two states; in WAL mode the writer is not held up.
    source.execute_batch("BEGIN DEFERRED")?;
    source.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0))?;
    files::create_private(target).map_err(io(format!("Could not create {}", target.display())))?;
    let mut copy = Connection::open(target)?;
    {
        let backup = Backup::new(&source, &mut copy)?;
        let started = Instant::now();
        loop {
            match backup.step(PAGES_PER_STEP)? {
                StepResult::Done => break,
                StepResult::More => std::thread::yield_now(),
                StepResult::Busy | StepResult::Locked => {
                    if started.elapsed() > Duration::from_secs(120) {
                        return Err(BackupError::Busy("The database stayed busy; try the backup again.".into()));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
    source.execute_batch("COMMIT")?;
    drop(source);
    // A self-contained file (no WAL beside it) that any SQLite tool opens.
    let _mode: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get(0))?;
    let version: i64 = copy.pragma_query_value(None, "user_version", |row| row.get(0))?;
    copy.close().map_err(|(_, error)| error)?;
    Ok(version)
}

fn sha256_of(path: &Path) -> Result<(u64, String), BackupError> {
    let mut file = std::fs::File::open(path).map_err(io(format!("Could not read {}", path.display())))?;
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher).map_err(io(format!("Could not read {}", path.display())))?;
    Ok((size, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The files of `exports/` a backup holds: regular files directly in it, not
/// hidden (a temporary file of a write in progress), not links.
fn export_files(data_dir: &Path) -> Result<Vec<(String, PathBuf)>, BackupError> {
    let folder = data_dir.join(EXPORTS_DIR);
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io(format!("Could not list {}", folder.display()))(error)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(format!("Could not list {}", folder.display())))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        let is_file = entry.file_type().map(|kind| kind.is_file()).unwrap_or(false);
        if is_file && !name.starts_with('.') && files::safe_file_name(&name) == name {
            found.push((name, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

fn tar_header(size: u64, created_at: DateTime<Utc>) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(u64::try_from(created_at.timestamp()).unwrap_or(0));
    header
}

/// Backs up the data of `data_dir` (the database and `exports/`) into one
/// archive at `destination`, written whole or not at all, owner-only.
/// Safe while the app and its sync write: see the module's documentation.
pub fn create_backup(data_dir: &Path, destination: &Path, now: DateTime<Utc>) -> Result<BackupSummary, BackupError> {
    let database = database_path(data_dir);
    if !database.exists() {
        return Err(BackupError::NothingToBackUp);
    }
    let copy = TempFile(data_dir.join(format!(".backup-{}.db", nonce())));
    let schema_version = copy_database(&database, &copy.0)?;
    let exports = export_files(data_dir)?;

    let mut listed = Vec::with_capacity(exports.len() + 1);
    let (size, sha256) = sha256_of(&copy.0)?;
    listed.push((BackupFile { path: DATABASE_FILE.into(), size, sha256 }, copy.0.clone()));
    for (name, path) in &exports {
        let (size, sha256) = sha256_of(path)?;
        listed.push((BackupFile { path: format!("{EXPORTS_DIR}/{name}"), size, sha256 }, path.clone()));
    }
    let manifest = BackupManifest {
        format: BACKUP_FORMAT.into(),
        format_version: BACKUP_FORMAT_VERSION,
        app_version: env!("CARGO_PKG_VERSION").into(),
        schema_version,
        created_at: now,
        files: listed.iter().map(|(file, _)| file.clone()).collect(),
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(|error| BackupError::Io {
        what: "Could not write the manifest".into(),
        source: std::io::Error::other(error),
    })?;

    files::write_atomically_with(destination, |file| {
        let mut builder = tar::Builder::new(std::io::BufWriter::new(file));
        builder.mode(tar::HeaderMode::Deterministic);
        builder.append_data(&mut tar_header(manifest_bytes.len() as u64, now), MANIFEST_ENTRY, &manifest_bytes[..])?;
        for (entry, path) in &listed {
            let mut source = std::fs::File::open(path)?;
            // The size hashed is the size written: a file changed since is caught here.
            if source.metadata()?.len() != entry.size {
                return Err(std::io::Error::other(format!("{} changed during the backup; try again", entry.path)));
            }
            builder.append_data(&mut tar_header(entry.size, now), &entry.path, &mut source)?;
        }
        let mut writer = builder.into_inner()?;
        writer.flush()
    })
    .map_err(|error| match error {
        files::FileError::Io { path, source } => {
            BackupError::Io { what: format!("Could not write {}", path.display()), source }
        }
        other => BackupError::Io {
            what: "Could not write the backup".into(),
            source: std::io::Error::other(other.to_string()),
        },
    })?;
    let bytes = std::fs::metadata(destination).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary {
        path: destination.display().to_string(),
        bytes,
        exports: u32::try_from(exports.len()).unwrap_or(u32::MAX),
        schema_version,
        created_at: now,
    })
}

/// A backup unpacked and checked in a staging folder of the data folder
/// (same file system, so putting it in place is a rename). The folder is
/// removed when this is dropped.
#[derive(Debug)]
pub struct StagedRestore {
    dir: PathBuf,
    pub manifest: BackupManifest,
    pub archive: PathBuf,
}

impl StagedRestore {
    pub fn database(&self) -> PathBuf {
        self.dir.join(DATABASE_FILE)
    }

    pub fn exports(&self) -> PathBuf {
        self.dir.join(EXPORTS_DIR)
    }

    pub fn export_count(&self) -> u32 {
        let count = self.manifest.files.iter().filter(|file| file.path != DATABASE_FILE).count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }
}

impl Drop for StagedRestore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where a manifest's path goes in the staging folder; `None` for a path a
/// backup never holds (anything that could leave the folder among them).
fn staged_path(dir: &Path, path: &str) -> Option<PathBuf> {
    if path == DATABASE_FILE {
        return Some(dir.join(DATABASE_FILE));
    }
    let name = path.strip_prefix(EXPORTS_DIR)?.strip_prefix('/')?;
    (!name.is_empty() && !name.starts_with('.') && files::safe_file_name(name) == name)
        .then(|| dir.join(EXPORTS_DIR).join(name))
}

fn read_manifest(bytes: &[u8]) -> Result<BackupManifest, BackupError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| BackupError::Damaged("its manifest cannot be read".into()))?;
    if value.get("format").and_then(|format| format.as_str()) != Some(BACKUP_FORMAT) {
        return Err(BackupError::NotABackup("its manifest is not a Fieldkit one".into()));
    }
    if let Some(found) = value.get("format_version").and_then(serde_json::Value::as_u64) {
        if found > u64::from(BACKUP_FORMAT_VERSION) {
            return Err(BackupError::FormatTooNew {
                found: u32::try_from(found).unwrap_or(u32::MAX),
                supported: BACKUP_FORMAT_VERSION,
            });
        }
    }
    let manifest: BackupManifest = serde_json::from_value(value)
        .map_err(|error| BackupError::Damaged(format!("its manifest is incomplete: {error}")))?;
    if manifest.schema_version > SCHEMA_VERSION {
        return Err(BackupError::TooNew { found: manifest.schema_version, supported: SCHEMA_VERSION });
    }
    if manifest.files.iter().filter(|file| file.path == DATABASE_FILE).count() != 1 {
        return Err(BackupError::Damaged("its manifest does not list one database".into()));
    }
    let mut paths: Vec<&str> = manifest.files.iter().map(|file| file.path.as_str()).collect();
    paths.sort_unstable();
    if paths.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(BackupError::Damaged("its manifest lists a file twice".into()));
    }
    Ok(manifest)
}

/// Whether `len` bytes at `offset` of `file` are all zero.
fn zeros_at(file: &mut std::fs::File, offset: u64, len: u64) -> std::io::Result<bool> {
    file.seek(SeekFrom::Start(offset))?;
    let mut left = len;
    let mut buffer = [0u8; 8192];
    while left > 0 {
        let want = usize::try_from(left.min(buffer.len() as u64)).unwrap_or(buffer.len());
        file.read_exact(&mut buffer[..want])?;
        if buffer[..want].iter().any(|&b| b != 0) {
            return Ok(false);
        }
        left -= want as u64;
    }
    Ok(true)
}

/// Unpacks `archive` into a staging folder of `data_dir` and checks all of
/// it. Nothing outside the staging folder is touched; any refusal removes it.
pub fn stage_restore(data_dir: &Path, archive: &Path) -> Result<StagedRestore, BackupError> {
    let damaged = |what: &str| BackupError::Damaged(what.to_string());
    let file = std::fs::File::open(archive).map_err(io(format!("Could not open {}", archive.display())))?;
    let archive_len = file.metadata().map_err(io(format!("Could not read {}", archive.display())))?.len();
    if archive_len < 3 * BLOCK {
        return Err(BackupError::NotABackup("it is too short".into()));
    }

    let mut reader = tar::Archive::new(std::io::BufReader::new(file));
    let mut entries = reader.entries().map_err(|_| BackupError::NotABackup("it is not a tar archive".into()))?;
    // (start of data, size) of every entry, for the check of the bytes between.
    let mut spans: Vec<(u64, u64)> = Vec::new();

    let first = entries
        .next()
        .ok_or_else(|| BackupError::NotABackup("it is empty".into()))?
        .map_err(|_| BackupError::NotABackup("it is not a tar archive".into()))?;
    let is_manifest = first.path_bytes().as_ref() == MANIFEST_ENTRY.as_bytes()
        && first.header().entry_type() == tar::EntryType::Regular;
    if !is_manifest {
        return Err(BackupError::NotABackup("it does not start with a Fieldkit manifest".into()));
    }
    if first.size() > MAX_MANIFEST_BYTES {
        return Err(damaged("its manifest is too large"));
    }
    spans.push((first.raw_file_position(), first.size()));
    let mut manifest_bytes = Vec::new();
    let mut first = first;
    first.read_to_end(&mut manifest_bytes).map_err(|_| damaged("it ends inside the manifest"))?;
    let manifest = read_manifest(&manifest_bytes)?;

    files::private_dir(data_dir).map_err(io(format!("Could not use {}", data_dir.display())))?;
    let dir = data_dir.join(format!(".restore-{}", nonce()));
    // Removed again by the drop of `staged` on any refusal below.
    let staged = StagedRestore { dir, manifest, archive: archive.to_path_buf() };
    files::private_dir(&staged.exports()).map_err(io(format!("Could not create {}", staged.dir.display())))?;

    let mut seen = std::collections::HashSet::new();
    for entry in entries {
        let mut entry = entry.map_err(|error| BackupError::Damaged(format!("an entry cannot be read: {error}")))?;
        let path =
            String::from_utf8(entry.path_bytes().into_owned()).map_err(|_| damaged("an entry has a foreign name"))?;
        let listed = staged
            .manifest
            .files
            .iter()
            .find(|file| file.path == path)
            .cloned()
            .ok_or_else(|| BackupError::Damaged(format!("{path:?} is not in its manifest")))?;
        let target = staged_path(&staged.dir, &path)
            .ok_or_else(|| BackupError::Damaged(format!("{path:?} is not a file a backup holds")))?;
        if entry.header().entry_type() != tar::EntryType::Regular || !seen.insert(path.clone()) {
            return Err(BackupError::Damaged(format!("{path:?} is not one plain file")));
        }
        if entry.size() != listed.size {
            return Err(BackupError::Damaged(format!("{path} has another size than its manifest says")));
        }
        spans.push((entry.raw_file_position(), entry.size()));
        let mut out = files::create_private(&target).map_err(io(format!("Could not create {}", target.display())))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let read = entry.read(&mut buffer).map_err(|_| BackupError::Damaged(format!("it ends inside {path}")))?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            out.write_all(&buffer[..read]).map_err(io(format!("Could not write {}", target.display())))?;
            total += read as u64;
        }
        out.sync_all().map_err(io(format!("Could not write {}", target.display())))?;
        if total != listed.size {
            return Err(BackupError::Damaged(format!("it ends inside {path}")));
        }
        if hex(&hasher.finalize()) != listed.sha256 {
            return Err(BackupError::Damaged(format!("{path} does not match its checksum")));
        }
    }
    if let Some(missing) = staged.manifest.files.iter().find(|file| !seen.contains(&file.path)) {
        return Err(BackupError::Damaged(format!("{} is missing; the file may be cut short", missing.path)));
    }

    // Every byte is accounted for: the padding after each entry and the end
    // of the archive are zeros, and the two closing blocks are there.
    let mut raw = std::fs::File::open(archive).map_err(io(format!("Could not open {}", archive.display())))?;
    let mut end = 0;
    for (start, size) in spans {
        let data_end = start + size;
        let padded = data_end.div_ceil(BLOCK) * BLOCK;
        if padded > archive_len || !zeros_at(&mut raw, data_end, padded - data_end).unwrap_or(false) {
            return Err(damaged("it holds bytes that are not part of any file"));
        }
        end = end.max(padded);
    }
    if archive_len < end + 2 * BLOCK {
        return Err(damaged("its end is missing; the file may be cut short"));
    }
    if !zeros_at(&mut raw, end, archive_len - end).unwrap_or(false) {
        return Err(damaged("it holds bytes after its end"));
    }

    check_database(&staged.database(), &staged.manifest)?;
    Ok(staged)
}

/// The database of a staged backup opens, passes `integrity_check`, is a
/// Fieldkit database and has the schema version its manifest says.
fn check_database(path: &Path, manifest: &BackupManifest) -> Result<(), BackupError> {
    let unreadable = |error: rusqlite::Error| BackupError::Damaged(format!("its database cannot be read: {error}"));
    let connection = Connection::open(path).map_err(unreadable)?;
    let results: Vec<String> = (|| {
        let mut statement = connection.prepare("PRAGMA integrity_check(5)")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })()
    .map_err(unreadable)?;
    if results != ["ok"] {
        return Err(BackupError::Damaged(format!("its database fails the integrity check: {}", results.join("; "))));
    }
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(unreadable)?;
    if version > SCHEMA_VERSION {
        return Err(BackupError::TooNew { found: version, supported: SCHEMA_VERSION });
    }
    if version != manifest.schema_version {
        return Err(BackupError::Damaged("its database's schema is not the one its manifest says".into()));
    }
    let fieldkit: bool = connection
        .query_row("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'customers'", [], |row| {
            row.get(0)
        })
        .map_err(unreadable)?;
    if version < 1 || !fieldkit {
        return Err(BackupError::NotABackup("its database is not a Fieldkit database".into()));
    }
    connection.close().map_err(|(_, error)| unreadable(error))?;
    Ok(())
}

/// Puts a staged backup in place of the current data, which is moved into
/// `before-restore-<time>/` in `data_dir` first (returned). The database
/// must be closed. A failure moves everything back as it was.
pub fn swap_in(data_dir: &Path, staged: &StagedRestore, now: DateTime<Utc>) -> Result<PathBuf, BackupError> {
    let kept = crate::data_dir::move_data_aside(data_dir, "before-restore", now)
        .map_err(io("Could not move the current data aside; nothing was changed"))?;
    let database = database_path(data_dir);
    let exports = data_dir.join(EXPORTS_DIR);
    let placed =
        std::fs::rename(staged.database(), &database).and_then(|()| std::fs::rename(staged.exports(), &exports));
    if let Err(error) = placed {
        let _ = std::fs::remove_file(&database);
        let _ = std::fs::remove_dir_all(&exports);
        let _ = crate::data_dir::move_data_back(&kept, data_dir);
        return Err(io("Could not put the backup in place; the current data was kept")(error));
    }
    Ok(kept)
}

/// Undoes [`swap_in`] (the restored database would not open): the restored
/// files are removed and the data kept aside comes back.
pub fn swap_back(data_dir: &Path, kept: &Path) -> std::io::Result<()> {
    let database = database_path(data_dir);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    let _ = std::fs::remove_dir_all(data_dir.join(EXPORTS_DIR));
    crate::data_dir::move_data_back(kept, data_dir)
}

/// Removes what a backup or restore cut short (the app quit or crashed
/// midway) left in `data_dir`: `.backup-<random>.db` copies and
/// `.restore-<random>/` staging folders. Only these names, made by this
/// module, are touched; the app calls it at start, before anything runs.
pub fn remove_leftovers(data_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(data_dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let removed = if name.starts_with(".restore-") && entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            std::fs::remove_dir_all(&path)
        } else if name.starts_with(".backup-") && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            std::fs::remove_file(&path)
        } else {
            continue;
        };
        if let Err(error) = removed {
            eprintln!("fieldkit: could not remove {}: {error}", path.display());
        }
    }
}

/// Takes the data folder's sync lock (`sync.lock`, the one every sync cycle
/// and Slack round holds), waiting up to `wait` for a cycle to finish.
pub fn take_sync_lock(data_dir: &Path, wait: Duration) -> Result<std::fs::File, BackupError> {
    let path = data_dir.join("sync.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io(format!("Could not open {}", path.display())))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(BackupError::Busy(
                    "A sync is still running; restore again when it has finished. Nothing was changed.".into(),
                ))
            }
            Err(std::fs::TryLockError::Error(error)) => {
                return Err(io(format!("Could not lock {}", path.display()))(error))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_a_cut_short_backup_or_restore_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".restore-abc/exports")).unwrap();
        std::fs::write(dir.path().join(".restore-abc/fieldkit.db"), b"x").unwrap();
        std::fs::write(dir.path().join(".backup-abc.db"), b"x").unwrap();
        std::fs::write(dir.path().join(".backup-abc.db-journal"), b"x").unwrap();
        std::fs::write(dir.path().join("fieldkit.db"), b"keep").unwrap();
        std::fs::create_dir_all(dir.path().join("before-restore-20261124-093000")).unwrap();
        remove_leftovers(dir.path());
        let mut names: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["before-restore-20261124-093000", "fieldkit.db"]);
    }

    #[test]
    fn only_the_database_and_plain_export_names_have_a_place() {
        let dir = Path::new("/stage");
        assert_eq!(staged_path(dir, "fieldkit.db"), Some(dir.join("fieldkit.db")));
        assert_eq!(staged_path(dir, "exports/a.csv"), Some(dir.join("exports/a.csv")));
        for bad in [
            "exports/../fieldkit.db",
            "exports/",
            "exports/.x.tmp",
            "exports/a/b",
            "../x",
            "/etc/passwd",
            "x.db",
            "exportsx",
        ] {
            assert_eq!(staged_path(dir, bad), None, "{bad}");
        }
    }

    #[test]
    fn a_manifest_from_a_newer_fieldkit_or_another_program_is_refused() {
        let newer = format!(
            r#"{{"format":"fieldkit-backup","format_version":1,"app_version":"9","schema_version":{},"created_at":"2026-01-01T00:00:00Z","files":[{{"path":"fieldkit.db","size":1,"sha256":"x"}}]}}"#,
            SCHEMA_VERSION + 1
        );
        let error = read_manifest(newer.as_bytes()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "This backup was made by a newer Fieldkit (schema {}, this app knows {SCHEMA_VERSION}). Update Fieldkit to restore it; nothing was changed.",
                SCHEMA_VERSION + 1
            )
        );
        assert!(matches!(read_manifest(br#"{"format":"other"}"#), Err(BackupError::NotABackup(_))));
        assert!(matches!(
            read_manifest(br#"{"format":"fieldkit-backup","format_version":7}"#),
            Err(BackupError::FormatTooNew { found: 7, .. })
        ));
        assert!(matches!(read_manifest(b"\x00garbage"), Err(BackupError::Damaged(_))));
    }
}
