//! Sync with the PSA: pull the technician's world into the cache, push the
//! outbox exactly once. The engine talks to a PSA-agnostic [`Connector`];
//! [`autotask`] is the first implementation.

mod apply;
pub mod autotask;
mod config;
mod conflicts;
mod connector;
mod engine;
#[cfg(test)]
mod fuzz;
pub mod halopsa;
mod psa;
mod push;
mod record;
mod statements;

use serde::Serialize;
use ts_rs::TS;

use crate::db::DbError;
use crate::error::{ErrorCode, ErrorPayload};
use crate::vault::VaultError;

pub use config::{connect, get_sync_settings, save_sync_settings, SyncSettings, SyncSettingsDraft};
pub use conflicts::{list_conflicts, resolve_conflict, Choice, Conflict};
pub use connector::{Connector, Kind, Page, PushFailure, PushOp, Scope, Selection};
pub(crate) use engine::cycle_lock;
pub use engine::{run_cycle, sync_overview, KindCount, SyncOverview, SyncProgress, SyncRun};
pub use psa::{AnyConnector, Psa, PsaChoice, PsaLabels};
pub use push::retry_operation;

/// What one cycle did.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct SyncReport {
    /// Records pulled, per kind, in pull order.
    pub pulled: Vec<KindCount>,
    pub pushed: u32,
    pub failed: u32,
    /// Operations waiting for something else (a ticket not sent yet, a conflict).
    pub waiting: u32,
    pub conflicts: u32,
    pub removed: u32,
    pub requests: u64,
    pub milliseconds: u64,
    /// Of which spent writing pulled pages into the cache (overlapping the
    /// network) and rebuilding search documents (not overlapping it).
    pub write_milliseconds: u64,
    pub index_milliseconds: u64,
    #[serde(skip)]
    #[ts(skip)]
    pub(crate) created_tickets: Vec<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Settings(String),
    #[error("Some fields need attention.")]
    Invalid(Vec<crate::validation::FieldError>),
    #[error("The PSA refused: {0}")]
    Rejected(String),
    #[error("The PSA could not be reached: {0}")]
    Unreachable(String),
    #[error("The PSA sent something Fieldkit cannot read ({0}); nothing of it was saved.")]
    Malformed(String),
    #[error("A sync is already running.")]
    Busy,
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for SyncError {
    fn from(error: rusqlite::Error) -> Self {
        SyncError::Db(DbError::Sqlite(error))
    }
}

impl From<SyncError> for ErrorPayload {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Invalid(fields) => ErrorPayload::validation(fields),
            SyncError::Vault(vault) => vault.into(),
            SyncError::Db(db) => db.into(),
            other => ErrorPayload::new(ErrorCode::Internal, other.to_string()),
        }
    }
}
