//! A real notification server for the e2e suite: a private D-Bus session
//! bus and `dunst` on it (on the Xvfb display), so a desktop notification
//! the app shows can be counted and clicked (`dunstctl action`), the way a
//! technician clicks it.
//!
//! While a `NotificationServer` lives, this test process's
//! `DBUS_SESSION_BUS_ADDRESS` points at its bus, so the app started next
//! (through tauri-driver, which inherits the environment) talks to it. The
//! suite runs one test at a time (`--test-threads=1`); dropping it restores
//! the variable.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TestResult;

const DUNST_CONFIG: &str = "[global]\n    notification_limit = 0\n\
[urgency_low]\n    timeout = 0\n[urgency_normal]\n    timeout = 0\n[urgency_critical]\n    timeout = 0\n";

pub struct NotificationServer {
    bus: Child,
    dunst: Child,
    address: String,
    previous: Option<OsString>,
    _config: tempfile::TempDir,
}

impl NotificationServer {
    pub fn start() -> TestResult<NotificationServer> {
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            // Its log (activations, fd limits) is noise in the suite's output.
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("could not start dbus-daemon (package dbus): {error}"))?;
        let mut line = String::new();
        BufReader::new(bus.stdout.take().ok_or("dbus-daemon's output")?).read_line(&mut line)?;
        let address = line.trim().to_string();
        if address.is_empty() {
            let _ = bus.kill();
            return Err("dbus-daemon printed no address".into());
        }
        let config = tempfile::tempdir()?;
        let config_file = config.path().join("dunstrc");
        std::fs::write(&config_file, DUNST_CONFIG)?;
        let dunst = Command::new("dunst")
            .arg("-config")
            .arg(&config_file)
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let dunst = match dunst {
            Ok(dunst) => dunst,
            Err(error) => {
                let _ = bus.kill();
                return Err(format!("could not start dunst (package dunst): {error}").into());
            }
        };
        let previous = std::env::var_os("DBUS_SESSION_BUS_ADDRESS");
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
        let server = NotificationServer { bus, dunst, address, previous, _config: config };
        let started = Instant::now();
        while server.dunstctl(&["is-paused"]).is_err() {
            if started.elapsed() > Duration::from_secs(15) {
                return Err("dunst did not come up on the test bus".into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(server)
    }

    fn dunstctl(&self, args: &[&str]) -> TestResult<String> {
        let output = Command::new("dunstctl").args(args).env("DBUS_SESSION_BUS_ADDRESS", &self.address).output()?;
        if !output.status.success() {
            return Err(format!("dunstctl {args:?}: {}", String::from_utf8_lossy(&output.stderr)).into());
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// How many notifications are on the screen.
    pub fn displayed(&self) -> TestResult<usize> {
        Ok(self.dunstctl(&["count", "displayed"])?.parse()?)
    }

    /// Closes every notification on the screen.
    pub fn close_all(&self) -> TestResult {
        self.dunstctl(&["close-all"]).map(|_| ())
    }

    /// Clicks the notification at the top (its default action).
    pub fn click_top(&self) -> TestResult {
        self.dunstctl(&["action", "0"]).map(|_| ())
    }
}

impl Drop for NotificationServer {
    fn drop(&mut self) {
        match self.previous.take() {
            Some(previous) => std::env::set_var("DBUS_SESSION_BUS_ADDRESS", previous),
            None => std::env::remove_var("DBUS_SESSION_BUS_ADDRESS"),
        }
        let _ = self.dunst.kill();
        let _ = self.dunst.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
