use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::backup::{create_backup, stage_restore};
use fieldkit_core::customers::{save_customer, CustomerDraft, CustomerQuery};
use fieldkit_core::data_dir::database_path;
use fieldkit_core::db::SCHEMA_VERSION;
use fieldkit_core::Db;
use rusqlite::Connection;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn customer(db: &Db, name: &str) {
    save_customer(db, &CustomerDraft { name: name.into(), ..Default::default() }, Utc::now()).unwrap();
}

fn customer_names(db: &Db) -> Vec<String> {
    let mut names: Vec<String> = fieldkit_core::customers::list_customers(db, &CustomerQuery::default())
        .unwrap()
        .into_iter()
        .map(|row| row.name)
        .collect();
    names.sort();
    names
}

fn integrity(path: &Path) -> String {
    Connection::open(path).unwrap().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

/// Names of the entries of a data folder that a restore leaves behind when it refuses (staging folders).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.starts_with(".restore-") || name.starts_with(".backup-") || name.starts_with("before-restore")
        })
        .collect()
}

/// Writes as a sync pull does (`write_replayable` pages of rows) until told
/// to stop: each page adds 200 rows of 512 bytes to `settings` and sets
/// `test.rows` to the total, so any committed state has
/// count(rows) = `test.rows`. Returns the totals it committed.
fn start_writer(
    db: Arc<Db>,
    stop: Arc<AtomicBool>,
    commits: Arc<AtomicI64>,
) -> std::thread::JoinHandle<(Vec<i64>, Duration)> {
    std::thread::spawn(move || {
        let mut committed = vec![0];
        let mut total = 0i64;
        let mut slowest = Duration::ZERO;
        let filler = "x".repeat(512);
        while !stop.load(Ordering::SeqCst) {
            let started = Instant::now();
            db.write_replayable(|tx| {
                for _ in 0..200 {
                    total += 1;
                    tx.execute(
                        "INSERT INTO settings (key, value) VALUES (?1, ?2)",
                        (format!("test.row.{total}"), &filler),
                    )?;
                }
                tx.execute(
                    "INSERT OR REPLACE INTO settings (key, value) VALUES ('test.rows', ?1)",
                    [total.to_string()],
                )?;
                Ok::<_, rusqlite::Error>(())
            })
            .unwrap();
            slowest = slowest.max(started.elapsed());
            committed.push(total);
            commits.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(2));
        }
        (committed, slowest)
    })
}

fn rows_and_counter(path: &Path) -> (i64, i64) {
    let connection = Connection::open(path).unwrap();
    let rows: i64 =
        connection.query_row("SELECT count(*) FROM settings WHERE key LIKE 'test.row.%'", [], |r| r.get(0)).unwrap();
    let counter: i64 = connection
        .query_row(
            "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'test.rows'), 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (rows, counter)
}

#[test]
fn a_backup_taken_while_a_sync_writes_is_one_committed_state_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = Arc::new(Db::open(&database_path(&data)).unwrap());
    fieldkit_core::sample_data::load_sample_data(&db, 1, Utc::now()).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let commits = Arc::new(AtomicI64::new(0));
    let writer = start_writer(db.clone(), stop.clone(), commits.clone());
    // Let the database grow past what one step copies (1 MiB).
    while commits.load(Ordering::SeqCst) < 40 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut archives = Vec::new();
    for round in 0..3 {
        let archive = dir.path().join(format!("backup-{round}.fkbackup"));
        let before = commits.load(Ordering::SeqCst);
        let started = Instant::now();
        let summary = create_backup(&data, &archive, Utc::now()).unwrap();
        let during = commits.load(Ordering::SeqCst) - before;
        println!(
            "backup {round}: {} bytes in {:?}, {during} sync pages committed meanwhile",
            summary.bytes,
            started.elapsed()
        );
        archives.push((archive, during));
    }
    stop.store(true, Ordering::SeqCst);
    let (committed, slowest) = writer.join().unwrap();
    println!("writer: {} pages, slowest {slowest:?}", committed.len() - 1);
    assert!(archives.iter().any(|(_, during)| *during > 0), "the writer kept committing during a backup");
    assert!(slowest < Duration::from_secs(5), "the writer was held up for {slowest:?}");

    for (archive, _) in &archives {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(archive).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let target = tempfile::tempdir().unwrap();
        let app = AppDatabase::open(target.path());
        let outcome = app.restore(archive, Utc::now()).unwrap();
        assert_eq!(outcome.schema_version, SCHEMA_VERSION);
        let restored = database_path(target.path());
        assert_eq!(integrity(&restored), "ok");
        let (rows, counter) = rows_and_counter(&restored);
        assert_eq!(rows, counter, "one committed state");
        assert!(committed.contains(&counter), "{counter} is a total the writer committed");
        assert!(!customer_names(&app.db().unwrap()).is_empty(), "the sample data came along");
    }
}

#[test]
fn a_restore_puts_the_backup_in_place_and_keeps_the_current_data_aside() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let app = AppDatabase::open(&data);
    customer(&app.db().unwrap(), "Harbor Dental Group");
    fieldkit_core::files::write_export(&app.exports_dir(), "changes-harbor.csv", b"before").unwrap();
    let archive = dir.path().join("monday.fkbackup");
    let summary = create_backup(&data, &archive, at("2026-11-23T08:00:00Z")).unwrap();
    assert_eq!(summary.exports, 1);

    // Afterwards: a new customer, the export rewritten, a second export.
    customer(&app.db().unwrap(), "Northwind Traders");
    fieldkit_core::files::write_export(&app.exports_dir(), "changes-harbor.csv", b"after").unwrap();
    fieldkit_core::files::write_export(&app.exports_dir(), "handoff.md", b"later").unwrap();

    let outcome = app.restore(&archive, at("2026-11-24T09:30:00Z")).unwrap();
    assert_eq!(customer_names(&app.db().unwrap()), ["Harbor Dental Group"]);
    assert_eq!(std::fs::read(app.exports_dir().join("changes-harbor.csv")).unwrap(), b"before");
    assert!(!app.exports_dir().join("handoff.md").exists());
    assert_eq!(outcome.backup_created_at, at("2026-11-23T08:00:00Z"));
    assert_eq!(outcome.exports, 1);
    assert!(outcome.secrets_note.is_none(), "no vault, nothing to say");

    // What was there before is kept, whole, where the outcome says.
    let kept = PathBuf::from(&outcome.kept_aside_at);
    assert_eq!(kept.file_name().unwrap(), "before-restore-20261124-093000");
    assert_eq!(kept.parent().unwrap(), data);
    let before = Db::open(&kept.join("fieldkit.db")).unwrap();
    assert_eq!(customer_names(&before), ["Harbor Dental Group", "Northwind Traders"]);
    assert_eq!(std::fs::read(kept.join("exports/changes-harbor.csv")).unwrap(), b"after");
    assert_eq!(std::fs::read(kept.join("exports/handoff.md")).unwrap(), b"later");
    assert!(leftovers(&data).iter().all(|name| name.starts_with("before-restore")), "{:?}", leftovers(&data));

    // The restored database is the app's again: writes work.
    customer(&app.db().unwrap(), "Contoso");
    assert_eq!(customer_names(&app.db().unwrap()).len(), 2);
}

/// The migrations' SQL up to (not including) the last one: a database as an
/// older Fieldkit left it.
fn older_schema_database(path: &Path) -> i64 {
    let scripts = [
        include_str!("../../migrations/0001_customers.sql"),
        include_str!("../../migrations/0002_tickets.sql"),
        include_str!("../../migrations/0003_time.sql"),
        include_str!("../../migrations/0004_changes.sql"),
        include_str!("../../migrations/0005_service_reports.sql"),
        include_str!("../../migrations/0006_stock.sql"),
        include_str!("../../migrations/0007_sync.sql"),
        include_str!("../../migrations/0008_service_desk_roles.sql"),
        include_str!("../../migrations/0009_trust.sql"),
        include_str!("../../migrations/0010_checklist.sql"),
        include_str!("../../migrations/0011_visits.sql"),
        include_str!("../../migrations/0012_team.sql"),
    ];
    let version = i64::try_from(scripts.len()).unwrap();
    assert!(version < SCHEMA_VERSION, "the test needs a newer schema than its scripts");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let connection = Connection::open(path).unwrap();
    connection.pragma_update(None, "journal_mode", "WAL").unwrap();
    for script in scripts {
        connection.execute_batch(script).unwrap();
    }
    connection.pragma_update(None, "user_version", version).unwrap();
    connection
        .execute(
            "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', 'Old Mill Bakery', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    version
}

#[test]
fn a_backup_from_an_older_schema_is_migrated_on_restore() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    let old_version = older_schema_database(&database_path(&old));
    let archive = dir.path().join("old.fkbackup");
    assert_eq!(create_backup(&old, &archive, Utc::now()).unwrap().schema_version, old_version);

    let data = dir.path().join("data");
    let app = AppDatabase::open(&data);
    customer(&app.db().unwrap(), "Current Customer");
    let outcome = app.restore(&archive, Utc::now()).unwrap();
    assert_eq!(outcome.backup_schema_version, old_version);
    assert_eq!(outcome.schema_version, SCHEMA_VERSION);
    let db = app.db().unwrap();
    assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(customer_names(&db), ["Old Mill Bakery"]);
    let notices: i64 = db.read(|c| c.query_row("SELECT count(*) FROM notices_sent", [], |r| r.get(0))).unwrap();
    assert_eq!(notices, 0, "the newer tables exist");
}

/// The current data of a test: one customer and one export.
fn current_data(dir: &Path) -> (PathBuf, AppDatabase) {
    let data = dir.join("data");
    let app = AppDatabase::open(&data);
    customer(&app.db().unwrap(), "Current Customer");
    fieldkit_core::files::write_export(&app.exports_dir(), "current.csv", b"current").unwrap();
    (data, app)
}

fn assert_untouched(data: &Path, app: &AppDatabase) {
    assert_eq!(customer_names(&app.db().unwrap()), ["Current Customer"]);
    assert_eq!(std::fs::read(app.exports_dir().join("current.csv")).unwrap(), b"current");
    assert!(leftovers(data).is_empty(), "nothing moved, nothing left: {:?}", leftovers(data));
}

#[test]
fn a_backup_of_a_newer_schema_is_refused_and_the_current_data_stays() {
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("newer");
    drop(Db::open(&database_path(&newer)).unwrap());
    Connection::open(database_path(&newer)).unwrap().pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    let archive = dir.path().join("newer.fkbackup");
    create_backup(&newer, &archive, Utc::now()).unwrap();

    let (data, app) = current_data(dir.path());
    let error = app.restore(&archive, Utc::now()).unwrap_err();
    assert!(
        error.message.contains(&format!(
            "made by a newer Fieldkit (schema {}, this app knows {SCHEMA_VERSION})",
            SCHEMA_VERSION + 1
        )),
        "{}",
        error.message
    );
    assert_untouched(&data, &app);
}

#[test]
fn a_tampered_truncated_or_foreign_file_is_refused_and_the_current_data_stays() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    let source_app = AppDatabase::open(&source);
    customer(&source_app.db().unwrap(), "From The Backup");
    fieldkit_core::files::write_export(&source_app.exports_dir(), "report.csv", b"a,b\n1,2\n").unwrap();
    let archive = dir.path().join("good.fkbackup");
    create_backup(&source, &archive, Utc::now()).unwrap();
    let good = std::fs::read(&archive).unwrap();

    let (data, app) = current_data(dir.path());
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let mut cases: Vec<(String, PathBuf)> = Vec::new();
    // One changed byte: in the database, in the manifest, in a header, in
    // the padding after the last file, in the closing blocks.
    let database_offset = good.windows(16).position(|w| w == b"SQLite format 3\0").unwrap();
    let manifest_offset = good.windows(8).position(|w| w == b"\"format\"").unwrap();
    for (label, offset) in [
        ("database byte", database_offset + 5000),
        ("manifest byte", manifest_offset + 3),
        ("header byte", 10),
        ("closing block", good.len() - 100),
    ] {
        let mut bytes = good.clone();
        bytes[offset] ^= 0x01;
        cases.push((label.into(), write(&format!("{label}.fkbackup"), &bytes)));
    }
    for cut in [good.len() / 2, good.len() - 1024, good.len() - 1, 600] {
        cases.push((format!("cut at {cut}"), write(&format!("cut-{cut}.fkbackup"), &good[..cut])));
    }
    cases.push(("text file".into(), write("notes.fkbackup", &b"not a backup, a shopping list\n".repeat(100))));
    cases.push(("empty file".into(), write("empty.fkbackup", b"")));
    let bare_database = std::fs::read(database_path(&source)).unwrap();
    cases.push(("a bare database".into(), write("bare.fkbackup", &bare_database)));
    // A tar of something else.
    let mut other = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(5);
    header.set_mode(0o600);
    other.append_data(&mut header, "hello.txt", &b"hello"[..]).unwrap();
    cases.push(("another tar".into(), write("other.fkbackup", &other.into_inner().unwrap())));
    cases.push(("missing file".into(), dir.path().join("nowhere.fkbackup")));

    for (label, path) in &cases {
        let error = app.restore(path, Utc::now()).expect_err(label);
        println!("{label}: {}", error.message);
        assert!(!error.message.is_empty());
        assert_untouched(&data, &app);
    }
    // The good one still restores.
    app.restore(&archive, Utc::now()).unwrap();
    assert_eq!(customer_names(&app.db().unwrap()), ["From The Backup"]);
}

#[test]
fn an_export_entry_cannot_leave_the_staging_folder() {
    // A backup written by hand with an entry named to climb out of exports/.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let manifest = br#"{"format":"fieldkit-backup","format_version":1,"app_version":"0","schema_version":1,"created_at":"2026-01-01T00:00:00Z","files":[{"path":"fieldkit.db","size":0,"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},{"path":"exports/../../escaped","size":0,"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}"#;
    let mut builder = tar::Builder::new(Vec::new());
    for (name, bytes) in [("manifest.json", &manifest[..]), ("fieldkit.db", b""), ("exports/../../escaped", b"")] {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_entry_type(tar::EntryType::Regular);
        // `append_data` refuses `..`; the raw name is what a hostile file would carry.
        header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, bytes).unwrap();
    }
    let archive = dir.path().join("hostile.fkbackup");
    std::fs::write(&archive, builder.into_inner().unwrap()).unwrap();
    let error = stage_restore(&data, &archive).unwrap_err();
    assert!(error.to_string().contains("not a file a backup holds"), "{error}");
    assert!(!dir.path().join("escaped").exists());
    assert!(leftovers(&data).is_empty());
}

#[test]
fn a_restore_waits_for_the_sync_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (data, app) = current_data(dir.path());
    let archive = dir.path().join("now.fkbackup");
    create_backup(&data, &archive, Utc::now()).unwrap();
    // A sync cycle in another process holds the lock: the restore waits for it.
    let held = fieldkit_core::backup::take_sync_lock(&data, Duration::ZERO).unwrap();
    let released = Arc::new(Mutex::new(None));
    let releaser = {
        let released = released.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            *released.lock().unwrap() = Some(Instant::now());
            drop(held);
        })
    };
    app.restore(&archive, Utc::now()).unwrap();
    let done = Instant::now();
    releaser.join().unwrap();
    assert!(
        released.lock().unwrap().is_some_and(|at| at <= done),
        "the restore went on only after the lock was let go"
    );
}

#[test]
fn secrets_travel_encrypted_and_open_on_another_computer_with_the_passphrase() {
    use fieldkit_core::changes::{reveal_secret, save_change, ChangeCategory, ChangeDraft, SecretUse};
    use fieldkit_core::vault::Vault;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("laptop-a");
    let app = AppDatabase::open(&data);
    let db = app.db().unwrap();
    fieldkit_core::sample_data::load_sample_data(&db, 1, Utc::now()).unwrap();
    let vault = Vault::default();
    vault.set_up(&db, Some("correct horse battery staple")).unwrap();
    let customer_id =
        fieldkit_core::customers::list_customers(&db, &CustomerQuery { search: String::new(), limit: Some(1) })
            .unwrap()[0]
            .id;
    let draft = ChangeDraft {
        correcting: None,
        customer_id,
        site_id: None,
        device_id: None,
        ticket_id: None,
        category: ChangeCategory::PasswordChange,
        summary: "Reset the server admin password".into(),
        fields: [("system", "SRV01 local admin"), ("vault_reference", "IT Glue: SRV01")]
            .into_iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect(),
        secret: Some("Osprey-Falcon-77".into()),
    };
    let change = save_change(&db, &vault, &draft, Utc::now()).unwrap();
    // A change for the PSA waits in the outbox when the backup is made.
    db.write(|tx| {
        fieldkit_core::outbox::enqueue(
            tx,
            fieldkit_core::outbox::Change {
                entity: "TicketNote",
                entity_id: uuid::Uuid::new_v4(),
                operation: "create",
                summary: "A note".into(),
                payload: serde_json::json!({"description": "A note"}),
            },
            Utc::now(),
        )
    })
    .unwrap();
    db.write(|tx| {
        tx.execute(
            "INSERT INTO slack_messages (id, kind, text, created_at) VALUES ('0190a000-0000-7000-8000-000000000001', 'help_request', 'Need a hand', '2026-01-01T00:00:00Z')",
            [],
        )
    })
    .unwrap();
    drop(db);
    let archive = dir.path().join("a.fkbackup");
    create_backup(&data, &archive, Utc::now()).unwrap();
    let bytes = std::fs::read(&archive).unwrap();
    assert!(!bytes.windows(16).any(|w| w == b"Osprey-Falcon-77"), "the secret is not in the backup in the clear");

    // Another computer: a fresh data folder, the backup restored.
    let other = AppDatabase::open(&dir.path().join("laptop-b"));
    let outcome = other.restore(&archive, Utc::now()).unwrap();
    let note = outcome.secrets_note.expect("a word about secrets");
    assert!(note.contains("passphrase"), "{note}");
    let db = other.db().unwrap();
    let vault = Vault::default();
    vault.unlock(&db, Some("correct horse battery staple")).unwrap();
    let secret = reveal_secret(&db, &vault, change.id, SecretUse::Reveal, Utc::now()).unwrap();
    assert_eq!(secret.as_str(), "Osprey-Falcon-77");
    // The waiting create may have been sent after the backup: it is looked up first.
    let untried: i64 = db
        .read(|c| c.query_row("SELECT count(*) FROM outbox WHERE state = 'pending' AND attempts = 0", [], |r| r.get(0)))
        .unwrap();
    let pending = fieldkit_core::outbox::count_pending(&db).unwrap();
    assert!(pending >= 1 && untried == 0, "{pending} pending, {untried} untried");
    // A Slack post is not idempotent: the waiting message is for the technician to send again or discard.
    let messages = fieldkit_core::team::list_slack_messages(&db, None).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].state, "possibly_sent", "{messages:?}");
}

#[test]
fn a_damaged_database_is_replaced_by_a_backup_and_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    let (data, app) = current_data(dir.path());
    let archive = dir.path().join("good.fkbackup");
    create_backup(&data, &archive, Utc::now()).unwrap();
    drop(app);
    let garbage = b"not a database any more ".repeat(200);
    std::fs::write(database_path(&data), &garbage).unwrap();
    // The read-only connections close last and leave the WAL, which would still hold every page.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database_path(&data).display()));
    }
    let app = AppDatabase::open(&data);
    assert_eq!(app.status().state, fieldkit_core::app_database::DatabaseState::Unreadable);

    let outcome = app.restore(&archive, Utc::now()).unwrap();
    assert_eq!(app.status().state, fieldkit_core::app_database::DatabaseState::Open);
    assert_eq!(customer_names(&app.db().unwrap()), ["Current Customer"]);
    assert_eq!(std::fs::read(PathBuf::from(outcome.kept_aside_at).join("fieldkit.db")).unwrap(), garbage);
}

/// Figures, not a check (run by hand): `FIELDKIT_BACKUP_TICKETS=100000 cargo test
/// -p fieldkit-core --test core backup_figures -- --ignored --nocapture`.
/// A cache of N tickets (8 notes each on average); the writer commits
/// sync-like pages throughout; prints the backup's time and size, the
/// writer's page times without and during the backup, and the restore's time.
#[test]
#[ignore]
fn backup_figures() {
    let tickets: u32 = std::env::var("FIELDKIT_BACKUP_TICKETS").ok().and_then(|t| t.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = Arc::new(Db::open(&database_path(&data)).unwrap());
    let size = fieldkit_core::sample_data::SampleSize {
        customers: 500,
        tickets,
        notes_per_ticket: 8,
        ..fieldkit_core::sample_data::SampleSize::scaled(1)
    };
    let started = Instant::now();
    fieldkit_core::sample_data::load_sample_data_sized(&db, &size, Utc::now()).unwrap();
    println!("cache of {tickets} tickets made in {:?}", started.elapsed());

    let page_times = |db: &Arc<Db>, stop: Arc<AtomicBool>| {
        let db = db.clone();
        std::thread::spawn(move || {
            let mut times = Vec::new();
            let mut n = 0i64;
            while !stop.load(Ordering::SeqCst) {
                let started = Instant::now();
                db.write_replayable(|tx| {
                    for _ in 0..100 {
                        n += 1;
                        tx.execute(
                            "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, 'x')",
                            [format!("f.{n}")],
                        )?;
                    }
                    Ok::<_, rusqlite::Error>(())
                })
                .unwrap();
                times.push(started.elapsed());
                std::thread::sleep(Duration::from_millis(5));
            }
            times.sort();
            times
        })
    };
    let describe = |times: &[Duration]| {
        format!(
            "{} pages, p50 {:?}, p99 {:?}, max {:?}",
            times.len(),
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            times[times.len() - 1]
        )
    };
    let stop = Arc::new(AtomicBool::new(false));
    let baseline = page_times(&db, stop.clone());
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::SeqCst);
    println!("writer alone: {}", describe(&baseline.join().unwrap()));

    let stop = Arc::new(AtomicBool::new(false));
    let during = page_times(&db, stop.clone());
    let archive = dir.path().join("big.fkbackup");
    let started = Instant::now();
    let summary = create_backup(&data, &archive, Utc::now()).unwrap();
    let took = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    println!("backup: {:.1} MB in {took:?}", summary.bytes as f64 / 1e6);
    println!("writer during the backup: {}", describe(&during.join().unwrap()));

    let target = tempfile::tempdir().unwrap();
    let app = AppDatabase::open(target.path());
    let started = Instant::now();
    app.restore(&archive, Utc::now()).unwrap();
    println!("restore (checks included): {:?}", started.elapsed());
}
