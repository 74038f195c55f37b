//! A worker process for the crash and two-process tests (`tests/crash.rs`):
//! it runs the same core functions the app's commands and background sync
//! call, on a real data folder, so a test can start several at once or kill
//! one with SIGKILL at any moment.
//!
//! `fieldkit-sync-worker sync <database> <stand-in url> <me> <queue> [--cycles N] [--full] [--psa halo]`
//!   runs sync cycles until the outbox is empty (exit 0) or N cycles have
//!   passed (exit 1); a cycle held by another process is waited for. With
//!   `--psa halo` it talks to the HaloPSA stand-in through the Halo connector.
//! `fieldkit-sync-worker write <database> <tag> <count>`
//!   adds `count` notes ("Crash note <tag>-<i>") to cached tickets, printing
//!   `ack <body>` once each is committed.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use fieldkit_core::sync::autotask::{Autotask, Endpoint, RetryPolicy};
use fieldkit_core::sync::halopsa::{self, HaloPsa};
use fieldkit_core::sync::{self, Connector, Scope, SyncError, SyncProgress};
use fieldkit_core::tickets::{add_note, NoteDraft};
use fieldkit_core::Db;
use uuid::Uuid;

const USAGE: &str = "usage: fieldkit-sync-worker sync <database> <url> <me> <queue> [--cycles N] [--full] [--psa halo]
       fieldkit-sync-worker write <database> <tag> <count>";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = match args.get(1).map(String::as_str) {
        Some("sync") if args.len() >= 6 => sync_until_empty(&args[2..]),
        Some("write") if args.len() == 5 => write_notes(&args[2..]),
        _ => {
            eprintln!("{USAGE}");
            2
        }
    };
    std::process::exit(code);
}

fn sync_until_empty(args: &[String]) -> i32 {
    let retry = RetryPolicy { attempts: 6, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(40) };
    if args.windows(2).any(|pair| pair[0] == "--psa" && pair[1] == "halo") {
        let connector = HaloPsa::new(
            halopsa::Endpoint {
                url: args[1].clone(),
                auth_url: String::new(),
                tenant: String::new(),
                client_id: fieldkit_standin::halo::CLIENT_ID.into(),
                secret: zeroize::Zeroizing::new(fieldkit_standin::halo::CLIENT_SECRET.into()),
            },
            retry,
        )
        .expect("connector");
        return cycles_until_empty(args, &connector);
    }
    let credentials = fieldkit_standin::standin_credentials();
    let connector = Autotask::new(
        Endpoint {
            discovery_url: args[1].clone(),
            api_user: credentials.api_user,
            integration_code: credentials.integration_code,
            secret: zeroize::Zeroizing::new(credentials.secret),
        },
        retry,
    )
    .expect("connector");
    cycles_until_empty(args, &connector)
}

fn cycles_until_empty<C: Connector>(args: &[String], connector: &C) -> i32 {
    let number = |text: &str| text.parse::<i64>().unwrap_or_else(|_| panic!("not a number: {text}"));
    let db = Arc::new(Db::open(std::path::Path::new(&args[0])).expect("database"));
    let scope = Scope {
        me: number(&args[2]),
        queues: vec![number(&args[3])],
        calls_since: Utc::now() - chrono::Duration::days(30),
        extra_tickets: Vec::new(),
    };
    let cycles = args.iter().position(|a| a == "--cycles").and_then(|i| args.get(i + 1)).map_or(30, |n| number(n));
    let full = args.iter().any(|a| a == "--full");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let progress = Mutex::new(SyncProgress::default());
    for _ in 0..cycles {
        match runtime.block_on(sync::run_cycle(&db, connector, &scope, Utc::now(), full, &progress)) {
            Ok(report) => {
                println!("cycle: pushed {}, waiting {}, failed {}", report.pushed, report.waiting, report.failed)
            }
            Err(SyncError::Busy) => {
                println!("busy: another process is syncing");
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(error) => println!("cycle failed: {error}"),
        }
        if fieldkit_core::outbox::count_pending(&db).expect("outbox") == 0 {
            return 0;
        }
    }
    1
}

fn write_notes(args: &[String]) -> i32 {
    let db = Db::open(std::path::Path::new(&args[0])).expect("database");
    let tag = &args[1];
    let count: usize = args[2].parse().expect("count");
    let tickets: Vec<String> = db
        .read(|c| {
            c.prepare(
                "SELECT id FROM tickets WHERE psa_id IS NOT NULL AND completed_at IS NULL ORDER BY psa_id LIMIT 10",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()
        })
        .expect("tickets");
    let mut out = std::io::stdout().lock();
    for i in 0..count {
        let body = format!("Crash note {tag}-{i}");
        let ticket_id = Uuid::parse_str(&tickets[i % tickets.len()]).expect("ticket id");
        add_note(&db, &NoteDraft { ticket_id, body: body.clone(), is_customer_visible: false }, Utc::now())
            .expect("note");
        // Printed only after the commit: an "ack" is a write the user saw saved.
        writeln!(out, "ack {body}").and_then(|_| out.flush()).expect("stdout");
        // At a person's pace, so a kill lands between and inside writes.
        std::thread::sleep(std::time::Duration::from_millis(4));
    }
    0
}
