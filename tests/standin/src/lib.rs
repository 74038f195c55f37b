//! A stand-in for the Autotask PSA REST API v1.0 — the part Fieldkit uses —
//! built from the contract in `../shared/contracts/autotask/`, vendored into
//! `tests/standin/contract/` (its README's wire conventions, and the models of its Swagger description): zone
//! discovery, the auth headers, queries with every operator and nested
//! groups, 500-record pages whose `nextPageUrl` is POSTed with the same
//! body, picklists from `entityInformation/fields`, creates and updates
//! answering `itemId`, attachments, `ThresholdInformation`, the
//! 3-requests-per-endpoint limit, and errors as `{"errors":[…]}`. Seeded by
//! Fieldkit's sample generator. Faults can be injected: latency, 429, 500,
//! a reset connection, a response lost after the write was committed,
//! malformed or cut-off JSON. And, for the connector's hardening tests, a
//! hostile server (`hostile`): redirects, page addresses elsewhere or in a
//! circle, a zone elsewhere, bodies of any size, endless error messages.
//!
//! Modules: `http` (the wire), `server` (the request pipeline), `routes`
//! (paths and reads), `writes` (creates and updates), `query` (filters),
//! `store` (records), `contract` (fields from the Swagger description),
//! `entity_info` (picklists), `limits`, `faults`, `hostile`, `seed`, `control`;
//! and `slack`, a stand-in for a Slack incoming webhook ([`SlackStandin`]).

mod contract;
mod control;
mod entity_info;
mod faults;
pub mod halo;
mod hostile;
mod http;
mod limits;
mod query;
mod routes;
mod seed;
mod server;
mod slack;
mod store;
mod writes;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use faults::{FaultKind, Faults};
pub use hostile::Hostile;
pub use seed::Seed;
pub use slack::{SlackReply, SlackStandin, RECEIVED_PATH, SLACK_WEBHOOK_PATH};

use store::{normalize, Record, Store};

/// The credentials the stand-in accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub api_user: String,
    pub integration_code: String,
    pub secret: String,
}

/// The credentials the stand-in accepts (also for worker processes that have no `Standin` handle).
pub fn standin_credentials() -> Credentials {
    Credentials {
        api_user: "fieldkit-api@example.com".into(),
        integration_code: "FIELDKITSTANDIN".into(),
        secret: "standin-secret".into(),
    }
}

/// A poisoned lock only means a request panicked while holding it; the
/// data is still the best there is, so the stand-in carries on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the server's tasks and the `Standin` handle share.
pub(crate) struct Shared {
    store: Mutex<Store>,
    dice: Mutex<faults::Dice>,
    hostile: Mutex<Hostile>,
    /// Body bytes of `Hostile::HugeBody` answers the clients took.
    streamed: Arc<AtomicU64>,
    limits: limits::Limits,
    base_url: String,
    requests: AtomicU64,
    by_path: Mutex<BTreeMap<String, u64>>,
}

impl Shared {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub(crate) fn dice(&self) -> MutexGuard<'_, faults::Dice> {
        lock(&self.dice)
    }

    pub(crate) fn hostile(&self) -> MutexGuard<'_, Hostile> {
        lock(&self.hostile)
    }

    pub(crate) fn by_path(&self) -> MutexGuard<'_, BTreeMap<String, u64>> {
        lock(&self.by_path)
    }

    /// Counts an answered API request under its endpoint (`POST /V1.0/Tickets/query`).
    pub(crate) fn count(&self, endpoint: String) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.limits.record_request();
        *self.by_path().entry(endpoint).or_default() += 1;
    }

    pub(crate) fn snapshot(&self, entity: &str) -> Vec<Value> {
        self.store().table(entity).map(|t| t.values().cloned().map(Value::Object).collect()).unwrap_or_default()
    }

    /// A record in the contract's spelling and types where it can be, as given where not.
    fn normalized(entity: &str, record: &Value) -> Record {
        let record = record.as_object().cloned().unwrap_or_default();
        normalize(entity, &record, true).unwrap_or(record)
    }

    pub(crate) fn insert(&self, entity: &str, record: &Value) -> i64 {
        self.store().insert(entity, Self::normalized(entity, record))
    }

    pub(crate) fn patch(&self, entity: &str, id: i64, fields: &Value) -> bool {
        self.store().patch(entity, id, &Self::normalized(entity, fields))
    }
}

/// A running stand-in.
pub struct Standin {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Standin {
    /// Seeded from fieldkit-core's sample generator and listening on
    /// 127.0.0.1:`port` (0: any free port).
    pub async fn start(seed: Seed, port: u16) -> std::io::Result<Standin> {
        // Seeding runs SQLite (the sample generator): off the async threads.
        let seeding = tokio::task::spawn_blocking(move || seed::seed(&seed));
        let store = seeding.await.map_err(std::io::Error::other)?.map_err(std::io::Error::other)?;
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            dice: Mutex::new(faults::Dice::default()),
            hostile: Mutex::new(Hostile::Off),
            streamed: Arc::new(AtomicU64::new(0)),
            limits: limits::Limits::default(),
            base_url,
            requests: AtomicU64::new(0),
            by_path: Mutex::new(BTreeMap::new()),
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, shared.clone(), stopped));
        Ok(Standin { shared, stop, task })
    }

    /// The discovery base, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn credentials(&self) -> Credentials {
        standin_credentials()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.shared.dice().set(faults);
    }

    /// Makes the server hostile (or not again, with `Hostile::Off`).
    pub fn set_hostile(&self, hostile: Hostile) {
        *self.shared.hostile() = hostile;
    }

    /// Body bytes of `Hostile::HugeBody` answers the clients took so far.
    pub fn streamed_bytes(&self) -> u64 {
        self.shared.streamed.load(Ordering::Relaxed)
    }

    /// Every record of an entity (`"Tickets"`, `"TicketNotes"`…), ascending id, camelCase fields.
    pub fn snapshot(&self, entity: &str) -> Vec<Value> {
        self.shared.snapshot(entity)
    }

    /// Adds a record as the PSA's own users would: a new id when it has
    /// none (or 0), and its change time (`lastActivityDate` or
    /// `lastModifiedDateTime`) set to now. Returns the id.
    pub fn insert(&self, entity: &str, record: Value) -> i64 {
        self.shared.insert(entity, &record)
    }

    /// Changes fields of a record as the PSA's own users would (its change time moves).
    pub fn patch(&self, entity: &str, id: i64, fields: Value) {
        self.shared.patch(entity, id, &fields);
    }

    pub fn delete(&self, entity: &str, id: i64) {
        self.shared.store().delete(entity, id);
    }

    /// Every API request answered, faulted ones included (not `/_standin/` controls).
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Requests per endpoint, e.g. `("POST /V1.0/Tickets/query", 3)`.
    pub fn requests_by_path(&self) -> Vec<(String, u64)> {
        self.shared.by_path().iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    /// Closes the listener and every connection.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
