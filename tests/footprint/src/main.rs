//! `fieldkit-footprint`: what Fieldkit costs at start beside an empty Tauri 2
//! window built from the same workspace lock (same `tauri`, same features,
//! same profile) — `tests/footprint/empty-window`.
//!
//! ```text
//! xvfb-run -a --server-args="-screen 0 1280x800x24" \
//!   cargo run -p fieldkit-footprint -- [--runs 5] [--profile release]
//!     [--tickets 100000] [--notes 1000000] [--customers 2000] [--cases empty,100k]
//!     [--app PATH] [--empty PATH] [--data PATH] [--timeline] [--no-build]
//! ```
//!
//! It first builds what it measures with the profile asked for, from the same
//! workspace lock: the UI when a source under `ui/` is newer than `ui/dist`,
//! then `cargo build --locked -p fieldkit -p fieldkit-empty-window -p
//! fieldkit-core` (incremental: seconds when nothing changed). `--no-build`,
//! or both `--app` and `--empty`, measure binaries as they are.
//!
//! `--timeline` prints what each start's page did: navigation, DOM loaded, first
//! paint, the UI's marks and its `ipc <command>` measures (lib/backend.ts).
//!
//! Both apps are started alternately (the first of each round alternates
//! too), each on its own fresh data folder, through `tauri-driver` and
//! WebKitWebDriver, exactly the same way:
//! - start: from the app process's start (its start time in `/proc`) to the
//!   moment WebDriver finds the first screen's element: the empty window's
//!   paragraph; Fieldkit's welcome screen on an empty data folder, the Today
//!   area's ticket counts with 100,000 tickets. The time from the session
//!   request (which starts WebKitWebDriver and the app) is printed beside it.
//! - memory: the proportional set size (`/proc/<pid>/smaps_rollup`) of the
//!   app and all its descendants (WebKitWebProcess, WebKitNetworkProcess),
//!   once settled (at least 8 s after the page, then read every second until
//!   two readings differ by less than 1 %). The private part (USS) is printed
//!   beside it: PSS also falls when other programs map the same libraries.
//!
//! The 100,000-ticket database is built once by `fieldkit-bench --dir` (the
//! sample-data generator; the binary of the same profile) into `--data`
//! (default `<target>/footprint-data/`) and copied into each run's data folder.
//! Figures, not pass/fail: it prints medians and ratios.

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

type Result<T = (), E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

const WAIT: Duration = Duration::from_secs(60);

struct Options {
    runs: usize,
    profile: String,
    tickets: u32,
    notes: u32,
    customers: u32,
    cases: Vec<String>,
    app: Option<PathBuf>,
    empty: Option<PathBuf>,
    data: Option<PathBuf>,
    /// Print each start's timeline in the page (navigation, scripts, IPC calls).
    timeline: bool,
    /// Build the UI and both apps before measuring.
    build: bool,
}

fn options() -> Options {
    let mut options = Options {
        runs: 5,
        profile: "release".into(),
        tickets: 100_000,
        notes: 1_000_000,
        customers: 2_000,
        cases: vec!["empty".into(), "100k".into()],
        app: None,
        empty: None,
        data: None,
        timeline: false,
        build: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--timeline" {
            options.timeline = true;
            continue;
        }
        if flag == "--no-build" {
            options.build = false;
            continue;
        }
        let value = args.next().unwrap_or_else(|| fail(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--runs" => options.runs = value.parse().unwrap_or_else(|_| fail("--runs: a number")),
            "--profile" => options.profile = value,
            "--tickets" => options.tickets = value.parse().unwrap_or_else(|_| fail("--tickets: a number")),
            "--notes" => options.notes = value.parse().unwrap_or_else(|_| fail("--notes: a number")),
            "--customers" => options.customers = value.parse().unwrap_or_else(|_| fail("--customers: a number")),
            "--cases" => options.cases = value.split(',').map(str::to_string).collect(),
            "--app" => options.app = Some(PathBuf::from(value)),
            "--empty" => options.empty = Some(PathBuf::from(value)),
            "--data" => options.data = Some(PathBuf::from(value)),
            other => fail(&format!("unknown option {other} (see the top of tests/footprint/src/main.rs)")),
        }
    }
    if options.app.is_some() && options.empty.is_some() {
        options.build = false;
    }
    if options.runs == 0 {
        fail("--runs: at least 1");
    }
    for case in &options.cases {
        if case != "empty" && case != "100k" {
            fail(&format!("--cases: `empty` and/or `100k`, not `{case}`"));
        }
    }
    options
}

fn fail(message: &str) -> ! {
    eprintln!("fieldkit-footprint: {message}");
    std::process::exit(2);
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// One of the two apps under measurement.
struct Subject {
    name: &'static str,
    binary: PathBuf,
    /// The first screen's element, per data case.
    ready: fn(&str) -> &'static str,
}

fn fieldkit_ready(case: &str) -> &'static str {
    if case == "empty" {
        "[data-testid='welcome']"
    } else {
        "[data-testid='today-count-my_todo']"
    }
}

fn empty_ready(_case: &str) -> &'static str {
    "[data-testid='empty-ready']"
}

/// One start: time to the page and settled memory.
struct Sample {
    from_process_ms: f64,
    from_request_ms: f64,
    pss_mib: f64,
    /// Private pages only (USS): unlike PSS, not lowered by other programs
    /// mapping the same libraries at the time.
    private_mib: f64,
    processes: Vec<String>,
}

fn main() {
    let options = options();
    if std::env::var_os("DISPLAY").is_none() {
        fail("no DISPLAY: run it under `xvfb-run -a --server-args=\"-screen 0 1280x800x24\"`");
    }
    let built = target_dir().join(&options.profile);
    let profile_args: Vec<String> = if options.profile == "release" {
        vec!["--release".into()]
    } else {
        vec!["--profile".into(), options.profile.clone()]
    };
    let profile_flag = profile_args.join(" ");
    if options.build {
        build_both(&profile_args);
    }
    let fieldkit = Subject {
        name: "fieldkit",
        binary: options.app.clone().unwrap_or_else(|| built.join("fieldkit")),
        ready: fieldkit_ready,
    };
    let empty = Subject {
        name: "empty window",
        binary: options.empty.clone().unwrap_or_else(|| built.join("fieldkit-empty-window")),
        ready: empty_ready,
    };
    for subject in [&fieldkit, &empty] {
        if !subject.binary.is_file() {
            fail(&format!(
                "{} is not built ({}). Build both first:\n  npm --prefix ui run build && cargo build {profile_flag} -p fieldkit -p fieldkit-empty-window -p fieldkit-core",
                subject.name,
                subject.binary.display()
            ));
        }
    }

    println!("fieldkit-footprint: {} runs per case, profile `{}`", options.runs, options.profile);
    let fieldkit_size = binary_sizes(&fieldkit.binary);
    let empty_size = binary_sizes(&empty.binary);
    println!("binary {:<13} {}", fieldkit.name, fieldkit_size.describe());
    println!("binary {:<13} {}", empty.name, empty_size.describe());

    let data_root = options.data.clone().unwrap_or_else(|| target_dir().join("footprint-data"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let mut summary = Vec::new();
    for case in &options.cases {
        let seed =
            if case == "100k" { Some(large_database(&data_root, &options, &built, &profile_flag)) } else { None };
        println!("\n-- {case}: {}", if seed.is_some() { "the generated cache" } else { "an empty data folder" });
        let mut samples: HashMap<&str, Vec<Sample>> = HashMap::new();
        for round in 0..options.runs {
            let order = if round.is_multiple_of(2) { [&empty, &fieldkit] } else { [&fieldkit, &empty] };
            for subject in order {
                let sample = runtime
                    .block_on(measure(subject, case, seed.as_deref(), &data_root, options.timeline))
                    .unwrap_or_else(|error| fail(&format!("{} ({case}, run {}): {error}", subject.name, round + 1)));
                println!(
                    "run {:>2} {:<13} start {:>6.0} ms (from the session request {:>6.0} ms)  PSS {:>6.1} MiB  private {:>6.1} MiB  [{}]",
                    round + 1,
                    subject.name,
                    sample.from_process_ms,
                    sample.from_request_ms,
                    sample.pss_mib,
                    sample.private_mib,
                    sample.processes.join(", ")
                );
                samples.entry(subject.name).or_default().push(sample);
            }
        }
        let median_of = |name: &str, field: fn(&Sample) -> f64| median(samples[name].iter().map(field).collect());
        let row = CaseSummary {
            case: case.clone(),
            empty_start: median_of(empty.name, |s| s.from_process_ms),
            fieldkit_start: median_of(fieldkit.name, |s| s.from_process_ms),
            empty_request: median_of(empty.name, |s| s.from_request_ms),
            fieldkit_request: median_of(fieldkit.name, |s| s.from_request_ms),
            empty_pss: median_of(empty.name, |s| s.pss_mib),
            fieldkit_pss: median_of(fieldkit.name, |s| s.pss_mib),
            empty_private: median_of(empty.name, |s| s.private_mib),
            fieldkit_private: median_of(fieldkit.name, |s| s.private_mib),
        };
        summary.push(row);
    }

    println!("\n== medians of {} runs (profile `{}`)", options.runs, options.profile);
    println!(
        "{:<7} {:>13} {:>13} {:>7}   {:>13} {:>13} {:>7}   {:>10} {:>10} {:>7}",
        "case",
        "start empty",
        "fieldkit",
        "ratio",
        "request empty",
        "fieldkit",
        "ratio",
        "PSS empty",
        "fieldkit",
        "ratio"
    );
    for row in &summary {
        println!(
            "{:<7} {:>10.0} ms {:>10.0} ms {:>6.2}×   {:>10.0} ms {:>10.0} ms {:>6.2}×   {:>6.1} MiB {:>6.1} MiB {:>6.2}×",
            row.case,
            row.empty_start,
            row.fieldkit_start,
            row.fieldkit_start / row.empty_start,
            row.empty_request,
            row.fieldkit_request,
            row.fieldkit_request / row.empty_request,
            row.empty_pss,
            row.fieldkit_pss,
            row.fieldkit_pss / row.empty_pss
        );
    }
    for row in &summary {
        println!(
            "{:<7} private (USS) {:>6.1} MiB against {:>6.1} MiB: {:.2}× (PSS shares libraries with whatever else runs; USS does not)",
            row.case,
            row.fieldkit_private,
            row.empty_private,
            row.fieldkit_private / row.empty_private
        );
    }
    println!(
        "binary  {:.1} MB ({:.1} MB stripped) against {:.1} MB ({:.1} MB stripped): {:.2}×",
        mb(fieldkit_size.bytes),
        mb(fieldkit_size.stripped),
        mb(empty_size.bytes),
        mb(empty_size.stripped),
        fieldkit_size.stripped as f64 / empty_size.stripped.max(1) as f64
    );
}

struct CaseSummary {
    case: String,
    empty_start: f64,
    fieldkit_start: f64,
    empty_request: f64,
    fieldkit_request: f64,
    empty_pss: f64,
    fieldkit_pss: f64,
    empty_private: f64,
    fieldkit_private: f64,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

struct BinarySize {
    bytes: u64,
    stripped: u64,
}

impl BinarySize {
    fn describe(&self) -> String {
        format!("{:.1} MB ({:.1} MB stripped)", mb(self.bytes), mb(self.stripped))
    }
}

/// The file's size, and its size once stripped (`strip` on a copy; the same
/// when the profile strips already or `strip` is missing).
fn binary_sizes(binary: &Path) -> BinarySize {
    let bytes = std::fs::metadata(binary).map(|m| m.len()).unwrap_or(0);
    let copy = std::env::temp_dir().join(format!("fieldkit-footprint-strip-{}", std::process::id()));
    let stripped = Command::new("strip")
        .arg("-s")
        .arg("-o")
        .arg(&copy)
        .arg(binary)
        .status()
        .ok()
        .filter(|status| status.success())
        .and_then(|_| std::fs::metadata(&copy).ok())
        .map(|m| m.len())
        .unwrap_or(bytes);
    let _ = std::fs::remove_file(&copy);
    BinarySize { bytes, stripped }
}

/// The 100,000-ticket database, generated once by `fieldkit-bench --dir`
/// (the sample-data generator at its sizes) from the same profile.
fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds what is measured, with one profile from the one workspace lock:
/// the UI the app embeds (when a source is newer than its build), then
/// Fieldkit, the empty window and the database generator.
fn build_both(profile_args: &[String]) {
    let workspace = workspace_dir();
    let started = Instant::now();
    let ui = workspace.join("ui");
    let built_ui = modified(&ui.join("dist/index.html"));
    let newest_source = ["src", "index.html", "package.json", "vite.config.ts"]
        .iter()
        .filter_map(|part| newest_modified(&ui.join(part)))
        .max();
    if built_ui.is_none() || newest_source > built_ui {
        println!("building the UI (npm --prefix ui run build) …");
        let status = Command::new("npm")
            .args(["--prefix", "ui", "run", "build"])
            .current_dir(&workspace)
            .stdout(Stdio::null())
            .status()
            .unwrap_or_else(|error| fail(&format!("npm: {error} (`source scripts/setup.sh` installs Node.js)")));
        if !status.success() {
            fail("the UI build failed: npm --prefix ui run build");
        }
    }
    println!("building fieldkit, fieldkit-empty-window and fieldkit-core ({}) …", profile_args.join(" "));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--locked"])
        .args(profile_args)
        .args(["-p", "fieldkit", "-p", "fieldkit-empty-window", "-p", "fieldkit-core"])
        .current_dir(&workspace)
        .status()
        .unwrap_or_else(|error| fail(&format!("cargo: {error}")));
    if !status.success() {
        fail("the build failed (see above)");
    }
    println!("built in {:.0} s", started.elapsed().as_secs_f64());
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|metadata| metadata.modified()).ok()
}

/// The newest modification time of a file or of any file under a folder
/// (tests aside: they are not in the build).
fn newest_modified(path: &Path) -> Option<std::time::SystemTime> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_dir() {
        let test = path.file_name().is_some_and(|name| name.to_string_lossy().contains(".test."));
        return if test { None } else { metadata.modified().ok() };
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| newest_modified(&entry.path()))
        .max()
}

fn large_database(root: &Path, options: &Options, built: &Path, profile_flag: &str) -> PathBuf {
    let dir = root.join(format!("{}-tickets-{}-notes-{}-customers", options.tickets, options.notes, options.customers));
    let path = dir.join("fieldkit.db");
    let done = dir.join("complete");
    if done.is_file() && path.is_file() {
        println!("\nthe {}-ticket database: {}", options.tickets, path.display());
        return path;
    }
    let bench = built.join("fieldkit-bench");
    if !bench.is_file() {
        fail(&format!(
            "fieldkit-bench is not built ({}); it generates the database:\n  cargo build {profile_flag} -p fieldkit-core",
            bench.display()
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| fail(&format!("{}: {error}", dir.display())));
    println!(
        "\nbuilding the {}-ticket database once in {} (fieldkit-bench --iterations 1) …",
        options.tickets,
        dir.display()
    );
    let started = Instant::now();
    let status = Command::new(&bench)
        .args(["--iterations", "1", "--tickets", &options.tickets.to_string()])
        .args(["--notes", &options.notes.to_string(), "--customers", &options.customers.to_string(), "--dir"])
        .arg(&dir)
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|error| fail(&format!("run {}: {error}", bench.display())));
    if !status.success() {
        fail("fieldkit-bench failed");
    }
    // fieldkit-bench exits with its WAL in place: fold it into the file, so
    // one file is the whole database to copy.
    let bench_db = dir.join("bench.db");
    let checkpoint = rusqlite::Connection::open(&bench_db)
        .and_then(|connection| connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get::<_, i64>(0)));
    match checkpoint {
        Ok(0) => {}
        Ok(busy) => fail(&format!("the checkpoint of {} was blocked ({busy})", bench_db.display())),
        Err(error) => fail(&format!("checkpoint {}: {error}", bench_db.display())),
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", bench_db.display()));
    }
    std::fs::rename(dir.join("bench.db"), &path).unwrap_or_else(|error| fail(&format!("{}: {error}", path.display())));
    std::fs::write(&done, b"").unwrap_or_else(|error| fail(&format!("{}: {error}", done.display())));
    println!(
        "built in {:.0} s, {:.0} MiB",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map(|m| m.len() as f64 / 1_048_576.0).unwrap_or(0.0)
    );
    path
}

/// Starts `subject` once on a fresh data folder and measures it.
async fn measure(subject: &Subject, case: &str, seed: Option<&Path>, root: &Path, timeline: bool) -> Result<Sample> {
    let data = root.join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    if let Some(seed) = seed {
        let copy = data.join("fieldkit.db");
        std::fs::copy(seed, &copy)?;
        // On disk before the start: otherwise the kernel writes the fresh
        // copy back while the app reads it, and the start measures that.
        std::fs::File::open(&copy)?.sync_all()?;
    }
    let driver = Driver::start(&data)?;
    let outcome = drive(subject, case, &driver, timeline).await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&data);
    outcome
}

async fn drive(subject: &Subject, case: &str, driver: &Driver, timeline: bool) -> Result<Sample> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("tauri:options".into(), json!({ "application": subject.binary.to_string_lossy() }));
    let requested = Instant::now();
    let client = loop {
        let attempt = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await;
        match attempt {
            Ok(client) => break client,
            Err(error) if requested.elapsed() < WAIT => {
                eprintln!("session not ready yet: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => return Err(format!("no session: {error}").into()),
        }
    };
    let outcome = page_and_memory(subject, case, driver, &client, requested, timeline).await;
    let _ = tokio::time::timeout(Duration::from_secs(15), client.close()).await;
    outcome
}

async fn page_and_memory(
    subject: &Subject,
    case: &str,
    driver: &Driver,
    client: &Client,
    requested: Instant,
    timeline: bool,
) -> Result<Sample> {
    let selector = (subject.ready)(case);
    loop {
        if client.find(Locator::Css(selector)).await.is_ok() {
            break;
        }
        if requested.elapsed() > WAIT {
            return Err(format!("{selector} did not appear within {} s", WAIT.as_secs()).into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let from_request = requested.elapsed();
    let seen_uptime = uptime_seconds()?;
    let app = find_app(driver.child.id(), &subject.binary)?;
    let started = process_start_seconds(app)?;
    let from_process_ms = (seen_uptime - started) * 1000.0;
    if timeline {
        print_timeline(client, from_process_ms).await?;
    }

    // Settled: at least 8 s after the page (Fieldkit's first background work,
    // the sync's check at 2 s and the reminders at 5 s, has run), then two
    // readings a second apart within 1 %.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let mut previous = tree_pss(app)?;
    let settle_started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = tree_pss(app)?;
        let settled = (now.1 - previous.1).abs() <= previous.1 * 0.01;
        previous = now;
        if settled || settle_started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    let (pss_kib, private_kib, processes) = previous;
    Ok(Sample {
        from_process_ms,
        from_request_ms: from_request.as_secs_f64() * 1000.0,
        pss_mib: pss_kib / 1024.0,
        private_mib: private_kib / 1024.0,
        processes,
    })
}

/// What happened in the page before it was ready, in ms since the process
/// started: the page's own clock starts at navigation, so its offset is the
/// process's age at the ready element minus the page's `performance.now()`
/// read right after (a few ms late at most).
async fn print_timeline(client: &Client, from_process_ms: f64) -> Result {
    let script = r#"
        const entries = [];
        for (const e of performance.getEntriesByType("navigation")) {
            entries.push(["page: response end", e.responseEnd, e.responseEnd]);
            entries.push(["page: DOM content loaded", e.domContentLoadedEventEnd, e.domContentLoadedEventEnd]);
        }
        for (const e of performance.getEntriesByType("resource")) {
            entries.push([e.name.replace(/^[a-z]+:\/\/[^/]+/, ""), e.startTime, e.responseEnd]);
        }
        for (const e of performance.getEntriesByType("paint")) entries.push([e.name, e.startTime, e.startTime]);
        for (const e of performance.getEntriesByType("mark")) entries.push(["mark " + e.name, e.startTime, e.startTime]);
        for (const e of performance.getEntriesByType("measure")) entries.push([e.name, e.startTime, e.startTime + e.duration]);
        return { now: performance.now(), entries };
    "#;
    let value = client.execute(script, vec![]).await?;
    let now = value["now"].as_f64().unwrap_or(0.0);
    let offset = from_process_ms - now;
    println!("   page navigation at ~{offset:.0} ms after the process started");
    let mut entries: Vec<(String, f64, f64)> = value["entries"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    (
                        row[0].as_str().unwrap_or("?").to_string(),
                        row[1].as_f64().unwrap_or(0.0),
                        row[2].as_f64().unwrap_or(0.0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (name, start, end) in entries {
        println!("   {:>6.0} → {:>6.0} ms  ({:>5.1} ms)  {name}", offset + start, offset + end, end - start);
    }
    Ok(())
}

/// Seconds since boot (`/proc/uptime`, 10 ms steps).
fn uptime_seconds() -> Result<f64> {
    let text = std::fs::read_to_string("/proc/uptime")?;
    Ok(text.split_whitespace().next().ok_or("empty /proc/uptime")?.parse()?)
}

/// When the process started, in seconds since boot (`/proc/<pid>/stat` field 22).
fn process_start_seconds(pid: u32) -> Result<f64> {
    let ticks: f64 = stat_fields(pid)?.get(19).ok_or("short stat")?.parse()?;
    // USER_HZ is 100 on every Linux this runs on.
    Ok(ticks / 100.0)
}

/// The fields of `/proc/<pid>/stat` after the command name (state is index 0).
fn stat_fields(pid: u32) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = text.rsplit_once(')').ok_or("odd stat")?.1;
    Ok(after.split_whitespace().map(str::to_string).collect())
}

/// Every process with its parent.
fn parents() -> HashMap<u32, u32> {
    let mut map = HashMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            if let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) {
                if let Some(parent) = stat_fields(pid).ok().and_then(|fields| fields.get(1)?.parse().ok()) {
                    map.insert(pid, parent);
                }
            }
        }
    }
    map
}

fn descendants(root: u32, parents: &HashMap<u32, u32>) -> Vec<u32> {
    let mut found = vec![root];
    let mut index = 0;
    while index < found.len() {
        let parent = found[index];
        found.extend(parents.iter().filter(|(_, p)| **p == parent).map(|(pid, _)| *pid));
        index += 1;
    }
    found
}

/// The app: the driver's descendant running `binary`.
fn find_app(driver: u32, binary: &Path) -> Result<u32> {
    let binary = std::fs::canonicalize(binary)?;
    let parents = parents();
    descendants(driver, &parents)
        .into_iter()
        .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
        .ok_or_else(|| format!("no process of {} under tauri-driver", binary.display()).into())
}

/// The PSS and private memory (KiB) of `app` and its descendants, and their names.
fn tree_pss(app: u32) -> Result<(f64, f64, Vec<String>)> {
    let parents = parents();
    let mut total = 0.0;
    let mut private = 0.0;
    let mut names = Vec::new();
    for pid in descendants(app, &parents) {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else { continue };
        let field = |name: &str| -> f64 {
            rollup
                .lines()
                .find(|line| line.starts_with(name))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
                .unwrap_or(0.0)
        };
        let kib = field("Pss:");
        total += kib;
        private += field("Private_Clean:") + field("Private_Dirty:");
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        names.push(format!("{} {:.0}", name.trim(), kib / 1024.0));
    }
    if total == 0.0 {
        return Err("no memory figures (is /proc/<pid>/smaps_rollup readable?)".into());
    }
    Ok((total, private, names))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("no free port")
}

/// A `tauri-driver` in its own process group, killed with all it started.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(data_dir: &Path) -> Result<Driver> {
        let port = free_port();
        let native_port = free_port();
        let child = Command::new(std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into()))
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("FIELDKIT_DATA_DIR", data_dir)
            // As the e2e suite: software rendering under Xvfb.
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .env("NO_AT_BRIDGE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|error| format!("could not start tauri-driver (is it installed?): {error}"))?;
        let driver = Driver { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > WAIT {
                return Err("tauri-driver did not start listening".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
