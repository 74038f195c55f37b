//! Exactly once across processes and crashes, with real processes on one
//! data folder (`fieldkit-sync-worker`, which runs the app's core functions):
//! two syncs started together, and SIGKILL at random moments during user
//! writes and during a sync's pull and push — against the Autotask stand-in
//! and the HaloPSA one. Bounded by count, so the suite stays fast:
//! `CRASH_KILLS` (default 100; 50 against Halo) and `TWO_PROCESS_OPS`
//! (default 1,000).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use fieldkit_core::sync::autotask::{Autotask, Endpoint, RetryPolicy};
use fieldkit_core::sync::halopsa::{self, HaloPsa};
use fieldkit_core::sync::{self, Scope, SyncProgress};
use fieldkit_core::tickets::{add_note, NoteDraft};
use fieldkit_core::Db;
use fieldkit_standin::halo::HaloStandin;
use fieldkit_standin::{Faults, Seed, Standin};
use uuid::Uuid;

const WORKER: &str = env!("CARGO_BIN_EXE_fieldkit-sync-worker");

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The PSA stand-in a test runs against.
enum Remote {
    Autotask(Standin),
    Halo(HaloStandin),
}

const QUEUE: i64 = 29683;
const RETRY: RetryPolicy =
    RetryPolicy { attempts: 6, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(40) };

impl Remote {
    async fn start(halo: bool) -> Remote {
        if halo {
            Remote::Halo(HaloStandin::start(Seed::scaled(1), 0).await.unwrap())
        } else {
            Remote::Autotask(Standin::start(Seed::scaled(1), 0).await.unwrap())
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Remote::Autotask(_) => "Autotask",
            Remote::Halo(_) => "HaloPSA",
        }
    }

    fn base_url(&self) -> String {
        match self {
            Remote::Autotask(standin) => standin.base_url(),
            Remote::Halo(standin) => standin.base_url(),
        }
    }

    fn set_faults(&self, faults: Faults) {
        match self {
            Remote::Autotask(standin) => standin.set_faults(faults),
            Remote::Halo(standin) => standin.set_faults(faults),
        }
    }

    /// Alex Morgan, "me" in the seed.
    fn me(&self) -> i64 {
        let (people, first, last) = match self {
            Remote::Autotask(standin) => (standin.snapshot("Resources"), "firstName", "lastName"),
            Remote::Halo(standin) => (standin.snapshot("Agent"), "firstname", "surname"),
        };
        people
            .iter()
            .find(|r| r[first] == "Alex" && r[last] == "Morgan")
            .and_then(|r| r["id"].as_i64())
            .expect("Alex Morgan")
    }

    /// How many times each note starting with `prefix` arrived.
    fn arrivals(&self, prefix: &str) -> HashMap<String, usize> {
        let (notes, field) = match self {
            Remote::Autotask(standin) => (standin.snapshot("TicketNotes"), "description"),
            Remote::Halo(standin) => (standin.snapshot("Actions"), "note"),
        };
        let mut seen = HashMap::new();
        for note in notes {
            let text = note[field].as_str().unwrap_or_default();
            // A Halo action's note may carry a heading before the body.
            let body = text.split_once("\n\n").map_or(text, |(_, body)| body);
            if body.starts_with(prefix) {
                *seen.entry(body.to_string()).or_insert(0) += 1;
            }
        }
        seen
    }

    async fn first_sync(&self, db: &Arc<Db>, scope: &Scope) {
        let progress = Mutex::new(SyncProgress::default());
        let synced = match self {
            Remote::Autotask(standin) => {
                let credentials = standin.credentials();
                let connector = Autotask::new(
                    Endpoint {
                        discovery_url: standin.base_url(),
                        api_user: credentials.api_user,
                        integration_code: credentials.integration_code,
                        secret: zeroize::Zeroizing::new(credentials.secret),
                    },
                    RETRY,
                )
                .unwrap();
                sync::run_cycle(db, &connector, scope, Utc::now(), false, &progress).await
            }
            Remote::Halo(standin) => {
                let connector = HaloPsa::new(
                    halopsa::Endpoint {
                        url: standin.base_url(),
                        auth_url: String::new(),
                        tenant: String::new(),
                        client_id: fieldkit_standin::halo::CLIENT_ID.into(),
                        secret: zeroize::Zeroizing::new(fieldkit_standin::halo::CLIENT_SECRET.into()),
                    },
                    RETRY,
                )
                .unwrap();
                sync::run_cycle(db, &connector, scope, Utc::now(), false, &progress).await
            }
        };
        synced.expect("first sync");
    }

    async fn stop(self) {
        match self {
            Remote::Autotask(standin) => standin.stop().await,
            Remote::Halo(standin) => standin.stop().await,
        }
    }
}

/// A data folder after a first sync against the stand-in.
async fn synced_folder(remote: &Remote, dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("fieldkit.db");
    let db = Arc::new(Db::open(&path).unwrap());
    let scope = Scope {
        me: remote.me(),
        queues: vec![QUEUE],
        calls_since: Utc::now() - chrono::Duration::days(30),
        extra_tickets: vec![],
    };
    remote.first_sync(&db, &scope).await;
    path
}

fn sync_worker(database: &std::path::Path, remote: &Remote, extra: &[&str]) -> Child {
    let psa: &[&str] = match remote {
        Remote::Autotask(_) => &[],
        Remote::Halo(_) => &["--psa", "halo"],
    };
    Command::new(WORKER)
        .arg("sync")
        .arg(database)
        .arg(remote.base_url())
        .arg(remote.me().to_string())
        .arg(QUEUE.to_string())
        .args(extra)
        .args(psa)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("worker")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Two processes sync the same data folder at once, a fifth of the requests
/// faulted: every note arrives exactly once.
#[test]
fn two_processes_syncing_one_folder_send_each_operation_once() {
    two_processes(false);
}

#[test]
fn two_processes_syncing_one_folder_send_each_operation_once_to_halopsa() {
    two_processes(true);
}

fn two_processes(halo: bool) {
    runtime().block_on(async {
        let standin = Remote::start(halo).await;
        let dir = tempfile::tempdir().unwrap();
        let database = synced_folder(&standin, dir.path()).await;
        let operations = env_count("TWO_PROCESS_OPS", 1000);
        {
            let db = Db::open(&database).unwrap();
            let tickets: Vec<String> = db
                .read(|c| {
                    c.prepare("SELECT id FROM tickets WHERE psa_id IS NOT NULL AND completed_at IS NULL ORDER BY psa_id LIMIT 20")?
                        .query_map([], |r| r.get(0))?
                        .collect::<rusqlite::Result<Vec<String>>>()
                })
                .unwrap();
            for i in 0..operations {
                let ticket_id = Uuid::parse_str(&tickets[i % tickets.len()]).unwrap();
                let body = format!("Two-process note {i}");
                add_note(&db, &NoteDraft { ticket_id, body, is_customer_visible: false }, Utc::now()).unwrap();
            }
        }
        standin.set_faults(Faults { latency_ms: 0, rate: 0.2, kinds: vec![], seed: 11 });
        let mut first = sync_worker(&database, &standin, &["--cycles", "60"]);
        let mut second = sync_worker(&database, &standin, &["--cycles", "60"]);
        let (a, b) = (first.wait().unwrap(), second.wait().unwrap());
        standin.set_faults(Faults::default());
        assert!(a.success() || b.success(), "neither process emptied the outbox ({a}, {b})");

        let seen = standin.arrivals("Two-process note ");
        let duplicated = seen.values().filter(|&&n| n > 1).count();
        let missing = operations - seen.len();
        eprintln!(
            "two processes ({}): {operations} operations, {missing} missing, {duplicated} duplicated",
            standin.name()
        );
        assert_eq!((missing, duplicated), (0, 0));
        standin.stop().await;
    });
}

/// SIGKILL at random moments while a user writes and while a sync pulls and
/// pushes: nothing acknowledged is lost, nothing arrives twice, the database
/// stays sound.
#[test]
fn crash_kills_during_writes_and_sync_lose_and_duplicate_nothing() {
    crash_kills(false);
}

#[test]
fn crash_kills_during_writes_and_sync_to_halopsa_lose_and_duplicate_nothing() {
    crash_kills(true);
}

fn crash_kills(halo: bool) {
    runtime().block_on(async {
        let standin = Remote::start(halo).await;
        let dir = tempfile::tempdir().unwrap();
        let database = synced_folder(&standin, dir.path()).await;
        let kills = env_count("CRASH_KILLS", if halo { 50 } else { 100 });
        // Some latency so a kill lands inside requests, and lost answers.
        standin.set_faults(Faults { latency_ms: 2, rate: 0.1, kinds: vec![], seed: 5 });
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let mut random = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |below: u64| {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            random % below
        };
        let mut killed = 0;
        for round in 0..kills {
            let mut writer = Command::new(WORKER)
                .arg("write")
                .arg(&database)
                .arg(format!("r{round}"))
                .arg("40")
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let stdout = writer.stdout.take().unwrap();
            let collected = acked.clone();
            let reader = std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(body) = line.strip_prefix("ack ") {
                        collected.lock().unwrap().push(body.to_string());
                    }
                }
            });
            // Every fourth round the sync is a full pull (reconciliation) too.
            let full: &[&str] = if round % 4 == 0 { &["--full"] } else { &[] };
            let mut syncer = sync_worker(&database, &standin, full);
            tokio::time::sleep(Duration::from_millis(20 + next(180))).await;
            for child in [&mut writer, &mut syncer] {
                if child.try_wait().unwrap().is_none() {
                    child.kill().unwrap(); // SIGKILL
                    killed += 1;
                }
                child.wait().unwrap();
            }
            reader.join().unwrap();
        }
        standin.set_faults(Faults::default());
        // Afterwards, one clean run sends what is left.
        let mut last = sync_worker(&database, &standin, &["--cycles", "20"]);
        assert!(last.wait().unwrap().success(), "the outbox did not empty after the crashes");

        let db = Db::open(&database).unwrap();
        let integrity: String = db.read(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0))).unwrap();
        let corrupt = usize::from(integrity != "ok");
        let acked = acked.lock().unwrap().clone();
        let lost = acked
            .iter()
            .filter(|body| {
                db.read(|c| c.query_row("SELECT count(*) FROM ticket_notes WHERE body = ?1", [body], |r| r.get::<_, i64>(0)))
                    .unwrap()
                    == 0
            })
            .count();
        let seen = standin.arrivals("Crash note ");
        let duplicated = seen.values().filter(|&&n| n > 1).count();
        let unsent = acked.iter().filter(|body| !seen.contains_key(*body)).count();
        let psa = standin.name();
        println!("crash ({psa}): {killed} kills, {lost} lost, {duplicated} duplicated, {corrupt} corrupt ({} acknowledged writes, {unsent} unsent)", acked.len());
        eprintln!("crash ({psa}): {killed} kills, {lost} lost, {duplicated} duplicated, {corrupt} corrupt");
        assert!(killed >= kills / 2, "only {killed} kills landed");
        assert_eq!((lost, duplicated, corrupt, unsent), (0, 0, 0, 0));
        standin.stop().await;
    });
}
