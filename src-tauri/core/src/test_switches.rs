//! Switches the end-to-end tests use to steer the app: moving its clock,
//! recording the links it would open (directions, remote tools,
//! click-to-call) in a file instead of launching another app, and answering
//! its Save/Open dialogs from a file (`FIELDKIT_DIALOG_ANSWER`). They are bounded, and a release build ignores them unless
//! `FIELDKIT_TEST_SWITCHES=1` is set too, so a stray variable on a
//! technician's laptop cannot move dates on time entries or seals.

/// Moves the app's clock by this many minutes (tests that cross restarts).
pub const CLOCK_OFFSET_VARIABLE: &str = "FIELDKIT_CLOCK_OFFSET_MINUTES";
/// Must be `1` for a release build to honour the switches.
pub const SWITCHES_VARIABLE: &str = "FIELDKIT_TEST_SWITCHES";
/// A file the links the app opens are appended to (one a line) instead of
/// being handed to the system opener.
pub const OPEN_LOG_VARIABLE: &str = "FIELDKIT_OPEN_LOG";
/// A file holding the answer to the next Save or Open dialog (its first
/// line: the path chosen; missing or empty: cancelled), read instead of
/// showing the native dialog, which a WebDriver session cannot reach.
pub const DIALOG_ANSWER_VARIABLE: &str = "FIELDKIT_DIALOG_ANSWER";
/// The furthest the clock can be moved, either way: seven days.
pub const MAX_CLOCK_OFFSET_MINUTES: i64 = 7 * 24 * 60;

/// Whether test switches apply: always in a debug build, in a release build
/// only with `FIELDKIT_TEST_SWITCHES=1`.
pub fn switches_enabled(debug_build: bool, switches: Option<&str>) -> bool {
    debug_build || switches.map(str::trim) == Some("1")
}

/// The clock offset from the variable's text, or why it is ignored.
pub fn clock_offset(text: Option<&str>, enabled: bool) -> Result<chrono::Duration, String> {
    let Some(text) = text.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(chrono::Duration::zero());
    };
    if !enabled {
        return Err(format!("{CLOCK_OFFSET_VARIABLE} is ignored: set {SWITCHES_VARIABLE}=1 to use test switches"));
    }
    let minutes: i64 = text.parse().map_err(|_| format!("{CLOCK_OFFSET_VARIABLE}={text:?} is not a whole number"))?;
    if minutes.abs() > MAX_CLOCK_OFFSET_MINUTES {
        return Err(format!(
            "{CLOCK_OFFSET_VARIABLE}={minutes} is ignored: at most {MAX_CLOCK_OFFSET_MINUTES} minutes either way"
        ));
    }
    Ok(chrono::Duration::minutes(minutes))
}

/// The clock offset from the environment, announcing an ignored one on stderr.
pub fn clock_offset_from_env() -> chrono::Duration {
    let enabled = switches_enabled(cfg!(debug_assertions), std::env::var(SWITCHES_VARIABLE).ok().as_deref());
    clock_offset(std::env::var(CLOCK_OFFSET_VARIABLE).ok().as_deref(), enabled).unwrap_or_else(|reason| {
        eprintln!("fieldkit: {reason}");
        chrono::Duration::zero()
    })
}

/// Where links are recorded instead of opened, when the switch applies.
pub fn open_log(text: Option<&str>, enabled: bool) -> Option<std::path::PathBuf> {
    let text = text.map(str::trim).filter(|text| !text.is_empty())?;
    enabled.then(|| std::path::PathBuf::from(text))
}

/// The open log from the environment (see [`open_log`]).
pub fn open_log_from_env() -> Option<std::path::PathBuf> {
    let enabled = switches_enabled(cfg!(debug_assertions), std::env::var(SWITCHES_VARIABLE).ok().as_deref());
    open_log(std::env::var(OPEN_LOG_VARIABLE).ok().as_deref(), enabled)
}

/// The dialog-answer file, when the switch applies (see [`DIALOG_ANSWER_VARIABLE`]).
pub fn dialog_answer_file(text: Option<&str>, enabled: bool) -> Option<std::path::PathBuf> {
    open_log(text, enabled)
}

/// The answer a dialog gets under the switch: `None` = the switch is off
/// (show the real dialog); `Some(None)` = cancelled; `Some(Some(path))`.
pub fn dialog_answer_from_env() -> Option<Option<std::path::PathBuf>> {
    let enabled = switches_enabled(cfg!(debug_assertions), std::env::var(SWITCHES_VARIABLE).ok().as_deref());
    let file = dialog_answer_file(std::env::var(DIALOG_ANSWER_VARIABLE).ok().as_deref(), enabled)?;
    Some(read_dialog_answer(&file))
}

/// The path in the first line of `file`; `None` when it is missing or empty.
pub fn read_dialog_answer(file: &std::path::Path) -> Option<std::path::PathBuf> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| std::path::PathBuf::from(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_offset_is_bounded_and_inert_in_release_builds_without_the_switch() {
        let release = switches_enabled(false, None);
        assert!(!release);
        assert!(!switches_enabled(false, Some("yes")));
        assert!(switches_enabled(false, Some("1")));
        assert!(switches_enabled(true, None));

        assert!(clock_offset(Some("90"), release).is_err(), "a release build ignores it");
        assert_eq!(clock_offset(Some("90"), true).unwrap(), chrono::Duration::minutes(90));
        assert_eq!(clock_offset(Some("-10080"), true).unwrap(), chrono::Duration::minutes(-10_080));
        assert!(clock_offset(Some("10081"), true).is_err());
        assert!(clock_offset(Some("-525600"), true).is_err());
        assert!(clock_offset(Some("99999999999999999999"), true).is_err());
        assert!(clock_offset(Some("soon"), true).is_err());
        assert_eq!(clock_offset(None, false).unwrap(), chrono::Duration::zero());
        assert_eq!(clock_offset(Some(""), false).unwrap(), chrono::Duration::zero());
    }

    #[test]
    fn the_open_log_applies_only_with_the_switches() {
        assert_eq!(open_log(Some("/tmp/opened.txt"), true), Some("/tmp/opened.txt".into()));
        assert_eq!(open_log(Some("/tmp/opened.txt"), false), None);
        assert_eq!(open_log(Some("  "), true), None);
        assert_eq!(open_log(None, true), None);
    }

    #[test]
    fn the_dialog_answer_applies_only_with_the_switches_and_reads_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("answer.txt");
        let text = file.to_str().unwrap();
        assert_eq!(dialog_answer_file(Some(text), false), None, "a release build shows the real dialog");
        assert_eq!(dialog_answer_file(Some(text), true), Some(file.clone()));
        assert_eq!(read_dialog_answer(&file), None, "no file: cancelled");
        std::fs::write(&file, "").unwrap();
        assert_eq!(read_dialog_answer(&file), None, "empty: cancelled");
        std::fs::write(&file, "/tmp/backup.fkbackup\nignored\n").unwrap();
        assert_eq!(read_dialog_answer(&file), Some("/tmp/backup.fkbackup".into()));
    }
}
