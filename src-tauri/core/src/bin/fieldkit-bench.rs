//! `fieldkit-bench`: builds a large ticket cache with the sample-data
//! generator and prints p50/p95 latencies of what the technician does, each
//! beside raw SQLite running the equivalent statements in the same run.
//!
//! ```text
//! cargo run --release -p fieldkit-core --bin fieldkit-bench -- [--tickets 100000] [--notes 1000000]
//!     [--customers 2000] [--iterations 200] [--dir PATH]
//! ```
//! Figures, not pass/fail: timed tests are flaky on shared machines.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use fieldkit_core::sample_data::{load_sample_data_sized, SampleSize};
use fieldkit_core::tickets::{
    add_note, catch_up_search, get_ticket, list_tickets, search_tickets, view_counts, NoteDraft, TicketQuery,
    TicketSort, TicketView,
};
use fieldkit_core::Db;
use rusqlite::Connection;
use uuid::Uuid;

struct Options {
    tickets: u32,
    notes: u32,
    customers: u32,
    iterations: usize,
    dir: Option<PathBuf>,
}

fn options() -> Options {
    let mut options = Options { tickets: 100_000, notes: 1_000_000, customers: 2_000, iterations: 200, dir: None };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--tickets" => options.tickets = value.parse().expect("--tickets: a number"),
            "--notes" => options.notes = value.parse().expect("--notes: a number"),
            "--customers" => options.customers = value.parse().expect("--customers: a number"),
            "--iterations" => options.iterations = value.parse().expect("--iterations: a number"),
            "--dir" => options.dir = Some(PathBuf::from(value)),
            other => panic!("unknown option {other}"),
        }
    }
    options
}

/// p50 and p95 of `samples`, in milliseconds.
fn percentiles(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[index].as_secs_f64() * 1000.0
    };
    (at(0.50), at(0.95))
}

fn time<T>(action: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = action();
    (value, started.elapsed())
}

fn report(name: &str, ours: &mut [Duration], raw: Option<&mut [Duration]>) {
    let (p50, p95) = percentiles(ours);
    match raw {
        Some(raw) => {
            let (raw50, raw95) = percentiles(raw);
            println!(
                "{name:<34} p50 {p50:>8.3} ms  p95 {p95:>8.3} ms   raw p50 {raw50:>8.3} ms  p95 {raw95:>8.3} ms   ratio p50 {:>5.2}×",
                p50 / raw50.max(0.000_001)
            );
        }
        None => println!("{name:<34} p50 {p50:>8.3} ms  p95 {p95:>8.3} ms"),
    }
}

fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find(|line| line.starts_with("VmHWM:")).and_then(|line| {
                line.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()).map(|kb| kb / 1024.0)
            })
        })
        .unwrap_or(0.0)
}

fn main() {
    let options = options();
    let dir = options
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("fieldkit-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir).expect("create the benchmark folder");
    let path = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let now = Utc::now();
    let db = Db::open(&path).expect("open the benchmark database");
    let size = SampleSize {
        customers: options.customers,
        tickets: options.tickets,
        notes_per_ticket: (options.notes / options.tickets.max(1)).max(1),
        // 20 technicians with three years of time entries (about 200,000).
        time_days: 3 * 365,
        time_per_day: 13,
        extra_technicians: 16,
        stock_movements: 100_000,
    };
    let (summary, took) = time(|| load_sample_data_sized(&db, &size, now).expect("generate"));
    let file_mib = std::fs::metadata(&path).map(|m| m.len() as f64 / 1_048_576.0).unwrap_or(0.0);
    println!(
        "built {} customers, {} tickets, {} notes, {} devices, {} time entries of {} people in {:.1} s; database {:.0} MiB at {}",
        summary.customers,
        summary.tickets,
        summary.notes,
        summary.devices,
        summary.time_entries,
        summary.resources,
        took.as_secs_f64(),
        file_mib,
        path.display()
    );
    let raw = Connection::open(&path).expect("raw connection");
    raw.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
    )
    .expect("raw pragmas");
    let n = options.iterations;

    println!("\n-- views: first page of 50 (ours: count + page + response clocks; raw: the same filter, page only)");
    for view in TicketView::ALL {
        let query = TicketQuery {
            view,
            sort: if view == TicketView::All { TicketSort::Activity } else { TicketSort::Priority },
            customer_id: None,
            priority: None,
            status: None,
            offset: 0,
            limit: 50,
        };
        let mut ours = Vec::with_capacity(n);
        let mut total = 0;
        for _ in 0..n {
            let (page, took) = time(|| list_tickets(&db, &query, now).expect("list"));
            total = page.total;
            ours.push(took);
        }
        report(&format!("view {view:?} ({total})"), &mut ours, None);
    }
    {
        let mut ours = Vec::with_capacity(n);
        for _ in 0..n {
            ours.push(time(|| view_counts(&db, now).expect("counts")).1);
        }
        report("all view counts (navigation)", &mut ours, None);
    }
    {
        // The same My todo page, written by hand against raw SQLite.
        let me = "5eed0000-0000-0000-0000-000000000001";
        let mut statement = raw
            .prepare(
                "SELECT t.id, t.number, t.title, c.name FROM tickets t JOIN customers c ON c.id = t.customer_id
                 LEFT JOIN picklist_values pp ON pp.kind = 'priority' AND pp.value = t.priority
                 WHERE t.completed_at IS NULL AND (t.primary_resource_id = ?1
                   OR t.row IN (SELECT ticket_row FROM ticket_secondary_resources WHERE resource_id = ?1 AND is_open = 1))
                 ORDER BY pp.sort_order, t.due_at IS NULL, t.due_at LIMIT 50",
            )
            .expect("raw view");
        let query = TicketQuery {
            view: TicketView::MyTodo,
            sort: TicketSort::Priority,
            customer_id: None,
            priority: None,
            status: None,
            offset: 0,
            limit: 50,
        };
        let (mut ours, mut raws) = (Vec::new(), Vec::new());
        for _ in 0..n {
            ours.push(time(|| list_tickets(&db, &query, now).expect("list")).1);
            raws.push(time(|| statement.query_map([me], |r| r.get::<_, String>(0)).unwrap().count()).1);
        }
        report("view MyTodo vs hand-written SQL", &mut ours, Some(&mut raws));
    }

    println!("\n-- ticket detail (ours: ticket, people, notes, appointments; raw: ticket row + its notes)");
    let ids: Vec<(Uuid, i64)> = {
        let mut statement = raw.prepare("SELECT id, row FROM tickets ORDER BY (row * 7919) % 100003 LIMIT ?1").unwrap();
        statement
            .query_map([n as i64], |r| Ok((Uuid::parse_str(&r.get::<_, String>(0)?).unwrap(), r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    {
        let mut ticket = raw.prepare("SELECT * FROM tickets WHERE id = ?1").unwrap();
        let mut notes =
            raw.prepare("SELECT * FROM ticket_notes WHERE ticket_row = ?1 ORDER BY created_at DESC").unwrap();
        let (mut ours, mut raws) = (Vec::new(), Vec::new());
        for (id, row) in &ids {
            ours.push(time(|| get_ticket(&db, *id, now).expect("detail")).1);
            raws.push(
                time(|| {
                    let _ = ticket.query_row([id.to_string()], |r| r.get::<_, String>(3)).unwrap();
                    notes.query_map([row], |r| r.get::<_, String>(6)).unwrap().count()
                })
                .1,
            );
        }
        report("ticket detail", &mut ours, Some(&mut raws));
    }

    println!("\n-- search (ours: bounded candidates, ranked, highlighted; raw: FTS5 MATCH ORDER BY rank LIMIT 30)");
    let rare_kb: String = raw
        .query_row("SELECT title FROM tickets WHERE title LIKE '%KB5%' LIMIT 1", [], |r| r.get(0))
        .unwrap_or_else(|_| "KB5000001".into());
    let rare_kb = rare_kb.split_whitespace().find(|w| w.starts_with("KB")).unwrap_or("KB5000001").to_string();
    let serial: String =
        raw.query_row(
        "SELECT d.serial_number FROM tickets t JOIN devices d ON d.id = t.device_id ORDER BY t.row LIMIT 1 OFFSET 7",
        [],
        |r| r.get(0),
    )
    .unwrap_or_default();
    let terms = [
        ("rare: KB number", rare_kb.clone()),
        ("rare: device serial", serial),
        ("common: customer", "customer".to_string()),
        ("common: the", "the".to_string()),
        ("common pair: printer spooler", "printer spooler".to_string()),
        ("prefix: pri", "pri".to_string()),
        ("prefix: resta", "resta".to_string()),
        ("ticket number prefix", "T2026".to_string()),
    ];
    let mut all_ours = Vec::new();
    for (name, term) in &terms {
        let fts: String =
            term.split_whitespace().map(|w| format!("\"{}\"", w.to_lowercase())).collect::<Vec<_>>().join(" ");
        let fts = if name.starts_with("prefix") || name.starts_with("ticket") { format!("{fts}*") } else { fts };
        let mut statement =
            raw.prepare("SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?1 ORDER BY rank LIMIT 30").unwrap();
        let iterations = (n / 4).max(10);
        let (mut ours, mut raws) = (Vec::new(), Vec::new());
        let mut found = 0;
        for _ in 0..iterations {
            let (results, took) = time(|| search_tickets(&db, term, now).expect("search"));
            found = results.hits.len();
            ours.push(took);
            raws.push(time(|| statement.query_map([&fts], |r| r.get::<_, i64>(0)).unwrap().count()).1);
        }
        all_ours.extend(ours.iter().copied());
        report(&format!("search {name} ({found} hits)"), &mut ours, Some(&mut raws));
    }
    report("search, all terms together", &mut all_ours, None);

    println!(
        "\n-- durable add-note (ours: validation, note + outbox entry in one transaction; raw: INSERT note + COMMIT)"
    );
    {
        let (mut ours, mut raws, mut catch_up) = (Vec::new(), Vec::new(), Vec::new());
        let mut insert = raw
            .prepare(
                "INSERT INTO ticket_notes (id, ticket_row, title, body, is_customer_visible, author_name, created_at)
                 VALUES (?1, ?2, '', ?3, 0, 'bench', ?4)",
            )
            .unwrap();
        let body = "Checked the event log and restarted the print spooler; waiting for the customer to confirm.";
        // In blocks: a commit by one connection empties the other's page cache,
        // which strict alternation would charge to every single write. In the
        // app there is one writer, so its cache stays warm.
        for block in ids.chunks(25) {
            for (id, _) in block {
                let draft = NoteDraft { ticket_id: *id, body: body.to_string(), is_customer_visible: false };
                ours.push(time(|| add_note(&db, &draft, Utc::now()).expect("add note")).1);
            }
            for (id, _) in block {
                let draft = NoteDraft { ticket_id: *id, body: body.to_string(), is_customer_visible: false };
                add_note(&db, &draft, Utc::now()).expect("add note");
                catch_up.push(time(|| catch_up_search(&db).expect("catch up")).1);
            }
            for (_, row) in block {
                raws.push(
                    time(|| {
                        raw.execute_batch("BEGIN IMMEDIATE").unwrap();
                        insert.execute(rusqlite::params![Uuid::new_v4().to_string(), row, body, Utc::now()]).unwrap();
                        raw.execute_batch("COMMIT").unwrap();
                    })
                    .1,
                );
            }
        }
        report("add note (durable)", &mut ours, Some(&mut raws));
        report("then: search document catch-up", &mut catch_up, None);
    }
    println!("\n-- time (ours: validation, entry + outbox entry, overlap check; raw: INSERT entry + COMMIT)");
    {
        use fieldkit_core::time::{my_week, save_time_entry, weekly_check, TimeEntryDraft, WeekQuery};
        let me_row: i64 = raw.query_row("SELECT row FROM tickets ORDER BY row DESC LIMIT 1", [], |r| r.get(0)).unwrap();
        let (ticket_id, ticket_number): (String, String) = raw
            .query_row("SELECT id, number FROM tickets WHERE row = ?1", [me_row], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        let ticket_id = Uuid::parse_str(&ticket_id).unwrap();
        let mut insert = raw
            .prepare(
                "INSERT INTO time_entries (id, resource_id, ticket_row, start_at, end_at, work_type, billable, summary_notes,
                     internal_notes, created_at, updated_at)
                 VALUES (?1, '5eed0000-0000-0000-0000-000000000002', ?2, ?3, ?4, 29682790, 1, 'bench', '', ?3, ?3)",
            )
            .unwrap();
        let (mut ours, mut raws) = (Vec::new(), Vec::new());
        let base = now - chrono::Duration::days(400);
        for block in 0..(n / 25).max(1) {
            for i in 0..25 {
                let start = base + chrono::Duration::minutes(((block * 25 + i) * 90) as i64);
                let draft = TimeEntryDraft {
                    id: None,
                    ticket_id,
                    ticket_number: ticket_number.clone(),
                    appointment_id: None,
                    start_at: start,
                    end_at: start + chrono::Duration::minutes(30),
                    work_type: 29682790,
                    billable: true,
                    summary_notes: "Applied the pending updates and rebooted.".into(),
                    internal_notes: String::new(),
                    split_at_midnight: true,
                    from_timer: false,
                };
                ours.push(time(|| save_time_entry(&db, &draft, Utc::now()).expect("save time")).1);
            }
            for i in 0..25 {
                let start = base + chrono::Duration::minutes(((block * 25 + i) * 90 + 45) as i64);
                raws.push(
                    time(|| {
                        raw.execute_batch("BEGIN IMMEDIATE").unwrap();
                        insert
                            .execute(rusqlite::params![
                                Uuid::new_v4().to_string(),
                                me_row,
                                start,
                                start + chrono::Duration::minutes(30)
                            ])
                            .unwrap();
                        raw.execute_batch("COMMIT").unwrap();
                    })
                    .1,
                );
            }
        }
        report("save time entry (durable)", &mut ours, Some(&mut raws));
        let today = now.date_naive();
        let monday =
            today - chrono::Duration::days(i64::from(chrono::Datelike::weekday(&today).num_days_from_monday()));
        let week = WeekQuery { first: monday, last: monday + chrono::Duration::days(6) };
        let mut checks = Vec::new();
        let mut weeks = Vec::new();
        for _ in 0..n {
            checks.push(time(|| weekly_check(&db, &week, now).expect("weekly check")).1);
            weeks.push(time(|| my_week(&db, &week, now).expect("my week")).1);
        }
        report("weekly check", &mut checks, None);
        report("my week (entries and day totals)", &mut weeks, None);
    }

    println!("\n-- change log (200,000 records; ours: validation, encrypted secret, revision, search document; raw: INSERT record + COMMIT)");
    {
        use fieldkit_core::changes::{list_changes, save_change, ChangeCategory, ChangeDraft, ChangeQuery};
        use fieldkit_core::vault::Vault;
        let customers: Vec<String> = {
            let mut statement = raw.prepare("SELECT id FROM customers ORDER BY id").unwrap();
            statement.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        let (built, took) = time(|| {
            raw.execute_batch("BEGIN").unwrap();
            let mut insert = raw
                .prepare(
                    "INSERT INTO change_records (id, record_id, revision, customer_id, category, summary, fields, created_at)
                     VALUES (?1, ?1, 1, ?2, 'network_change', ?3, '{\"what_changed\":\"VLAN\",\"after\":\"VLAN 20\"}', ?4)",
                )
                .unwrap();
            let mut search = raw
                .prepare("INSERT INTO change_search (rowid, summary, fields) VALUES (?1, ?2, 'VLAN VLAN 20')")
                .unwrap();
            for index in 0..200_000u32 {
                let summary = format!("Moved device {index} to the office VLAN");
                let at = now - chrono::Duration::minutes(i64::from(200_000 - index) * 8);
                insert
                    .execute(rusqlite::params![
                        Uuid::from_u64_pair(0xc4a9, u64::from(index)).to_string(),
                        customers[index as usize % customers.len()],
                        summary,
                        at
                    ])
                    .unwrap();
                search.execute(rusqlite::params![raw.last_insert_rowid(), summary]).unwrap();
            }
            raw.execute_batch("COMMIT").unwrap();
            200_000
        });
        println!("wrote {built} change records in {:.1} s", took.as_secs_f64());
        let vault = Vault::default();
        vault.set_up(&db, Some("benchmark passphrase")).expect("vault");
        let customer = Uuid::parse_str(&customers[0]).unwrap();
        let mut insert = raw
            .prepare(
                "INSERT INTO change_records (id, record_id, revision, customer_id, category, summary, fields, created_at)
                 VALUES (?1, ?1, 1, ?2, 'password_change', 'raw', '{}', ?3)",
            )
            .unwrap();
        let (mut ours, mut raws, mut pages) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..(n / 25).max(1) {
            for _ in 0..25 {
                let draft = ChangeDraft {
                    correcting: None,
                    customer_id: customer,
                    site_id: None,
                    device_id: None,
                    ticket_id: None,
                    category: ChangeCategory::PasswordChange,
                    summary: "Reset the front desk admin password".into(),
                    fields: [
                        ("system".to_string(), "FRONTDESK".to_string()),
                        ("vault_reference".to_string(), "IT Glue".to_string()),
                    ]
                    .into_iter()
                    .collect(),
                    secret: Some("benchmark-secret-value".into()),
                };
                ours.push(time(|| save_change(&db, &vault, &draft, Utc::now()).expect("save change")).1);
            }
            for _ in 0..25 {
                raws.push(
                    time(|| {
                        raw.execute_batch("BEGIN IMMEDIATE").unwrap();
                        insert
                            .execute(rusqlite::params![Uuid::new_v4().to_string(), customers[0], Utc::now()])
                            .unwrap();
                        raw.execute_batch("COMMIT").unwrap();
                    })
                    .1,
                );
            }
            for _ in 0..25 {
                let query = ChangeQuery { customer_id: Some(customer), limit: 50, ..ChangeQuery::default() };
                pages.push(time(|| list_changes(&db, &query).expect("list changes")).1);
            }
        }
        report("save change record (durable)", &mut ours, Some(&mut raws));
        report("a customer's change log, first page", &mut pages, None);
    }

    println!("\n-- service reports (20 parts lines, a dense signature of 6 strokes × 250 points)");
    {
        use fieldkit_core::reports::{
            create_report, render_pdf, save_report_draft, seal_report, Paper, PartLine, ReportDraft, SignatureInput,
            StrokePoint,
        };
        use fieldkit_core::vault::Vault;
        let vault = Vault::default();
        vault.unlock(&db, Some("benchmark passphrase")).expect("unlock");
        let strokes: Vec<Vec<StrokePoint>> = (0..6)
            .map(|s| {
                (0..250)
                    .map(|i| {
                        let t = i as f32 / 250.0;
                        StrokePoint {
                            x: 0.05 + 0.15 * s as f32 + 0.1 * t,
                            y: 0.5 + 0.35 * (t * 9.0 + s as f32).sin(),
                            t: i * 8,
                            p: 0.5,
                        }
                    })
                    .collect()
            })
            .collect();
        let parts: Vec<PartLine> = (1..=20)
            .map(|i| PartLine { item: format!("Cat6 patch cable {i} m"), quantity: i, item_id: None })
            .collect();
        let (mut seals, mut pdfs) = (Vec::new(), Vec::new());
        let mut size = 0;
        for (ticket, _) in ids.iter().take((n / 4).max(10)) {
            let report = create_report(&db, *ticket, now).expect("report");
            save_report_draft(
                &db,
                &ReportDraft {
                    id: report.id,
                    work_performed: "Replaced the switch, traced and labelled every drop. ".repeat(20),
                    findings: "The closet has no ventilation.".into(),
                    recommendations: "Add a fan and a UPS.".into(),
                    customer_notes: "Thank you!".into(),
                    follow_up_needed: true,
                    follow_up_what: "Quote a UPS".into(),
                    parts: parts.clone(),
                },
                now,
            )
            .expect("draft");
            let signature = SignatureInput {
                strokes: strokes.clone(),
                signer_name: "Dana Reyes".into(),
                signer_title: "Owner".into(),
                no_signature_reason: String::new(),
                record_anyway: false,
                paper: None,
            };
            seals.push(time(|| seal_report(&db, &vault, report.id, &signature, now).expect("seal")).1);
            let (pdf, took) = time(|| render_pdf(&db, report.id, "Fieldkit MSP", Paper::A4).expect("pdf"));
            size = pdf.len();
            pdfs.push(took);
        }
        report("seal a report (durable)", &mut seals, None);
        report("render its PDF", &mut pdfs, None);
        println!("PDF size {:.0} KB", size as f64 / 1024.0);
    }

    println!(
        "\n-- stock ({} items, {} movements; ours: validation, movement, restock review, durable; raw: INSERT movement + COMMIT)",
        summary.stock_items, summary.stock_movements
    );
    {
        use fieldkit_core::stock::{
            item_history, list_stock, record_movement, stock_usage, MovementDraft, MovementKind,
        };
        let items: Vec<Uuid> = list_stock(&db).expect("stock").items.iter().map(|item| item.id).collect();
        let mut insert = raw
            .prepare(
                "INSERT INTO stock_movements (id, item_id, kind, delta, balance_after, reason, at)
                 VALUES (?1, ?2, 'adjusted', 0, 0, 'bench', ?3)",
            )
            .unwrap();
        let (mut ours, mut raws) = (Vec::new(), Vec::new());
        for block in 0..(n / 25).max(1) {
            for i in 0..25 {
                let step = block * 25 + i;
                let draft = MovementDraft {
                    item_id: items[step % items.len()],
                    kind: if step % 2 == 0 { MovementKind::Used } else { MovementKind::Received },
                    quantity: "1".into(),
                    reason: String::new(),
                    ticket_id: None,
                    record_anyway: true,
                };
                ours.push(time(|| record_movement(&db, &draft, now).expect("movement")).1);
            }
            for i in 0..25 {
                let item = items[(block * 25 + i) % items.len()].to_string();
                raws.push(
                    time(|| {
                        raw.execute_batch("BEGIN IMMEDIATE").unwrap();
                        insert.execute(rusqlite::params![Uuid::new_v4().to_string(), item, now]).unwrap();
                        raw.execute_batch("COMMIT").unwrap();
                    })
                    .1,
                );
            }
        }
        report("record a movement (durable)", &mut ours, Some(&mut raws));
        let mut lists: Vec<Duration> = (0..n).map(|_| time(|| list_stock(&db).expect("stock list")).1).collect();
        report("stock list, derived quantities", &mut lists, None);
        let mut histories: Vec<Duration> =
            (0..n).map(|i| time(|| item_history(&db, items[i % items.len()], 200).expect("history")).1).collect();
        report("an item's history (200 newest)", &mut histories, None);
        let mut usages: Vec<Duration> =
            (0..n.min(50)).map(|_| time(|| stock_usage(&db, None, 6, now).expect("usage")).1).collect();
        report("usage chart, every item, 6 months", &mut usages, None);
        let check: (i64, i64) = raw
            .query_row(
                "SELECT (SELECT sum(on_hand) FROM stock_items), (SELECT sum(delta) FROM stock_movements)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        println!(
            "on hand across items {} = ledger sum {} ({})",
            check.0,
            check.1,
            if check.0 == check.1 { "ok" } else { "MISMATCH" }
        );
    }

    println!("\npeak memory (VmHWM) {:.0} MiB", peak_memory_mib());
    if options.dir.is_none() {
        drop(raw);
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
