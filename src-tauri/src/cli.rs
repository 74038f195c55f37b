//! `fieldkit verify <report id | report.pdf>`: checks a sealed service report
//! (or a PDF of one) without starting the window. Exit code 0 when it
//! verifies, 1 when it does not, 2 when it cannot be checked.

use std::path::PathBuf;

use fieldkit_core::data_dir::{database_path, os_app_data_dir, resolve_data_dir};
use fieldkit_core::reports::{verify_pdf, verify_report};
use fieldkit_core::Db;
use uuid::Uuid;

/// Runs a subcommand when the arguments name one; `None` means start the app.
pub fn run(args: &[String]) -> Option<i32> {
    if args.get(1).map(String::as_str) != Some("verify") {
        return None;
    }
    let Some(target) = args.get(2) else {
        eprintln!("usage: fieldkit verify <report id | report.pdf>   (FIELDKIT_DATA_DIR selects the data folder)");
        return Some(2);
    };
    let Some(data_dir) = resolve_data_dir(os_app_data_dir()) else {
        eprintln!("No data folder: set FIELDKIT_DATA_DIR.");
        return Some(2);
    };
    let db = match Db::open(&database_path(&data_dir)) {
        Ok(db) => db,
        Err(error) => {
            eprintln!("{error}");
            return Some(2);
        }
    };
    let outcome = match Uuid::parse_str(target) {
        Ok(id) => verify_report(&db, id),
        Err(_) => match std::fs::read(PathBuf::from(target)) {
            Ok(bytes) => verify_pdf(&db, &bytes),
            Err(error) => {
                eprintln!("Cannot read {target}: {error}");
                return Some(2);
            }
        },
    };
    match outcome {
        Ok(verification) if verification.ok => {
            println!("OK: the report verifies (SHA-256 {}).", verification.hash);
            Some(0)
        }
        Ok(verification) => {
            println!("NOT VERIFIED:");
            for problem in verification.problems {
                println!("  - {problem}");
            }
            Some(1)
        }
        Err(error) => {
            eprintln!("{error}");
            Some(2)
        }
    }
}
