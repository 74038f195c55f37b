//! The app's clock: the system's, moved by `FIELDKIT_CLOCK_OFFSET_MINUTES`
//! when set (end-to-end tests move time forward across restarts with it) —
//! at most seven days, and in a release build only with
//! `FIELDKIT_TEST_SWITCHES=1` (see `test_switches`). The shell's commands,
//! its background tasks and its command-line subcommands all read it here;
//! core functions take the time as an argument.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};

/// Now, as the app sees it. The offset is read from the environment once.
pub fn now() -> DateTime<Utc> {
    static OFFSET: OnceLock<Duration> = OnceLock::new();
    let offset = OFFSET.get_or_init(crate::test_switches::clock_offset_from_env);
    Utc::now() + *offset
}
