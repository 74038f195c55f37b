//! Opening a link with the system's handler (the phone app, the browser,
//! a remote-control tool) — from Rust only: the web view has no permission
//! to open URLs, it names a contact, a customer or a tool and a device, and
//! the core builds the link. With the test switches on, `FIELDKIT_OPEN_LOG`
//! records the link in a file instead (the e2e tests read it), so no test
//! launches another app.

use std::io::Write;

use fieldkit_core::test_switches::open_log_from_env;
use fieldkit_core::ErrorPayload;

/// Opens `link` (or records it, see the module); `unavailable` words the
/// error when no app on this computer takes it.
pub fn open_link(link: &str, unavailable: impl FnOnce(String) -> String) -> Result<(), ErrorPayload> {
    if let Some(log) = open_log_from_env() {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|error| ErrorPayload::internal(format!("Could not record the link: {error}")))?;
        return writeln!(file, "{link}")
            .map_err(|error| ErrorPayload::internal(format!("Could not record the link: {error}")));
    }
    open::that_detached(link).map_err(|error| ErrorPayload::internal(unavailable(error.to_string())))
}
