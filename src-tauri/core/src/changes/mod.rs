//! The infrastructure change log: every change a technician makes at a
//! customer, structured by category, tied to customer, site, device and
//! ticket. Records are never edited in place (a correction is a new
//! revision). Secrets are encrypted by the [`Vault`](crate::vault::Vault) and
//! never appear in list payloads, search, exports or notes.

mod category;
mod export;
mod store;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::DbError;
use crate::error::ErrorPayload;
use crate::validation::FieldError;
use crate::vault::VaultError;

pub use category::{category_forms, CategoryForm, ChangeCategory, FieldSpec};
pub(crate) use export::note_text;
pub use export::{export_changes, export_changes_to_file, ExportFormat, Exported};
pub(crate) use store::save_change_with;
pub use store::{change_history, list_changes, post_change_to_ticket, reveal_secret, save_change};

/// The change form. `correcting` names the record a correction revises.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ChangeDraft {
    pub correcting: Option<Uuid>,
    pub customer_id: Uuid,
    pub site_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub category: ChangeCategory,
    pub summary: String,
    /// The category's fields by key (see [`category_forms`]).
    pub fields: BTreeMap<String, String>,
    /// The password or license key, when the category has one. Write-only.
    pub secret: Option<String>,
}

/// One field of a record, labelled.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ChangeField {
    pub key: String,
    pub label: String,
    pub value: String,
}

/// A record as lists and history show it: never the secret itself.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChangeRecord {
    /// This revision.
    pub id: Uuid,
    /// The record across its revisions.
    pub record_id: Uuid,
    pub revision: u32,
    pub is_current: bool,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub site_id: Option<Uuid>,
    pub site_name: String,
    pub device_id: Option<Uuid>,
    pub device_name: String,
    pub ticket_id: Option<Uuid>,
    pub ticket_number: String,
    pub author_name: String,
    pub category: ChangeCategory,
    pub category_label: String,
    pub summary: String,
    pub fields: Vec<ChangeField>,
    /// A secret is stored (encrypted) with this revision.
    pub has_secret: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ChangeQuery {
    pub customer_id: Option<Uuid>,
    pub category: Option<ChangeCategory>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub device_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    /// Words to find in summaries and fields (never in secrets).
    pub search: String,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChangePage {
    pub rows: Vec<ChangeRecord>,
    pub total: u32,
}

/// Every revision of a record, oldest first, and who looked at its secret.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChangeHistory {
    pub revisions: Vec<ChangeRecord>,
    pub events: Vec<ChangeEvent>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChangeEvent {
    pub at: DateTime<Utc>,
    pub who: String,
    /// `revealed` or `copied`.
    pub what: String,
}

/// Why a secret is read: shown, or copied to the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SecretUse {
    Reveal,
    Copy,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error("That change record no longer exists.")]
    NotFound(Uuid),
    #[error("This record has no ticket to post to.")]
    NoTicket,
    #[error("{0}")]
    Ticket(String),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for ChangeError {
    fn from(error: rusqlite::Error) -> Self {
        ChangeError::Db(DbError::Sqlite(error))
    }
}

impl From<ChangeError> for ErrorPayload {
    fn from(error: ChangeError) -> Self {
        match error {
            ChangeError::Invalid(fields) => ErrorPayload::validation(fields),
            ChangeError::NotFound(_) => ErrorPayload::not_found(error.to_string()),
            ChangeError::Vault(vault) => vault.into(),
            ChangeError::Db(db) => db.into(),
            other => ErrorPayload::internal(other.to_string()),
        }
    }
}

impl crate::validation::Invalid for ChangeError {
    fn from_fields(fields: Vec<FieldError>) -> Self {
        ChangeError::Invalid(fields)
    }
}
