//! The report's PDF as a file: rendered, remembered by its SHA-256 so the
//! file can be verified later, and queued as an attachment for the ticket.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::pdf::render;
use super::seal::verify_report;
use super::store::read_report;
use super::{Paper, ReportError, Verification};
use crate::db::Db;
use crate::outbox::{enqueue, Change};

/// Renders the PDF of report `id`. A sealed report's PDF is recorded (for
/// `verify_pdf`) and queued in the outbox as an attachment for its ticket.
pub fn export_pdf(db: &Db, id: Uuid, company: &str, paper: Paper, now: DateTime<Utc>) -> Result<Vec<u8>, ReportError> {
    let report = db.read(|connection| read_report(connection, id))?;
    let pdf = render(&report, company, paper)?;
    if report.sealed {
        let sha: String = Sha256::digest(&pdf).iter().map(|b| format!("{b:02x}")).collect();
        let file_name = format!("OSSR-{}-{}.pdf", report.ticket_number, &report.id.to_string()[..8]);
        db.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO report_pdfs (sha256, report_id, paper, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![sha, id.to_string(), format!("{paper:?}"), now],
            )?;
            let queued: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = 'TicketAttachment' AND entity_id = ?1)",
                [id.to_string()],
                |r| r.get(0),
            )?;
            if !queued {
                enqueue(
                    tx,
                    Change {
                        entity: "TicketAttachment",
                        entity_id: id,
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
            Ok::<_, rusqlite::Error>(())
        })?;
    }
    Ok(pdf)
}

/// Checks a PDF file: it must be one this installation rendered of a sealed
/// report, and that report must still verify.
pub fn verify_pdf(db: &Db, bytes: &[u8]) -> Result<Verification, ReportError> {
    let sha: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let report: Option<String> = db.read(|connection| {
        connection.query_row("SELECT report_id FROM report_pdfs WHERE sha256 = ?1", [&sha], |r| r.get(0)).optional()
    })?;
    match report.and_then(|id| Uuid::parse_str(&id).ok()) {
        None => Ok(Verification {
            ok: false,
            hash: sha,
            problems: vec![
                "This PDF is not one this Fieldkit produced of a sealed report: it was altered, or comes from elsewhere.".into(),
            ],
        }),
        Some(id) => verify_report(db, id),
    }
}
