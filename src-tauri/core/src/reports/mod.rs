//! OnSite Service Reports: the visit's record, the customer's signature, the
//! seal that makes it impossible to dispute, and its PDF.

mod canonical;
mod files;
mod pdf;
mod seal;
mod seal_key;
mod sealed_pdf;
mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::DbError;
use crate::error::ErrorPayload;
use crate::validation::FieldError;
use crate::vault::VaultError;

pub(crate) use files::recorded_by_sha;
pub use files::{export_pdf, pdf_to_save, save_pdf_export, verify_pdf, verify_pdf_with_key, PdfToSave, SavedPdf};
pub use pdf::{render_pdf, Paper};
pub use seal::{seal_report, signature_svg, verify_report, Verification};
pub use seal_key::{seal_key, seal_public_key, SealKey};
pub use sealed_pdf::key_fingerprint;
pub(crate) use store::{checked_parts, create_report_in, name_stock_lines};
pub use store::{create_correction, create_report, get_report, list_reports, save_report_draft, stamp_report};

/// One parts or materials line: picked from the technician's stock
/// (`item_id`; sealing records it as used) or typed freely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PartLine {
    pub item: String,
    pub quantity: u32,
    #[serde(default)]
    pub item_id: Option<Uuid>,
}

/// A point of a signature stroke: position on the pad (0..1 both ways),
/// milliseconds since the stroke began, and pen pressure (0..1; 0.5 for a mouse).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
    pub t: u32,
    pub p: f32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ServiceReport {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub ticket_number: String,
    pub ticket_title: String,
    pub appointment_id: Option<Uuid>,
    pub revision_of: Option<Uuid>,
    pub technician_name: String,
    pub customer_name: String,
    pub site_text: String,
    pub contact_text: String,
    pub arrival_window_start: Option<DateTime<Utc>>,
    pub arrival_window_end: Option<DateTime<Utc>>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub departed_at: Option<DateTime<Utc>>,
    pub work_performed: String,
    pub findings: String,
    pub recommendations: String,
    pub customer_notes: String,
    pub follow_up_needed: bool,
    pub follow_up_what: String,
    pub parts: Vec<PartLine>,
    pub sealed: bool,
    pub signer_name: String,
    pub signer_title: String,
    pub no_signature_reason: String,
    pub strokes: Vec<Vec<StrokePoint>>,
    pub signed_at: Option<DateTime<Utc>>,
    pub seal_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the technician edits while the report is a draft.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ReportDraft {
    pub id: Uuid,
    pub work_performed: String,
    pub findings: String,
    pub recommendations: String,
    pub customer_notes: String,
    pub follow_up_needed: bool,
    pub follow_up_what: String,
    pub parts: Vec<PartLine>,
}

/// One-click stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Stamp {
    Arrived,
    Leaving,
}

/// The customer's signature, or why there is none.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SignatureInput {
    pub strokes: Vec<Vec<StrokePoint>>,
    pub signer_name: String,
    pub signer_title: String,
    /// Instead of a signature: e.g. "customer unavailable".
    pub no_signature_reason: String,
    /// Seal although a part takes the stock below zero (the movement shows it).
    #[serde(default)]
    pub record_anyway: bool,
    /// The paper of the PDF recorded (and attached to the ticket) when sealing; A4 when absent.
    #[serde(default)]
    #[ts(optional)]
    pub paper: Option<Paper>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error("That service report no longer exists.")]
    NotFound(Uuid),
    #[error("That ticket is not in the cache.")]
    TicketNotFound(Uuid),
    #[error("This report is sealed and cannot be changed; write a correction instead.")]
    Sealed,
    #[error("The report could not be rendered: {0}")]
    Render(String),
    #[error(
        "This installation's sealing key record was replaced: it is not the key the vault holds. Nothing was sealed."
    )]
    KeyReplaced,
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Stock(#[from] crate::stock::StockError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for ReportError {
    fn from(error: rusqlite::Error) -> Self {
        ReportError::Db(DbError::Sqlite(error))
    }
}

impl From<ReportError> for ErrorPayload {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::Invalid(fields) => ErrorPayload::validation(fields),
            ReportError::NotFound(_) | ReportError::TicketNotFound(_) => ErrorPayload::not_found(error.to_string()),
            ReportError::Vault(vault) => vault.into(),
            ReportError::Stock(stock) => stock.into(),
            ReportError::Db(db) => db.into(),
            other => ErrorPayload::internal(other.to_string()),
        }
    }
}
