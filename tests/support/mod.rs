//! Shared fixtures for the end-to-end suite.
//!
//! Each test gets its own temporary data folder and its own `tauri-driver`
//! (on its own ports), which starts the real, built Fieldkit binary through
//! WebKitWebDriver. `App::restart` ends the session (the app quits) and starts
//! a new one on the same data, as a user closing and reopening the app.
//! When a test fails, a screenshot is saved under `tests/artifacts/`.

pub mod desktop_notifications;
pub mod files_server;

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const WAIT: Duration = Duration::from_secs(30);
/// No end-to-end test may hang CI: past this it fails (with a screenshot).
const TEST_LIMIT: Duration = Duration::from_secs(240);

/// Whether a WebDriver error only says the element was re-rendered.
fn is_stale(error: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    let text = error.to_string();
    text.contains("was not found") || text.contains("stale element")
}

/// Whether tauri-driver lost its pooled connection to WebKitWebDriver under
/// a command ("Remote end closed connection", logged as hyper `SendRequest`).
/// The command never reached the browser, so sending it again is safe;
/// nothing else is retried, so a real failure still fails.
fn is_closed_connection(error: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    let text = error.to_string();
    text.contains("Remote end closed connection") || text.contains("SendRequest")
}

/// Runs a WebDriver command, sending it again (up to three times) only when
/// tauri-driver's connection was closed under it.
async fn resend<T>(mut command: impl AsyncFnMut() -> TestResult<T>) -> TestResult<T> {
    let mut attempt = 0;
    loop {
        match command().await {
            Err(error) if attempt < 3 && is_closed_connection(&*error) => {
                attempt += 1;
                eprintln!("[e2e] tauri-driver's connection closed under a command; sending it again ({error})");
            }
            other => return other,
        }
    }
}

/// Fails the test with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl Into<String>) -> TestResult {
    if condition {
        Ok(())
    } else {
        Err(message.into().into())
    }
}

/// The file in the data folder whose first line answers the app's next
/// Save or Open dialog (missing or empty: cancelled).
pub const DIALOG_ANSWER_FILE: &str = "dialog-answer.txt";

/// The built app: `FIELDKIT_APP`, else `target/debug/fieldkit` of this workspace.
pub fn app_binary() -> PathBuf {
    std::env::var_os("FIELDKIT_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/fieldkit"))
}

fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("no free port")
}

/// A `tauri-driver` process, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(data_dir: &Path, clock_offset_minutes: i64) -> TestResult<Driver> {
        let mut command = Command::new(std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into()));
        command.env("FIELDKIT_DATA_DIR", data_dir);
        Self::spawn(command, data_dir, clock_offset_minutes)
    }

    /// The app as a technician starts it: no `FIELDKIT_DATA_DIR`, so it uses
    /// the OS app-data folder under `home` (`$HOME/.local/share/…`).
    fn start_at_home(home: &Path) -> TestResult<Driver> {
        let mut command = Command::new(std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into()));
        command
            .env_remove("FIELDKIT_DATA_DIR")
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"));
        Self::spawn(command, home, 0)
    }

    fn spawn(mut command: Command, scratch: &Path, clock_offset_minutes: i64) -> TestResult<Driver> {
        let port = free_port();
        let native_port = free_port();
        let child = command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("FIELDKIT_CLOCK_OFFSET_MINUTES", clock_offset_minutes.to_string())
            // A release build honours the clock offset only with this.
            .env("FIELDKIT_TEST_SWITCHES", "1")
            // Links the app opens (directions, remote tools, click-to-call) are
            // recorded here instead of launching another app.
            .env("FIELDKIT_OPEN_LOG", scratch.join("opened.txt"))
            // The Save/Open dialogs take their answer from this file (see `DIALOG_ANSWER_FILE`).
            .env("FIELDKIT_DIALOG_ANSWER", scratch.join(DIALOG_ANSWER_FILE))
            // WebKitGTK under Xvfb without a GPU: software rendering. (Disabling
            // compositing mode makes WebKitWebDriver's screenshots hang.)
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .env("NO_AT_BRIDGE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            // Its own process group, so the WebKitWebDriver and app it starts
            // are stopped with it.
            .process_group(0)
            .spawn()
            .map_err(|error| format!("could not start tauri-driver (is it installed?): {error}"))?;
        let driver = Driver { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > WAIT {
                return Err("tauri-driver did not start listening".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: tauri-driver, WebKitWebDriver and the app.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The running app and what it needs to be restarted on the same data.
pub struct App {
    pub client: Client,
    driver: Driver,
    data_dir: PathBuf,
}

impl App {
    /// Starts the app on `data_dir` (which may already hold a database).
    pub async fn launch(data_dir: &Path) -> TestResult<App> {
        Self::launch_at(data_dir, 0).await
    }

    /// Starts the app with its clock moved by `clock_offset_minutes`.
    pub async fn launch_at(data_dir: &Path, clock_offset_minutes: i64) -> TestResult<App> {
        let driver = Driver::start(data_dir, clock_offset_minutes)?;
        let client = connect(driver.port, &app_binary()).await?;
        let app = App { client, driver, data_dir: data_dir.to_path_buf() };
        app.wait_for("#app > *").await?;
        Ok(app)
    }

    /// Starts `binary` (an installed app) as a technician would, with `home`
    /// as its home folder and no `FIELDKIT_DATA_DIR`, and returns it with the
    /// time from the WebDriver session's request (which launches the app) to
    /// its first rendered page. `data_dir()` is then the OS app-data folder.
    pub async fn launch_installed(binary: &Path, home: &Path) -> TestResult<(App, Duration)> {
        let driver = Driver::start_at_home(home)?;
        let started = Instant::now();
        let client = connect(driver.port, binary).await?;
        let data_dir = home.join(".local/share/com.fieldkit.app");
        let app = App { client, driver, data_dir };
        app.wait_for("#app > *").await?;
        Ok((app, started.elapsed()))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Quits the app (ends the session) and starts it again on the same data.
    pub async fn restart(self) -> TestResult<App> {
        self.restart_at(0).await
    }

    /// Quits and starts again with the app's clock moved by `clock_offset_minutes`.
    pub async fn restart_at(self, clock_offset_minutes: i64) -> TestResult<App> {
        let App { client, driver, data_dir } = self;
        tokio::time::timeout(Duration::from_secs(15), client.close()).await.map_err(|_| "quitting timed out")??;
        drop(driver);
        App::launch_at(&data_dir, clock_offset_minutes).await
    }

    pub async fn quit(self) -> TestResult {
        tokio::time::timeout(Duration::from_secs(15), self.client.close())
            .await
            .map_err(|_| "quitting timed out")??;
        Ok(())
    }

    /// The element with this `data-testid`, waiting for it to appear.
    pub async fn testid(&self, id: &str) -> TestResult<Element> {
        self.wait_for(&format!("[data-testid='{id}']")).await
    }

    pub async fn wait_for(&self, css: &str) -> TestResult<Element> {
        resend(async || Ok(self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await?)).await
    }

    pub async fn click(&self, id: &str) -> TestResult {
        eprintln!("[e2e] click {id}");
        // The UI may re-render the element between finding and clicking it:
        // find it again then (a stale element is not a failure of the app).
        let mut attempt = 0;
        loop {
            let element = self.testid(id).await?;
            let outcome = async {
                self.client
                    .execute("arguments[0].scrollIntoView({ block: 'center' })", vec![serde_json::to_value(&element)?])
                    .await?;
                element.click().await?;
                TestResult::Ok(())
            }
            .await;
            match outcome {
                Err(error) if attempt < 3 && (is_stale(&*error) || is_closed_connection(&*error)) => attempt += 1,
                other => return other,
            }
        }
    }

    /// Replaces the text of the input with this `data-testid`.
    pub async fn type_into(&self, id: &str, text: &str) -> TestResult {
        eprintln!("[e2e] type into {id}: {text:?}");
        let mut attempt = 0;
        loop {
            let input = self.testid(id).await?;
            let outcome = async {
                // WebKitWebDriver does not scroll inside nested scroll areas by itself.
                self.client
                    .execute("arguments[0].scrollIntoView({ block: 'center' })", vec![serde_json::to_value(&input)?])
                    .await?;
                input.clear().await?;
                input.send_keys(text).await?;
                TestResult::Ok(())
            }
            .await;
            match outcome {
                Err(error) if attempt < 3 && (is_stale(&*error) || is_closed_connection(&*error)) => attempt += 1,
                other => return other,
            }
        }
    }

    /// Scrolls the element with this `data-testid` into the middle of its view.
    pub async fn scroll_to(&self, id: &str) -> TestResult {
        let element = self.testid(id).await?;
        resend(async || {
            self.client
                .execute("arguments[0].scrollIntoView({ block: 'center' })", vec![serde_json::to_value(&element)?])
                .await?;
            Ok(())
        })
        .await
    }

    /// Chooses the option with this visible text in the `<select>` with this `data-testid`.
    pub async fn choose(&self, id: &str, label: &str) -> TestResult {
        eprintln!("[e2e] choose {label:?} in {id}");
        resend(async || Ok(self.testid(id).await?.select_by_label(label).await?)).await
    }

    /// An attribute of the element with this `data-testid`.
    pub async fn attribute_of(&self, id: &str, name: &str) -> TestResult<Option<String>> {
        resend(async || Ok(self.testid(id).await?.attr(name).await?)).await
    }

    /// The visible text of the element with this `data-testid`, read in one
    /// round trip (so a re-render between finding and reading cannot fail it).
    pub async fn text_of(&self, id: &str) -> TestResult<String> {
        self.testid(id).await?;
        let value = resend(async || {
            Ok(self
                .client
                .execute(
                    "const e = document.querySelector(`[data-testid='${arguments[0]}']`); return e ? e.innerText : null",
                    vec![json!(id)],
                )
                .await?)
        })
        .await?;
        match value.as_str() {
            Some(text) => Ok(text.to_string()),
            None => Err(format!("[{id}] disappeared").into()),
        }
    }

    /// The text content of every element with this `data-testid`, in page
    /// order, read in one round trip.
    pub async fn texts_of_all(&self, id: &str) -> TestResult<Vec<String>> {
        let value = resend(async || {
            Ok(self
                .client
                .execute(
                    "return Array.from(document.querySelectorAll(`[data-testid='${arguments[0]}']`), e => e.textContent.trim().replace(/\\s+/g, ' '))",
                    vec![json!(id)],
                )
                .await?)
        })
        .await?;
        Ok(serde_json::from_value(value)?)
    }

    /// Polls `probe` until it returns `Some`, or fails after the wait limit
    /// with `what` in the message.
    pub async fn eventually<T>(
        &self,
        what: &str,
        mut probe: impl AsyncFnMut() -> TestResult<Option<T>>,
    ) -> TestResult<T> {
        let started = Instant::now();
        loop {
            if let Some(value) = probe().await? {
                return Ok(value);
            }
            if started.elapsed() > WAIT {
                return Err(format!("timed out waiting for {what}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until the elements with this `data-testid` have exactly these texts.
    pub async fn wait_for_texts(&self, id: &str, expected: &[&str]) -> TestResult {
        let mut last = Vec::new();
        let outcome = self
            .eventually(&format!("[{id}] to read {expected:?}"), async || {
                last = self.texts_of_all(id).await?;
                Ok((last == expected).then_some(()))
            })
            .await;
        outcome.map_err(|error| format!("{error}; last seen {last:?}").into())
    }

    /// Saves a screenshot for people to look at; a failure to take one is
    /// reported but does not fail the test (WebKitWebDriver's snapshot can stall).
    pub async fn keep_screenshot(&self, name: &str) {
        match self.screenshot(name).await {
            Ok(path) => eprintln!("[e2e] screenshot {}", path.display()),
            Err(error) => eprintln!("[e2e] no screenshot {name}: {error}"),
        }
    }

    pub async fn screenshot(&self, name: &str) -> TestResult<PathBuf> {
        let png = tokio::time::timeout(Duration::from_secs(20), self.client.screenshot())
            .await
            .map_err(|_| "the screenshot timed out")??;
        std::fs::create_dir_all(artifacts_dir())?;
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }
}

/// Opens a session, which launches the app. tauri-driver answers before its
/// WebKitWebDriver is ready, so a refused first attempt is retried.
async fn connect(port: u16, binary: &Path) -> TestResult<Client> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("tauri:options".into(), json!({ "application": binary.to_string_lossy() }));
    let started = Instant::now();
    loop {
        let attempt = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match attempt {
            Ok(client) => return Ok(client),
            Err(error) if started.elapsed() < WAIT => {
                eprintln!("[e2e] session not ready yet: {error}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(error) => {
                return Err(format!("could not start a session with the app at {}: {error}", binary.display()).into())
            }
        }
    }
}

/// Runs one end-to-end test on a fresh data folder (or one `prepare` filled).
/// On failure it saves a screenshot named after the test and fails with the
/// error; the app is always quit.
pub fn run(name: &str, prepare: impl FnOnce(&Path), test: impl AsyncFnOnce(&mut Option<App>) -> TestResult) {
    ensure_binary();
    let data = tempfile::tempdir().expect("temporary data folder");
    prepare(data.path());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let mut app = match App::launch(data.path()).await {
            Ok(app) => Some(app),
            Err(error) => panic!("{name}: the app did not start: {error}"),
        };
        let outcome = match tokio::time::timeout(TEST_LIMIT, test(&mut app)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!("the test did not finish within {TEST_LIMIT:?}").into()),
        };
        if let Err(error) = outcome {
            let shot = match &app {
                Some(app) => app
                    .screenshot(name)
                    .await
                    .map(|path| path.display().to_string())
                    .unwrap_or_else(|e| format!("(no screenshot: {e})")),
                None => "(no app running)".into(),
            };
            if let Some(app) = app.take() {
                let _ = app.quit().await;
            }
            panic!("{name} failed: {error}\nscreenshot: {shot}");
        }
        if let Some(app) = app.take() {
            let _ = app.quit().await;
        }
    });
}

fn ensure_binary() {
    let binary = app_binary();
    assert!(
        binary.exists(),
        "the app is not built at {}: run `cargo build -p fieldkit` (after `npm --prefix ui run build`) or set FIELDKIT_APP",
        binary.display()
    );
}
