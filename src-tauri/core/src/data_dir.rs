//! Where Fieldkit keeps its data, and what happens to a database that cannot
//! be opened: it is moved aside, never overwritten.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// Overrides the OS app-data folder (tests, portable use).
pub const DATA_DIR_VARIABLE: &str = "FIELDKIT_DATA_DIR";
pub const DATABASE_FILE: &str = "fieldkit.db";

/// `FIELDKIT_DATA_DIR` when set and not empty, else the OS's app-data folder.
pub fn resolve_data_dir(os_app_data_dir: Option<PathBuf>) -> Option<PathBuf> {
    std::env::var_os(DATA_DIR_VARIABLE).filter(|value| !value.is_empty()).map(PathBuf::from).or(os_app_data_dir)
}

/// The OS app-data folder the app uses (Tauri's `app_data_dir` for the
/// identifier `com.fieldkit.app`), found without a window: for the
/// command-line `fieldkit verify`.
pub fn os_app_data_dir() -> Option<PathBuf> {
    const IDENTIFIER: &str = "com.fieldkit.app";
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let base = if cfg!(target_os = "windows") {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home.map(|home| home.join("Library/Application Support"))
    } else {
        std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).or_else(|| home.map(|home| home.join(".local/share")))
    };
    base.map(|base| base.join(IDENTIFIER))
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}

/// Renames the database (and its WAL and shared-memory files) to
/// `fieldkit.db.unreadable-<time>` beside it and returns the new path, so a
/// fresh database can be started while the old one is kept for recovery.
pub fn move_database_aside(database: &Path, now: DateTime<Utc>) -> std::io::Result<PathBuf> {
    let stamp = now.format("%Y%m%d-%H%M%S");
    let file_name = database.file_name().and_then(|name| name.to_str()).unwrap_or(DATABASE_FILE);
    let mut target = database.with_file_name(format!("{file_name}.unreadable-{stamp}"));
    let mut attempt = 1;
    while target.exists() {
        attempt += 1;
        target = database.with_file_name(format!("{file_name}.unreadable-{stamp}-{attempt}"));
    }
    move_database_files(database, &target)?;
    Ok(target)
}

/// Renames a database with its `-wal` and `-shm` files to `target`.
pub fn move_database_files(database: &Path, target: &Path) -> std::io::Result<()> {
    for suffix in ["-wal", "-shm"] {
        let companion = PathBuf::from(format!("{}{suffix}", database.display()));
        if companion.exists() {
            std::fs::rename(&companion, format!("{}{suffix}", target.display()))?;
        }
    }
    std::fs::rename(database, target)
}

/// The name of the folder the exports are written to, beside the database.
pub const EXPORTS_DIR: &str = "exports";

/// Moves the current data — the database with its `-wal`/`-shm` files and
/// the `exports/` folder — into a new private folder `<label>-<time>` in
/// `data_dir` and returns that folder. Nothing is deleted; a failure midway
/// moves back what had moved.
pub fn move_data_aside(data_dir: &Path, label: &str, now: DateTime<Utc>) -> std::io::Result<PathBuf> {
    let stamp = now.format("%Y%m%d-%H%M%S");
    let mut folder = data_dir.join(format!("{label}-{stamp}"));
    let mut attempt = 1;
    while folder.exists() {
        attempt += 1;
        folder = data_dir.join(format!("{label}-{stamp}-{attempt}"));
    }
    crate::files::private_dir(&folder)?;
    let database = database_path(data_dir);
    let kept_database = folder.join(DATABASE_FILE);
    if database.exists() {
        move_database_files(&database, &kept_database)?;
    }
    let exports = data_dir.join(EXPORTS_DIR);
    if exports.exists() {
        if let Err(error) = std::fs::rename(&exports, folder.join(EXPORTS_DIR)) {
            if kept_database.exists() {
                let _ = move_database_files(&kept_database, &database);
            }
            return Err(error);
        }
    }
    Ok(folder)
}

/// Undoes [`move_data_aside`]: the database and `exports/` kept in `folder`
/// go back into `data_dir` (whatever is there now must have been removed).
pub fn move_data_back(folder: &Path, data_dir: &Path) -> std::io::Result<()> {
    let kept_database = folder.join(DATABASE_FILE);
    if kept_database.exists() {
        move_database_files(&kept_database, &database_path(data_dir))?;
    }
    let kept_exports = folder.join(EXPORTS_DIR);
    if kept_exports.exists() {
        std::fs::rename(kept_exports, data_dir.join(EXPORTS_DIR))?;
    }
    std::fs::remove_dir(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_aside_keeps_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let database = database_path(dir.path());
        std::fs::write(&database, b"damaged").unwrap();
        std::fs::write(dir.path().join("fieldkit.db-wal"), b"wal").unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc);
        let moved = move_database_aside(&database, now).unwrap();
        assert!(!database.exists());
        assert_eq!(moved.file_name().unwrap(), "fieldkit.db.unreadable-20261123-100000");
        assert_eq!(std::fs::read(&moved).unwrap(), b"damaged");
        assert_eq!(std::fs::read(dir.path().join("fieldkit.db.unreadable-20261123-100000-wal")).unwrap(), b"wal");

        std::fs::write(&database, b"again").unwrap();
        let second = move_database_aside(&database, now).unwrap();
        assert_ne!(second, moved);
        assert_eq!(std::fs::read(&second).unwrap(), b"again");
    }

    #[test]
    fn data_moved_aside_keeps_the_database_and_exports_and_can_come_back() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(database_path(dir.path()), b"db").unwrap();
        std::fs::write(dir.path().join("fieldkit.db-wal"), b"wal").unwrap();
        std::fs::create_dir(dir.path().join(EXPORTS_DIR)).unwrap();
        std::fs::write(dir.path().join(EXPORTS_DIR).join("a.csv"), b"a").unwrap();
        std::fs::write(dir.path().join("sync.lock"), b"").unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc);
        let folder = move_data_aside(dir.path(), "before-restore", now).unwrap();
        assert_eq!(folder.file_name().unwrap(), "before-restore-20261123-100000");
        assert!(!database_path(dir.path()).exists() && !dir.path().join(EXPORTS_DIR).exists());
        assert!(dir.path().join("sync.lock").exists(), "only the data moves");
        assert_eq!(std::fs::read(folder.join("fieldkit.db")).unwrap(), b"db");
        assert_eq!(std::fs::read(folder.join("fieldkit.db-wal")).unwrap(), b"wal");
        assert_eq!(std::fs::read(folder.join("exports/a.csv")).unwrap(), b"a");
        assert_ne!(move_data_aside(dir.path(), "before-restore", now).unwrap(), folder, "a second one gets its own");

        move_data_back(&folder, dir.path()).unwrap();
        assert_eq!(std::fs::read(database_path(dir.path())).unwrap(), b"db");
        assert_eq!(std::fs::read(dir.path().join("exports/a.csv")).unwrap(), b"a");
        assert!(!folder.exists());
    }
}
