//! The one error shape that crosses IPC: `{code, message, fields}`.
//!
//! Each module has its own `thiserror` enum; this is what the UI receives.
//! A code exists only where the UI branches on it.

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

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
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
