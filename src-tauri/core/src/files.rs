//! Files Fieldkit writes outside SQLite (exports, PDFs) and the permissions
//! of its own: the data folder is the owner's alone (0700 on Unix), the
//! database and every exported file too (0600). Customer details and change
//! logs must not be readable by other accounts on a shared machine.
//!
//! An export is written whole or not at all (a temporary file in the same
//! folder, flushed, then renamed over), under a name that cannot leave the
//! exports folder: names are built from PSA data (ticket numbers), which is
//! not trusted to be free of `/`, `..` or control characters.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Longest file name kept (many file systems allow 255 bytes).
const MAX_NAME_CHARS: usize = 120;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("Could not write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("The file name {0:?} would leave the exports folder.")]
    Outside(String),
}

impl From<FileError> for crate::ErrorPayload {
    fn from(error: FileError) -> Self {
        crate::ErrorPayload::internal(error.to_string())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io { path: path.to_path_buf(), source }
}

/// Creates `dir` if needed and makes it the owner's alone. A shared folder
/// with the sticky bit (such as `/tmp`, should someone point the data folder
/// there) is left as it is: it is not ours to close.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o1000 == 0 && mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Makes an existing file the owner's alone (0600 on Unix); a missing file
/// is fine (a WAL that does not exist yet).
pub fn restrict_to_owner(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Opens a new file that only the owner can read (0600 on Unix from its
/// creation, so there is no moment it is readable by others).
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates an empty file at `path` with owner-only permissions unless one
/// exists (an empty file is an empty SQLite database; SQLite gives its WAL
/// and shared-memory files the database file's permissions).
pub fn create_private_if_missing(path: &Path) -> std::io::Result<()> {
    match create_private(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// A file name from untrusted parts: no path separators, no `..`, no control
/// characters, no leading dot (hidden file), not empty, not too long.
pub fn safe_file_name(raw: &str) -> String {
    let mapped: String = raw
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') { '-' } else { c })
        .collect();
    let mut name = mapped;
    while name.contains("..") {
        name = name.replace("..", ".");
    }
    let name = name.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let name: String = name.chars().take(MAX_NAME_CHARS).collect();
    if name.is_empty() {
        "export".into()
    } else {
        name
    }
}

/// Whether `path` names a file directly inside `folder`, both resolved
/// (symbolic links, `..`) by the file system.
pub fn is_directly_inside(folder: &Path, path: &Path) -> bool {
    let (Ok(folder), Some(parent), Some(_)) = (folder.canonicalize(), path.parent(), path.file_name()) else {
        return false;
    };
    parent.canonicalize().is_ok_and(|parent| parent == folder)
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it
/// (owner-only), flushed to the disk, renamed over `path`, and the folder
/// flushed so the rename itself survives a power cut.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// Like [`write_atomically`], for content written by `fill` (a stream too
/// large to hold in memory, such as a backup archive).
pub fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), FileError> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let stem = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let nonce: String = crate::vault::random_bytes::<6>().iter().map(|b| format!("{b:02x}")).collect();
    let temporary = folder.join(format!(".{stem}.{nonce}.tmp"));
    let written = (|| {
        let mut file = create_private(&temporary)?;
        fill(&mut file)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(FileError::Io { path: path.to_path_buf(), source });
    }
    // A file kept over by an older Fieldkit may have been readable by others.
    restrict_to_owner(path).map_err(io(path))?;
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        // Best effort: some file systems do not flush folders.
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Writes an export into `folder` (made private if new) under a sanitised
/// `name`, refusing any name that would land elsewhere. Returns its path.
pub fn write_export(folder: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, FileError> {
    private_dir(folder).map_err(io(folder))?;
    let name = safe_file_name(name);
    let path = folder.join(&name);
    if !is_directly_inside(folder, &path) {
        return Err(FileError::Outside(name));
    }
    write_atomically(&path, bytes)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_from_psa_data_cannot_leave_the_folder() {
        assert_eq!(safe_file_name("OSSR-T20261123.0001-ab12cd34.pdf"), "OSSR-T20261123.0001-ab12cd34.pdf");
        assert_eq!(safe_file_name("OSSR-../../etc/passwd.pdf"), "OSSR-.-.-etc-passwd.pdf");
        assert_eq!(safe_file_name("..\\..\\boot.ini"), "-.-boot.ini");
        assert_eq!(safe_file_name("../x"), "-x");
        assert_eq!(safe_file_name(".."), "export");
        assert_eq!(safe_file_name("a\u{0}b\nc\u{7f}.csv"), "abc.csv");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name("   "), "export");
        assert_eq!(safe_file_name(&"x".repeat(500)).chars().count(), MAX_NAME_CHARS);
        for raw in ["a/b", "..", "../..", "a/../b", "C:\\x", "\u{1b}[31m"] {
            let name = safe_file_name(raw);
            assert!(!name.contains('/') && !name.contains('\\') && !name.contains(".."), "{raw:?} → {name:?}");
            assert!(!name.chars().any(char::is_control));
        }
    }

    #[test]
    fn an_export_is_written_whole_inside_the_folder_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let exports = dir.path().join("exports");
        let path = write_export(&exports, "../changes-1.csv", b"a,b\n").unwrap();
        assert_eq!(path.parent().unwrap(), exports);
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n");
        // Written again: replaced whole, no temporary file left behind.
        write_export(&exports, "../changes-1.csv", b"c,d\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"c,d\n");
        let names: Vec<_> = std::fs::read_dir(&exports).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(!dir.path().join("changes-1.csv").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&exports), 0o700);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_out_of_the_folder_is_not_inside() {
        let dir = tempfile::tempdir().unwrap();
        let exports = dir.path().join("exports");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&exports).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, exports.join("link")).unwrap();
        assert!(!is_directly_inside(&exports, &exports.join("link").join("x.pdf")));
        assert!(!is_directly_inside(&exports, &exports.join("..").join("x.pdf")));
        assert!(is_directly_inside(&exports, &exports.join("x.pdf")));
    }

    #[cfg(unix)]
    #[test]
    fn the_data_folder_becomes_private_but_a_shared_sticky_folder_is_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&data).unwrap();
        assert_eq!(std::fs::metadata(&data).unwrap().permissions().mode() & 0o7777, 0o700);
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        private_dir(&shared).unwrap();
        assert_eq!(std::fs::metadata(&shared).unwrap().permissions().mode() & 0o7777, 0o1777);
    }
}
