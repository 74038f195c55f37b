//! The one error shape that crosses IPC: `{code, message, fields}`.
//!
//! Each module has its own `thiserror` enum and, beside it, its
//! `From<…> for ErrorPayload`; this is what the UI receives. A code exists
//! only where the UI branches on it; the message is for the technician, and
//! the UI never branches on its words.

use serde::Serialize;
use ts_rs::TS;

use crate::validation::FieldError;

/// What the UI does differently for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The input is wrong: `fields` says where; the form stays filled.
    Validation,
    /// Stock would go below zero: `fields` says which line; the UI offers
    /// "Record anyway" (which stays visible on the movement).
    StockShort,
    /// The record is gone (deleted, or never existed).
    NotFound,
    /// The database could not be opened: the UI shows the database screen.
    DatabaseUnavailable,
    /// Secrets are locked: the UI opens the vault dialog to unlock them,
    /// then repeats the action.
    VaultLocked,
    /// Secrets are not set up yet: the UI opens the vault dialog to set
    /// them up, then repeats the action.
    VaultNotSetUp,
    /// Anything else: shown as a message, the user's input is kept.
    Internal,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
    /// Field-level messages for `validation`; empty otherwise.
    pub fields: Vec<FieldError>,
}

impl ErrorPayload {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: Vec::new() }
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        let count = fields.len();
        Self {
            code: ErrorCode::Validation,
            message: if count == 1 {
                "1 field needs attention.".to_string()
            } else {
                format!("{count} fields need attention.")
            },
            fields,
        }
    }

    /// One field's message, as a `validation` error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(one_field(field, message))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

/// A single field's message, for an enum's `Invalid(Vec<FieldError>)`
/// (`TicketError::Invalid(one_field("title", "Required."))`).
pub fn one_field(field: &str, message: impl Into<String>) -> Vec<FieldError> {
    vec![FieldError { field: field.into(), message: message.into() }]
}

impl std::fmt::Display for ErrorPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<crate::db::DbError> for ErrorPayload {
    fn from(error: crate::db::DbError) -> Self {
        use crate::db::DbError;
        let code = match error {
            DbError::Unreadable { .. }
            | DbError::TooNew { .. }
            | DbError::DataDir { .. }
            | DbError::JournalMode { .. } => ErrorCode::DatabaseUnavailable,
            DbError::Sqlite(_) | DbError::Migration(_) => ErrorCode::Internal,
        };
        ErrorPayload::new(code, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::VaultError;

    #[test]
    fn a_vault_that_must_be_opened_first_has_a_code_of_its_own() {
        let locked = ErrorPayload::from(VaultError::Locked);
        assert_eq!(locked.code, ErrorCode::VaultLocked);
        assert_eq!(locked.message, "Secrets are locked: unlock them first.");
        let not_set_up = ErrorPayload::from(VaultError::NotSetUp);
        assert_eq!(not_set_up.code, ErrorCode::VaultNotSetUp);
        assert_eq!(serde_json::to_value(locked.code).unwrap(), "vault_locked");
        assert_eq!(serde_json::to_value(not_set_up.code).unwrap(), "vault_not_set_up");
        // Reached through another module's error, the code stays.
        let through = ErrorPayload::from(crate::changes::ChangeError::Vault(VaultError::Locked));
        assert_eq!(through.code, ErrorCode::VaultLocked);
        assert_eq!(ErrorPayload::from(VaultError::WrongKey).code, ErrorCode::Internal);
    }

    #[test]
    fn a_wrong_passphrase_is_a_message_on_the_passphrase_field() {
        let payload = ErrorPayload::from(VaultError::WrongPassphrase);
        assert_eq!(payload.code, ErrorCode::Validation);
        assert_eq!(payload.fields.len(), 1);
        assert_eq!(payload.fields[0].field, "passphrase");
        assert_eq!(payload.fields[0].message, "That passphrase is not the one secrets were protected with.");
    }
}
