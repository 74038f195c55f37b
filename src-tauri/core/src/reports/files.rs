//! The sealed report's PDF as a file: rendered and signed once per paper
//! size, recorded with its bytes (the first, made when the report is sealed,
//! is queued as the ticket's attachment), and verified by its own seal.

use std::path::Path;

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uuid::Uuid;

use super::pdf::render;
use super::seal_key::{key_problems, signing_key};
use super::sealed_pdf::{check_pdf, hex, sign_pdf, SealBlock};
use super::store::{get_report, read_report};
use super::{Paper, ReportError, ServiceReport, Verification};
use crate::db::Db;
use crate::error::ErrorPayload;
use crate::files::{write_atomically, write_export, FileError};
use crate::outbox::{enqueue, Change};
use crate::settings::get_settings;
use crate::vault::Vault;

fn paper_name(paper: Paper) -> String {
    format!("{paper:?}")
}

/// Renders the sealed report's PDF with its seal embedded, signs the file
/// with `key`, records the bytes, and — the first time — queues them as an
/// attachment for the ticket. Returns the bytes.
pub(crate) fn record_sealed_pdf(
    tx: &Transaction<'_>,
    key: &SigningKey,
    report: &ServiceReport,
    company: &str,
    paper: Paper,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, ReportError> {
    let (content, hash): (String, String) = tx.query_row(
        "SELECT sealed_content, seal_hash FROM service_reports WHERE id = ?1 AND state = 'sealed'",
        [report.id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let signature = hex(&key.sign(hash.as_bytes()).to_bytes());
    let block =
        SealBlock::unsigned(report.id.to_string(), content, hash, signature, hex(key.verifying_key().as_bytes()));
    let pdf = sign_pdf(render(report, company, paper, Some(&block))?, key)?;
    let sha: String = hex(&Sha256::digest(&pdf));
    tx.execute(
        "INSERT OR IGNORE INTO report_pdfs (sha256, report_id, paper, created_at, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![sha, report.id.to_string(), paper_name(paper), now, pdf],
    )?;
    let queued: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = 'TicketAttachment' AND entity_id = ?1)",
        [report.id.to_string()],
        |r| r.get(0),
    )?;
    if !queued {
        let file_name = format!("OSSR-{}-{}.pdf", report.ticket_number, &report.id.to_string()[..8]);
        enqueue(
            tx,
            Change {
                entity: "TicketAttachment",
                entity_id: report.id,
                operation: "create",
                summary: format!("Signed service report on {}", report.ticket_number),
                payload: json!({
                    "ticket": report.ticket_id,
                    "attachmentType": "FILE_ATTACHMENT",
                    "fullPath": file_name,
                    "title": file_name,
                    "publish": 1,
                    "sha256": sha,
                }),
            },
            now,
        )?;
    }
    Ok(pdf)
}

/// The recorded, signed PDF of a sealed report on `paper`.
fn recorded(tx: &rusqlite::Connection, id: Uuid, paper: Paper) -> rusqlite::Result<Option<Vec<u8>>> {
    tx.query_row(
        "SELECT bytes FROM report_pdfs WHERE report_id = ?1 AND paper = ?2 AND bytes IS NOT NULL ORDER BY created_at LIMIT 1",
        params![id.to_string(), paper_name(paper)],
        |r| r.get(0),
    )
    .optional()
}

/// The PDF of report `id`. A draft is rendered as it is now. A sealed
/// report's PDF is the recorded, signed file — the same bytes every time;
/// one on another paper size is signed once (the vault must be open).
pub fn export_pdf(
    db: &Db,
    vault: &Vault,
    id: Uuid,
    company: &str,
    paper: Paper,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, ReportError> {
    let report = db.read(|connection| read_report(connection, id))?;
    if !report.sealed {
        return render(&report, company, paper, None);
    }
    if let Some(bytes) = db.read(|connection| recorded(connection, id, paper))? {
        return Ok(bytes);
    }
    db.write(|tx| {
        if let Some(bytes) = recorded(tx, id, paper)? {
            return Ok(bytes);
        }
        let key = signing_key(tx, vault)?;
        record_sealed_pdf(tx, &key, &report, company, paper, now)
    })
}

/// A report's PDF written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SavedPdf {
    pub path: String,
    pub bytes: usize,
}

/// Saves the PDF of report `id` into `folder` (the exports folder): a draft
/// as it is now, a sealed report as its recorded, signed file. Named
/// `OSSR-<ticket number>-<report id's first 8>[-draft].pdf`; the ticket
/// number comes from the PSA, and `write_export` keeps the name inside
/// `folder`.
pub fn save_pdf_export(
    db: &Db,
    vault: &Vault,
    folder: &Path,
    id: Uuid,
    paper: Paper,
    now: DateTime<Utc>,
) -> Result<SavedPdf, ErrorPayload> {
    let company = get_settings(db)?.company_name;
    let pdf = export_pdf(db, vault, id, &company, paper, now)?;
    let report = get_report(db, id)?;
    let name = format!(
        "OSSR-{}-{}{}.pdf",
        report.ticket_number,
        &id.to_string()[..8],
        if report.sealed { "" } else { "-draft" }
    );
    let path = write_export(folder, &name, &pdf)?;
    Ok(SavedPdf { path: path.display().to_string(), bytes: pdf.len() })
}

/// A report's PDF on its way to a place the technician chooses (a Save dialog).
pub struct PdfToSave {
    pub bytes: Vec<u8>,
    /// The name to offer: `OSSR-<ticket number>.pdf`.
    pub suggested_name: String,
}

impl PdfToSave {
    /// Writes the PDF whole to `path` (owner-only).
    pub fn write_to(&self, path: &Path) -> Result<SavedPdf, FileError> {
        write_atomically(path, &self.bytes)?;
        Ok(SavedPdf { path: path.display().to_string(), bytes: self.bytes.len() })
    }
}

/// The PDF of report `id` (as `export_pdf` makes it) with the name to offer
/// in a Save dialog.
pub fn pdf_to_save(
    db: &Db,
    vault: &Vault,
    id: Uuid,
    paper: Paper,
    now: DateTime<Utc>,
) -> Result<PdfToSave, ErrorPayload> {
    let company = get_settings(db)?.company_name;
    let bytes = export_pdf(db, vault, id, &company, paper, now)?;
    let report = get_report(db, id)?;
    Ok(PdfToSave { bytes, suggested_name: format!("OSSR-{}.pdf", report.ticket_number) })
}

/// The bytes recorded for a PDF by its SHA-256 (the attachment's payload names it).
pub(crate) fn recorded_by_sha(connection: &rusqlite::Connection, sha256: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    connection
        .query_row("SELECT bytes FROM report_pdfs WHERE sha256 = ?1", [sha256], |r| r.get::<_, Option<Vec<u8>>>(0))
        .optional()
        .map(Option::flatten)
}

/// Checks a PDF file by its own seal against `trusted` (the technician's
/// published public key, hex). Needs no database: the office or the
/// customer can check a PDF on any machine.
pub fn verify_pdf_with_key(bytes: &[u8], trusted: &str) -> Verification {
    let check = check_pdf(bytes, Some(trusted));
    Verification {
        ok: check.problems.is_empty(),
        hash: check.block.map(|b| b.hash).unwrap_or_default(),
        problems: check.problems,
    }
}

/// Checks a PDF file by its own seal against this installation's key
/// (and, with the vault open, the key the vault holds).
pub fn verify_pdf(db: &Db, vault: Option<&Vault>, bytes: &[u8]) -> Result<Verification, ReportError> {
    db.read(|connection| {
        let installation: Option<String> =
            connection.query_row("SELECT public_key FROM seal_keys WHERE id = 1", [], |r| r.get(0)).optional()?;
        let check = check_pdf(bytes, installation.as_deref());
        let mut problems = check.problems;
        if let Some(block) = &check.block {
            if installation.is_some() {
                problems.extend(key_problems(connection, vault, &block.public_key)?);
                problems.dedup();
            }
        }
        Ok(Verification { ok: problems.is_empty(), hash: check.block.map(|b| b.hash).unwrap_or_default(), problems })
    })
}
