//! Exactly once across processes and crashes, with real processes on one
//! data folder (`fieldkit-sync-worker`, which runs the app's core functions):
//! two syncs started together, and SIGKILL at random moments during user
//! writes and during a sync's pull and push. Bounded by count, so the suite
//! stays fast: `CRASH_KILLS` (default 100) and `TWO_PROCESS_OPS` (default 1,000).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use fieldkit_core::sync::autotask::{Autotask, Endpoint, RetryPolicy};
use fieldkit_core::sync::{self, Scope, SyncProgress};
use fieldkit_core::tickets::{add_note, NoteDraft};
use fieldkit_core::Db;
use fieldkit_standin::{Faults, Seed, Standin};
use uuid::Uuid;

const WORKER: &str = env!("CARGO_BIN_EXE_fieldkit-sync-worker");

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn me(standin: &Standin) -> i64 {
    standin
        .snapshot("Resources")
        .iter()
        .find(|r| r["firstName"] == "Alex" && r["lastName"] == "Morgan")
        .and_then(|r| r["id"].as_i64())
        .expect("Alex Morgan")
}

const QUEUE: i64 = 29683;

/// A data folder after a first sync against the stand-in.
async fn synced_folder(standin: &Standin, dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("fieldkit.db");
    let db = Arc::new(Db::open(&path).unwrap());
    let credentials = standin.credentials();
    let connector = Autotask::new(
        Endpoint {
            discovery_url: standin.base_url(),
            api_user: credentials.api_user,
            integration_code: credentials.integration_code,
            secret: zeroize::Zeroizing::new(credentials.secret),
        },
        RetryPolicy { attempts: 6, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(40) },
    )
    .unwrap();
    let scope = Scope {
        me: me(standin),
        queues: vec![QUEUE],
        calls_since: Utc::now() - chrono::Duration::days(30),
        extra_tickets: vec![],
    };
    sync::run_cycle(&db, &connector, &scope, Utc::now(), false, &Mutex::new(SyncProgress::default()))
        .await
        .expect("first sync");
    path
}

fn sync_worker(database: &std::path::Path, standin: &Standin, extra: &[&str]) -> Child {
    Command::new(WORKER)
        .arg("sync")
        .arg(database)
        .arg(standin.base_url())
        .arg(me(standin).to_string())
        .arg(QUEUE.to_string())
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("worker")
}

/// How many times each crash note arrived at the stand-in.
fn arrivals(standin: &Standin, prefix: &str) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for note in standin.snapshot("TicketNotes") {
        if let Some(body) = note["description"].as_str().filter(|d| d.starts_with(prefix)) {
            *seen.entry(body.to_string()).or_insert(0) += 1;
        }
    }
    seen
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Two processes sync the same data folder at once, a fifth of the requests
/// faulted: every note arrives exactly once.
#[test]
fn two_processes_syncing_one_folder_send_each_operation_once() {
    runtime().block_on(async {
        let standin = Standin::start(Seed::scaled(1), 0).await.unwrap();
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

        let seen = arrivals(&standin, "Two-process note ");
        let duplicated = seen.values().filter(|&&n| n > 1).count();
        let missing = operations - seen.len();
        eprintln!("two processes: {operations} operations, {missing} missing, {duplicated} duplicated");
        assert_eq!((missing, duplicated), (0, 0));
        standin.stop().await;
    });
}

/// SIGKILL at random moments while a user writes and while a sync pulls and
/// pushes: nothing acknowledged is lost, nothing arrives twice, the database
/// stays sound.
#[test]
fn crash_kills_during_writes_and_sync_lose_and_duplicate_nothing() {
    runtime().block_on(async {
        let standin = Standin::start(Seed::scaled(1), 0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let database = synced_folder(&standin, dir.path()).await;
        let kills = env_count("CRASH_KILLS", 100);
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
        let seen = arrivals(&standin, "Crash note ");
        let duplicated = seen.values().filter(|&&n| n > 1).count();
        let unsent = acked.iter().filter(|body| !seen.contains_key(*body)).count();
        println!("crash: {killed} kills, {lost} lost, {duplicated} duplicated, {corrupt} corrupt ({} acknowledged writes, {unsent} unsent)", acked.len());
        eprintln!("crash: {killed} kills, {lost} lost, {duplicated} duplicated, {corrupt} corrupt");
        assert!(killed >= kills / 2, "only {killed} kills landed");
        assert_eq!((lost, duplicated, corrupt, unsent), (0, 0, 0, 0));
        standin.stop().await;
    });
}
