//! Which PSA a data folder syncs with, the words the UI uses for it (from
//! its connector), and the one connector type the app holds: whichever the
//! settings chose, behind the same [`Connector`] trait.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::autotask::Autotask;
use super::connector::{Connector, Kind, Page, PushFailure, PushOp, Resolved, Scope, Selection};
use super::halopsa::HaloPsa;
use super::SyncError;
use crate::picklists::PicklistValue;

/// The PSA a data folder belongs to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Psa {
    #[default]
    Autotask,
    Halopsa,
}

/// The words for the PSA the UI shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PsaLabels {
    pub name: String,
    /// "Open in Autotask".
    pub open_in: String,
    /// "Autotask ticket number".
    pub ticket_number: String,
    /// The settings' words for the address, the user and the secrets.
    pub url: String,
    pub user: String,
    pub code: String,
    pub secret: String,
    pub resource: String,
    pub queues: String,
}

/// A PSA the settings offer, with its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PsaChoice {
    pub psa: Psa,
    pub labels: PsaLabels,
}

impl Psa {
    pub const ALL: [Psa; 2] = [Psa::Autotask, Psa::Halopsa];

    /// Every PSA Fieldkit syncs with, for the settings' choice.
    pub fn choices() -> Vec<PsaChoice> {
        Psa::ALL.into_iter().map(|psa| PsaChoice { psa, labels: psa.labels() }).collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Psa::Autotask => "autotask",
            Psa::Halopsa => "halopsa",
        }
    }

    pub fn parse(text: &str) -> Option<Psa> {
        match text {
            "autotask" => Some(Psa::Autotask),
            "halopsa" => Some(Psa::Halopsa),
            _ => None,
        }
    }

    pub fn labels(self) -> PsaLabels {
        let words = match self {
            Psa::Autotask => super::autotask::LABELS,
            Psa::Halopsa => super::halopsa::LABELS,
        };
        let [name, open_in, ticket_number, url, user, code, secret, resource, queues] = words;
        PsaLabels {
            name: name.into(),
            open_in: open_in.into(),
            ticket_number: ticket_number.into(),
            url: url.into(),
            user: user.into(),
            code: code.into(),
            secret: secret.into(),
            resource: resource.into(),
            queues: queues.into(),
        }
    }
}

/// The connector the settings chose.
pub enum AnyConnector {
    Autotask(Box<Autotask>),
    Halo(Box<HaloPsa>),
}

impl AnyConnector {
    /// Checks the address and the credentials; a sentence for the technician.
    pub async fn test_connection(&self) -> Result<String, SyncError> {
        match self {
            AnyConnector::Autotask(c) => c.test_connection().await,
            AnyConnector::Halo(c) => c.test_connection().await,
        }
    }
}

impl Connector for AnyConnector {
    async fn picklists(&self) -> Result<Vec<PicklistValue>, SyncError> {
        match self {
            AnyConnector::Autotask(c) => c.picklists().await,
            AnyConnector::Halo(c) => c.picklists().await,
        }
    }

    async fn pull(
        &self,
        kind: Kind,
        selection: &Selection,
        scope: &Scope,
        cursor: Option<&str>,
    ) -> Result<Page, SyncError> {
        match self {
            AnyConnector::Autotask(c) => c.pull(kind, selection, scope, cursor).await,
            AnyConnector::Halo(c) => c.pull(kind, selection, scope, cursor).await,
        }
    }

    fn build_push(&self, resolved: Resolved) -> Result<PushOp, String> {
        match self {
            AnyConnector::Autotask(c) => c.build_push(resolved),
            AnyConnector::Halo(c) => c.build_push(resolved),
        }
    }

    async fn push(&self, op: &PushOp) -> Result<i64, PushFailure> {
        match self {
            AnyConnector::Autotask(c) => c.push(op).await,
            AnyConnector::Halo(c) => c.push(op).await,
        }
    }

    async fn push_links(&self, op: &PushOp, parent: i64, scope: &Scope) -> Result<(), PushFailure> {
        match self {
            AnyConnector::Autotask(c) => c.push_links(op, parent, scope).await,
            AnyConnector::Halo(c) => c.push_links(op, parent, scope).await,
        }
    }

    async fn find_created(&self, op: &PushOp) -> Result<Option<i64>, SyncError> {
        match self {
            AnyConnector::Autotask(c) => c.find_created(op).await,
            AnyConnector::Halo(c) => c.find_created(op).await,
        }
    }

    async fn pace(&self) -> Result<(), SyncError> {
        match self {
            AnyConnector::Autotask(c) => c.pace().await,
            AnyConnector::Halo(c) => c.pace().await,
        }
    }

    fn request_count(&self) -> u64 {
        match self {
            AnyConnector::Autotask(c) => c.request_count(),
            AnyConnector::Halo(c) => c.request_count(),
        }
    }
}

/// Whether the cache holds anything from a PSA (then it belongs to it).
pub(crate) fn cache_has_psa_records(connection: &rusqlite::Connection) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM tickets WHERE psa_id IS NOT NULL)
             OR EXISTS (SELECT 1 FROM customers WHERE psa_id IS NOT NULL)
             OR EXISTS (SELECT 1 FROM sync_watermarks WHERE entity <> 'outbox')",
        [],
        |r| r.get(0),
    )
}
