//! The sync benchmark: prints figures, asserts nothing.
//!
//! 1. Initial sync of about 10,000 tickets and 100,000 notes from the
//!    stand-in: requests used against the minimum (pages needed + fixed
//!    calls), and time against fetching the same pages raw in the same run.
//! 2. A sync with nothing changed: requests per kind.
//! 3. Pushing 1,000 operations: requests per operation.
//!
//! `cargo run --release -p fieldkit-standin --bin fieldkit-sync-bench [-- --psa autotask|halo --tickets 10000 --notes 100000 --latency-ms 30]`
//!
//! `--psa halo` runs the same three against the HaloPSA stand-in and
//! connector: its minimum is Halo's pages of 100, one action read per
//! ticket (Halo lists actions per ticket only), one to-do list read per open
//! ticket of mine (likewise per ticket), the agents, the five lists and the
//! token; notes are actions.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use fieldkit_core::sample_data::SampleSize;
use fieldkit_core::sync::autotask::{Autotask, Endpoint, RetryPolicy};
use fieldkit_core::sync::halopsa::{self, HaloPsa};
use fieldkit_core::sync::{self, Connector, Kind, Scope, Selection, SyncProgress, SyncReport};
use fieldkit_core::tickets::{add_note, NoteDraft};
use fieldkit_core::Db;
use fieldkit_standin::halo::HaloStandin;
use fieldkit_standin::{Faults, Seed, Standin};
use uuid::Uuid;

fn arg(name: &str, default: u32) -> u32 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn psa_ids(db: &Db, sql: &str) -> Vec<i64> {
    db.read(|c| c.prepare(sql)?.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()).unwrap()
}

/// What the benchmark reads from either stand-in.
trait Served {
    fn set_faults(&self, faults: Faults);
    fn request_count(&self) -> u64;
    fn requests_by_path(&self) -> Vec<(String, u64)>;
}

impl Served for Standin {
    fn set_faults(&self, faults: Faults) {
        Standin::set_faults(self, faults)
    }
    fn request_count(&self) -> u64 {
        Standin::request_count(self)
    }
    fn requests_by_path(&self) -> Vec<(String, u64)> {
        Standin::requests_by_path(self)
    }
}

impl Served for HaloStandin {
    fn set_faults(&self, faults: Faults) {
        HaloStandin::set_faults(self, faults)
    }
    fn request_count(&self) -> u64 {
        HaloStandin::request_count(self)
    }
    fn requests_by_path(&self) -> Vec<(String, u64)> {
        HaloStandin::requests_by_path(self)
    }
}

fn main() {
    let tickets = arg("--tickets", 10_000);
    let notes = arg("--notes", 100_000);
    let args: Vec<String> = std::env::args().collect();
    let psa = args.iter().position(|a| a == "--psa").and_then(|i| args.get(i + 1)).map_or("autotask", |p| p.as_str());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let latency = u64::from(arg("--latency-ms", 30));
    match psa {
        "autotask" => runtime.block_on(run_autotask(tickets, notes, latency)),
        "halo" | "halopsa" => runtime.block_on(run_halo(tickets, notes, latency)),
        other => {
            eprintln!("fieldkit-sync-bench: --psa autotask|halo, not '{other}'");
            std::process::exit(2);
        }
    }
}

fn seed(tickets: u32, notes: u32) -> Seed {
    let size = SampleSize {
        customers: (tickets / 50).max(10),
        tickets,
        notes_per_ticket: (notes / tickets.max(1)).max(1),
        time_days: 14,
        time_per_day: 5,
        extra_technicians: 0,
        stock_movements: 0,
    };
    Seed { size, now: Utc::now() }
}

async fn run_halo(tickets: u32, notes: u32, latency: u64) {
    let seed = seed(tickets, notes);
    let now = seed.now;
    let started = Instant::now();
    let standin = HaloStandin::start(seed, 0).await.expect("stand-in");
    println!("Halo stand-in seeded in {:.1} s at {}", started.elapsed().as_secs_f64(), standin.base_url());
    let endpoint = halopsa::Endpoint {
        url: standin.base_url(),
        auth_url: String::new(),
        tenant: String::new(),
        client_id: fieldkit_standin::halo::CLIENT_ID.into(),
        secret: zeroize::Zeroizing::new(fieldkit_standin::halo::CLIENT_SECRET.into()),
    };
    let me = standin
        .snapshot("Agent")
        .iter()
        .find(|a| a["firstname"] == "Alex")
        .and_then(|a| a["id"].as_i64())
        .expect("Alex Morgan");
    // Every team: the whole sample is in scope.
    let queues: Vec<i64> = {
        let names: Vec<String> =
            standin.snapshot("Tickets").iter().filter_map(|t| t["team"].as_str().map(str::to_string)).collect();
        let mut q: Vec<i64> = fieldkit_core::picklists::default_picklists()
            .into_iter()
            .filter(|p| p.kind == fieldkit_core::picklists::PicklistKind::Queue && names.contains(&p.label))
            .map(|p| p.value)
            .collect();
        q.sort();
        q.dedup();
        q
    };
    let scope = Scope { me, queues, calls_since: now - chrono::Duration::days(30), extra_tickets: Vec::new() };
    let counts: BTreeMap<&str, usize> =
        ["Agent", "Client", "Site", "Users", "Asset", "Tickets", "Actions", "Appointment"]
            .into_iter()
            .map(|e| (e, standin.snapshot(e).len()))
            .collect();
    println!("stand-in holds {counts:?}");
    // The minimum: Halo's pages of 100 for each paged list pulled (at least
    // one each), one action read per ticket, one to-do read per open ticket
    // of mine, the agents, the five lists (statuses, priorities, teams,
    // ticket types, outcomes) and the token.
    let my_open = standin
        .snapshot("Tickets")
        .iter()
        .filter(|t| !t["hasbeenclosed"].as_bool().unwrap_or(false))
        .filter(|t| {
            t["agent_id"].as_i64() == Some(me)
                || t["additional_agents"].as_array().into_iter().flatten().any(|a| a["id"].as_i64() == Some(me))
        })
        .count() as u64;
    let minimum = move |report: &SyncReport| {
        let count = |kind: Kind| report.pulled.iter().find(|k| k.kind == kind.as_str()).map_or(0, |k| k.count as u64);
        let paged =
            [Kind::Companies, Kind::Locations, Kind::Contacts, Kind::Devices, Kind::Tickets, Kind::ServiceCalls];
        let pages: u64 = paged.into_iter().map(|kind| count(kind).div_ceil(halopsa::PAGE_SIZE as u64).max(1)).sum();
        pages + count(Kind::Tickets) + my_open + 1 + 5 + 1
    };
    let make = || HaloPsa::new(endpoint.clone(), RetryPolicy::default()).unwrap();
    run(&standin, make, scope, now, latency, minimum).await;
    standin.stop().await;
}

async fn run_autotask(tickets: u32, notes: u32, latency: u64) {
    let seed = seed(tickets, notes);
    let now = seed.now;
    let started = Instant::now();
    let standin = Standin::start(seed, 0).await.expect("stand-in");
    println!("stand-in seeded in {:.1} s at {}", started.elapsed().as_secs_f64(), standin.base_url());
    let credentials = standin.credentials();
    let endpoint = Endpoint {
        discovery_url: standin.base_url(),
        api_user: credentials.api_user,
        integration_code: credentials.integration_code,
        secret: zeroize::Zeroizing::new(credentials.secret),
    };
    let me = standin
        .snapshot("Resources")
        .iter()
        .find(|r| r["firstName"] == "Alex")
        .and_then(|r| r["id"].as_i64())
        .expect("Alex Morgan");
    // Every queue: the whole sample is in scope.
    let queues: Vec<i64> = {
        let mut q: Vec<i64> = standin.snapshot("Tickets").iter().filter_map(|t| t["queueID"].as_i64()).collect();
        q.sort();
        q.dedup();
        q
    };
    let scope = Scope { me, queues, calls_since: now - chrono::Duration::days(30), extra_tickets: Vec::new() };
    let counts: BTreeMap<&str, usize> = [
        "Resources",
        "Companies",
        "CompanyLocations",
        "Contacts",
        "ConfigurationItems",
        "Tickets",
        "TicketNotes",
        "ServiceCalls",
        "TimeEntries",
    ]
    .into_iter()
    .map(|e| (e, standin.snapshot(e).len()))
    .collect();
    println!("stand-in holds {counts:?}");
    // The minimum: one page per 500 records of each kind pulled (at least one
    // per kind), plus the fixed calls (zone discovery, threshold, 2 picklists).
    let minimum =
        |report: &SyncReport| report.pulled.iter().map(|k| (k.count as u64).div_ceil(500).max(1)).sum::<u64>() + 4;
    let make = || Autotask::new(endpoint.clone(), RetryPolicy::default()).unwrap();
    run(&standin, make, scope, now, latency, minimum).await;
    standin.stop().await;
}

/// The three measurements, against either PSA's stand-in and connector.
async fn run<S: Served, C: Connector>(
    standin: &S,
    make: impl Fn() -> C,
    scope: Scope,
    now: chrono::DateTime<Utc>,
    latency: u64,
    minimum: impl Fn(&SyncReport) -> u64,
) {
    // --- 1. initial sync, and the same pages fetched raw ----------------------
    let dir = tempfile::tempdir().unwrap();
    let db = std::sync::Arc::new(Db::open(&dir.path().join("bench.db")).unwrap());
    let connector = make();
    let before_paths: BTreeMap<String, u64> = standin.requests_by_path().into_iter().collect();
    let progress = Mutex::new(SyncProgress::default());
    let before = standin.request_count();
    let started = Instant::now();
    let report = sync::run_cycle(&db, &connector, &scope, now, false, &progress).await.expect("initial sync");
    let ours = started.elapsed();
    let used = standin.request_count() - before;
    let pulled: u32 = report.pulled.iter().map(|k| k.count).sum();
    let minimum = minimum(&report);
    println!(
        "\n-- initial sync: {pulled} records ({:?})",
        report.pulled.iter().map(|k| format!("{} {}", k.count, k.kind)).collect::<Vec<_>>()
    );
    println!("requests {used} against a minimum of {minimum} ({:.2}×)", used as f64 / minimum as f64);
    println!(
        "took {:.2} s, of which writing pages {:.2} s (alongside the network) and search documents {:.2} s (after it)",
        ours.as_secs_f64(),
        report.write_milliseconds as f64 / 1000.0,
        report.index_milliseconds as f64 / 1000.0
    );
    print_requests(&before_paths, standin);

    let ticket_ids: Vec<i64> = psa_ids(&db, "SELECT psa_id FROM tickets WHERE psa_id IS NOT NULL ORDER BY psa_id");
    let call_ids: Vec<i64> = psa_ids(&db, "SELECT psa_id FROM appointments WHERE psa_id IS NOT NULL ORDER BY psa_id");
    let compare = |latency: u64| {
        let (make, scope, ticket_ids, call_ids) = (&make, &scope, &ticket_ids, &call_ids);
        async move {
            standin.set_faults(Faults { latency_ms: latency, ..Faults::default() });
            // Raw and ours run twice, alternating, and are compared as sums:
            // the machine's drift during the run weighs on both alike.
            let mut times = Vec::new();
            let mut records = 0;
            for _ in 0..2 {
                let (raw, count) = raw_fetch(&make(), scope, ticket_ids, call_ids).await;
                records = count;
                let dir = tempfile::tempdir().unwrap();
                let db = std::sync::Arc::new(Db::open(&dir.path().join("bench.db")).unwrap());
                let connector = make();
                let started = Instant::now();
                let progress = Mutex::new(SyncProgress::default());
                sync::run_cycle(&db, &connector, scope, now, false, &progress).await.expect("initial sync");
                times.push((started.elapsed(), raw));
            }
            standin.set_faults(Faults::default());
            let ours: Duration = times.iter().map(|t| t.0).sum();
            let raw: Duration = times.iter().map(|t| t.1).sum();
            println!(
                "{latency:>3} ms a request: time {} against {} fetching the same pages raw ({records} records): {:.2}×",
                times.iter().map(|t| format!("{:.2} s", t.0.as_secs_f64())).collect::<Vec<_>>().join(", "),
                times.iter().map(|t| format!("{:.2} s", t.1.as_secs_f64())).collect::<Vec<_>>().join(", "),
                ours.as_secs_f64() / raw.as_secs_f64().max(1e-9)
            );
        }
    };
    // Raw: the same requests the first sync makes (the same kinds, filters and
    // 500-ticket chunks for children), POSTed and parsed, nothing stored. At
    // no added latency the stand-in answers from memory on this machine's
    // cores, alongside the sync: the worst case for the ratio. 30 ms a request
    // is a fast server on a good line (Autotask answers a 500-record page in
    // hundreds of milliseconds).
    compare(0).await;
    if latency > 0 {
        compare(latency).await;
    }

    // --- 2. nothing changed --------------------------------------------------------
    let before_paths: BTreeMap<String, u64> = standin.requests_by_path().into_iter().collect();
    let quiet = sync::run_cycle(&db, &connector, &scope, Utc::now(), false, &progress).await.expect("quiet sync");
    println!("\n-- a sync with nothing changed: {} requests in {} ms", quiet.requests, quiet.milliseconds);
    print_requests(&before_paths, standin);

    // --- 3. pushing 1,000 operations ---------------------------------------------
    let local: Vec<Uuid> = db
        .read(|c| {
            c.prepare("SELECT id FROM tickets ORDER BY row LIMIT 100")?
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .unwrap()
        .iter()
        .map(|id| Uuid::parse_str(id).unwrap())
        .collect();
    for i in 0..1000 {
        add_note(
            &db,
            &NoteDraft {
                ticket_id: local[i % local.len()],
                body: format!("Bench note {i}"),
                is_customer_visible: false,
            },
            Utc::now(),
        )
        .unwrap();
    }
    let before = standin.request_count();
    let started = Instant::now();
    let pushed = sync::run_cycle(&db, &connector, &scope, Utc::now(), false, &progress).await.expect("push");
    let took = started.elapsed();
    let requests = standin.request_count() - before;
    println!(
        "\n-- pushing 1,000 notes: {} sent in {:.2} s, {requests} requests ({:.3} per operation; the pull before it: {} of them)",
        pushed.pushed,
        took.as_secs_f64(),
        requests as f64 / 1000.0,
        quiet.requests
    );
}

/// The requests per endpoint since `before`.
fn print_requests(before: &BTreeMap<String, u64>, standin: &impl Served) {
    for (path, count) in standin.requests_by_path() {
        let delta = count - before.get(&path).copied().unwrap_or(0);
        if delta > 0 {
            println!("   {delta:>5}  {path}");
        }
    }
}

/// Every page of the first sync's requests, fetched and parsed, nothing stored.
async fn raw_fetch<C: Connector>(raw: &C, scope: &Scope, ticket_ids: &[i64], call_ids: &[i64]) -> (Duration, usize) {
    let started = Instant::now();
    let mut records = 0usize;
    let mut selections: Vec<(Kind, Selection)> = [
        Kind::Resources,
        Kind::Roles,
        Kind::Companies,
        Kind::Locations,
        Kind::Contacts,
        Kind::Devices,
        Kind::SecondaryResources,
        Kind::Tickets,
        Kind::ServiceCalls,
        Kind::TimeEntries,
    ]
    .into_iter()
    .map(|kind| (kind, Selection::Changed { since: None }))
    .collect();
    for chunk in ticket_ids.chunks(500) {
        selections.push((Kind::SecondaryResources, Selection::Children { parents: chunk.to_vec(), since: None }));
        selections.push((Kind::ChecklistItems, Selection::Children { parents: chunk.to_vec(), since: None }));
        selections.push((Kind::Notes, Selection::Children { parents: chunk.to_vec(), since: None }));
    }
    selections.push((Kind::ServiceCallTickets, Selection::Children { parents: call_ids.to_vec(), since: None }));
    let mut links = Vec::new();
    for (kind, selection) in &selections {
        let mut cursor: Option<String> = None;
        loop {
            let page = raw.pull(*kind, selection, scope, cursor.as_deref()).await.expect("raw page");
            records += page.records.len();
            if *kind == Kind::ServiceCallTickets {
                links.extend(page.records.iter().filter_map(|r| r["id"].as_i64()));
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    for chunk in links.chunks(500) {
        let selection = Selection::Children { parents: chunk.to_vec(), since: None };
        let page = raw.pull(Kind::ServiceCallResources, &selection, scope, None).await.expect("raw page");
        records += page.records.len();
    }
    (started.elapsed(), records)
}
