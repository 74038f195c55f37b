//! Commands without a window.
//!
//! `fieldkit verify <report id | report.pdf> [--key <public key hex>]` checks
//! a sealed service report (or a PDF of one): exit code 0 when it verifies,
//! 1 when it does not, 2 when it cannot be checked. With `--key` a PDF is
//! checked by itself against the technician's published key, with no data
//! folder.
//!
//! `fieldkit sync --once [--full]` runs one sync cycle with the PSA and prints
//! a summary: exit code 0 when it completed, 1 when it did not. The vault
//! opens from the keychain, or with the passphrase from
//! `FIELDKIT_VAULT_PASSPHRASE` or the first line of standard input.

use std::path::PathBuf;

use fieldkit_core::data_dir::{database_path, os_app_data_dir, resolve_data_dir};
use fieldkit_core::reports::{verify_pdf, verify_pdf_with_key, verify_report};
use fieldkit_core::vault::{Vault, VaultState};
use fieldkit_core::Db;
use uuid::Uuid;

/// Runs a subcommand when the arguments name one; `None` means start the app.
pub fn run(args: &[String]) -> Option<i32> {
    match args.get(1).map(String::as_str) {
        Some("verify") => Some(verify(args)),
        Some("sync") => Some(sync(args)),
        _ => None,
    }
}

const VERIFY_USAGE: &str = "usage: fieldkit verify <report id | report.pdf> [--key <public key hex>]
  (FIELDKIT_DATA_DIR selects the data folder; with --key a PDF is checked on its own, on any machine)";

fn verify(args: &[String]) -> i32 {
    let mut target = None;
    let mut key = None;
    let mut rest = args.iter().skip(2);
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--key" => key = rest.next().cloned(),
            _ if target.is_none() => target = Some(arg.clone()),
            _ => {
                eprintln!("{VERIFY_USAGE}");
                return 2;
            }
        }
    }
    let Some(target) = target else {
        eprintln!("{VERIFY_USAGE}");
        return 2;
    };
    let outcome = match (Uuid::parse_str(&target), key) {
        (Ok(_), Some(_)) => {
            eprintln!("--key checks a PDF file; a report id is checked against this installation's key.");
            return 2;
        }
        (Err(_), Some(key)) => match std::fs::read(PathBuf::from(&target)) {
            Ok(bytes) => Ok(verify_pdf_with_key(&bytes, &key)),
            Err(error) => {
                eprintln!("Cannot read {target}: {error}");
                return 2;
            }
        },
        (parsed, None) => {
            let db = match open_database() {
                Ok(db) => db,
                Err(error) => {
                    eprintln!("{error}");
                    return 2;
                }
            };
            // With the vault open the installation key is also checked against the one it holds.
            let vault = Vault::default();
            let unlocked = open_vault(&db, &vault, false);
            let vault = unlocked.then_some(&vault);
            match parsed {
                Ok(id) => verify_report(&db, vault, id),
                Err(_) => match std::fs::read(PathBuf::from(&target)) {
                    Ok(bytes) => verify_pdf(&db, vault, &bytes),
                    Err(error) => {
                        eprintln!("Cannot read {target}: {error}");
                        return 2;
                    }
                },
            }
        }
    };
    match outcome {
        Ok(verification) if verification.ok => {
            println!("OK: the report verifies (SHA-256 {}).", verification.hash);
            0
        }
        Ok(verification) => {
            println!("NOT VERIFIED:");
            for problem in verification.problems {
                println!("  - {problem}");
            }
            1
        }
        Err(error) => {
            eprintln!("{error}");
            2
        }
    }
}

/// Opens the vault without a window: the keychain, or the passphrase from
/// `FIELDKIT_VAULT_PASSPHRASE` (or, when `ask`, the first line of standard input).
fn open_vault(db: &Db, vault: &Vault, ask: bool) -> bool {
    match vault.status(db) {
        Ok(status) if status.state == VaultState::NotSetUp => false,
        Ok(status) if status.mode.as_deref() == Some("passphrase") => {
            let passphrase = std::env::var("FIELDKIT_VAULT_PASSPHRASE").ok().or_else(|| {
                let mut line = String::new();
                ask.then(|| {
                    std::io::stdin().read_line(&mut line).ok().map(|_| line.trim_end_matches(['\r', '\n']).to_string())
                })
                .flatten()
            });
            passphrase.is_some() && vault.unlock(db, passphrase.as_deref()).is_ok()
        }
        Ok(_) => vault.unlock(db, None).is_ok(),
        Err(_) => false,
    }
}

fn open_database() -> Result<Db, String> {
    let data_dir = resolve_data_dir(os_app_data_dir()).ok_or("No data folder: set FIELDKIT_DATA_DIR.")?;
    Db::open(&database_path(&data_dir)).map_err(|error| error.to_string())
}

fn sync(args: &[String]) -> i32 {
    use fieldkit_core::sync::{self, SyncProgress};
    if !args.iter().any(|a| a == "--once") {
        eprintln!("usage: fieldkit sync --once [--full]   (FIELDKIT_DATA_DIR selects the data folder)");
        return 2;
    }
    let db = match open_database() {
        Ok(db) => std::sync::Arc::new(db),
        Err(error) => {
            eprintln!("{error}");
            return 2;
        }
    };
    let vault = Vault::default();
    if !open_vault(&db, &vault, true) {
        eprintln!("The vault holding the PSA credentials could not be opened (set up the sync in the app first).");
        return 1;
    }
    let now = fieldkit_core::clock::now();
    let (connector, scope) = match sync::connect(&db, &vault, Default::default(), now) {
        Ok(pair) => pair,
        Err(error) => {
            eprintln!("{error}");
            return 1;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{error}");
            return 2;
        }
    };
    let progress = std::sync::Mutex::new(SyncProgress::default());
    let full = args.iter().any(|a| a == "--full");
    match runtime.block_on(sync::run_cycle(&db, &connector, &scope, now, full, &progress)) {
        Ok(report) => {
            let pulled: Vec<String> =
                report.pulled.iter().filter(|k| k.count > 0).map(|k| format!("{} {}", k.count, k.kind)).collect();
            println!(
                "Synced in {:.1} s with {} requests: pulled {}; pushed {}, refused {}, waiting {}; {} conflicts; {} removed.",
                report.milliseconds as f64 / 1000.0,
                report.requests,
                if pulled.is_empty() { "nothing new".to_string() } else { pulled.join(", ") },
                report.pushed,
                report.failed,
                report.waiting,
                report.conflicts,
                report.removed
            );
            0
        }
        Err(error) => {
            eprintln!("Sync did not complete: {error}");
            1
        }
    }
}
