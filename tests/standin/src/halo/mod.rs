//! A stand-in for the HaloPSA REST API — the part Fieldkit uses — built
//! from the contract in `../shared/contracts/halopsa/` (its README's wire
//! conventions; vendored as `tests/standin/contract/halopsa/README.md`):
//!
//! - `POST /auth/token` (form-encoded client credentials, with or without
//!   `?tenant=`): a token with `expires_in`; a wrong secret is a 401 in
//!   OAuth's `{"error","error_description"}` shape.
//! - `Authorization: Bearer` on every `/api/` call; an expired or unknown
//!   token is a 401.
//! - Lists with Halo's envelopes (`tickets`, `clients`, `sites`, `users`,
//!   `assets`, `appointments`, `actions`, `attachments`; `/Agent` and the
//!   lists `/Status`, `/Priority`, `/Team`, `/TicketType`, `/Outcome` as
//!   bare arrays), `pageinate`/`page_no`/`page_size` cut to 100 with
//!   `record_count`, the page past the end repeating the last one,
//!   `lastupdatefromdate`, `open_only`/`closed_only`, `ticketids`,
//!   `third_party_id_string`, `search_summary`, `client_id`; unknown
//!   parameters ignored, as Halo does.
//! - Upserts: `POST` of an array, answered with the saved object; actions
//!   numbered per ticket and refused without an outcome; attachments as
//!   data URIs with a size limit; two ticket creates at once fail as
//!   Halo's ticket-number race does.
//! - Faults (the Autotask stand-in's dice): latency, 429 with "Rate Limit
//!   Reached" and a `Retry-After` when asked, 500 in .NET's shape, resets,
//!   a response lost after the write, malformed and truncated bodies.
//! - `/_standin/…`: its own controls over HTTP, as the Autotask stand-in's
//!   (see [`control`]), for demos and the end-to-end tests.

mod api;
mod control;
mod seed;
mod store;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::faults::{Dice, Faults};
use crate::http::{self, ReadError};
use crate::seed::Seed;

pub use store::halo_time;
use store::HaloStore;

/// The client id and secret the Halo stand-in accepts.
pub const CLIENT_ID: &str = "fieldkit-standin";
pub const CLIENT_SECRET: &str = "halo-standin-secret";
/// Attachments past this are refused (Halo's own limit is not documented).
pub const MAX_ATTACHMENT_BYTES: usize = 5_000_000;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) struct HaloShared {
    store: Mutex<HaloStore>,
    dice: Mutex<Dice>,
    tokens: Mutex<HashMap<String, Instant>>,
    token_lifetime: AtomicU64,
    /// Seconds named in a 429's `Retry-After` (0: none, as Halo sends).
    retry_after: AtomicU64,
    /// Ticket creates in flight (two at once collide).
    creating: AtomicU32,
    requests: AtomicU64,
    token_requests: AtomicU64,
    by_path: Mutex<BTreeMap<String, u64>>,
    base_url: String,
}

impl HaloShared {
    fn store(&self) -> MutexGuard<'_, HaloStore> {
        lock(&self.store)
    }

    /// Changes fields of a record as Halo's own users would (its change
    /// time moves); false when there is no such record.
    fn patch(&self, entity: &str, id: i64, fields: &Value) -> bool {
        let mut store = self.store();
        let at = store.change_time();
        let Some(record) = store.table_mut(entity).and_then(|t| t.get_mut(&id)) else { return false };
        for (name, value) in fields.as_object().into_iter().flatten() {
            if name != "id" {
                record[name] = value.clone();
            }
        }
        for stamp in ["last_update", "alastupdate", "slastupdate", "ulastupdate", "dlastupdate", "last_modified"] {
            if record.get(stamp).is_some() {
                record[stamp] = Value::String(at.clone());
            }
        }
        true
    }

    fn count(&self, endpoint: String) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        *lock(&self.by_path).entry(endpoint).or_default() += 1;
    }
}

/// A running Halo stand-in.
pub struct HaloStandin {
    shared: Arc<HaloShared>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl HaloStandin {
    /// Seeded from the sample generator, listening on 127.0.0.1:`port` (0: any).
    pub async fn start(seed: Seed, port: u16) -> std::io::Result<HaloStandin> {
        let store = tokio::task::spawn_blocking(move || seed::seed(&seed))
            .await
            .map_err(std::io::Error::other)?
            .map_err(std::io::Error::other)?;
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(HaloShared {
            store: Mutex::new(store),
            dice: Mutex::new(Dice::default()),
            tokens: Mutex::new(HashMap::new()),
            token_lifetime: AtomicU64::new(3_600),
            retry_after: AtomicU64::new(0),
            creating: AtomicU32::new(0),
            requests: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
            by_path: Mutex::new(BTreeMap::new()),
            base_url,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(listener, shared.clone(), stopped));
        Ok(HaloStandin { shared, stop, task })
    }

    /// The Halo URL (`/api` and `/auth` hang off it), no trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        lock(&self.shared.dice).set(faults);
    }

    /// How long new tokens live, in seconds.
    pub fn set_token_lifetime(&self, seconds: u64) {
        self.shared.token_lifetime.store(seconds, Ordering::Relaxed);
    }

    /// Every token given so far stops working (the next call gets a 401).
    pub fn expire_tokens(&self) {
        lock(&self.shared.tokens).clear();
    }

    /// A `Retry-After` (seconds) on every 429 from now on; 0 for none.
    pub fn set_retry_after(&self, seconds: u64) {
        self.shared.retry_after.store(seconds, Ordering::Relaxed);
    }

    /// Every record of a Halo entity (`Tickets`, `Actions`, `Client`, …), ascending id.
    pub fn snapshot(&self, entity: &str) -> Vec<Value> {
        self.shared.store().snapshot(entity)
    }

    /// The bytes of an attachment as they arrived.
    pub fn attachment_bytes(&self, id: i64) -> Option<Vec<u8>> {
        self.shared.store().attachment_bytes.get(&id).cloned()
    }

    /// Changes fields of a record as Halo's own users would (its change time moves).
    pub fn patch(&self, entity: &str, id: i64, fields: Value) {
        self.shared.patch(entity, id, &fields);
    }

    /// Adds an action to a ticket as a Halo user would; its per-ticket id.
    pub fn add_action(&self, ticket: i64, action: Value) -> i64 {
        let mut store = self.shared.store();
        let at = store.change_time();
        let mut action = action;
        action["datetime"] = Value::String(at.clone());
        action["last_updated"] = Value::String(at.clone());
        let id = store.add_action(ticket, action);
        if let Some(record) = store.tickets.get_mut(&ticket) {
            record["last_update"] = Value::String(at.clone());
            record["lastactiondate"] = Value::String(at);
        }
        id
    }

    pub fn delete(&self, entity: &str, id: i64) {
        if let Some(table) = self.shared.store().table_mut(entity) {
            table.remove(&id);
        }
    }

    /// API requests answered (token requests included, faulted ones too).
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Token requests answered.
    pub fn token_count(&self) -> u64 {
        self.shared.token_requests.load(Ordering::Relaxed)
    }

    /// Requests per endpoint, e.g. `("GET /api/Tickets", 3)`.
    pub fn requests_by_path(&self) -> Vec<(String, u64)> {
        lock(&self.shared.by_path).iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn serve(listener: TcpListener, shared: Arc<HaloShared>, mut stopped: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                if let Ok((socket, _)) = accepted {
                    let _ = socket.set_nodelay(true);
                    connections.spawn(connection(socket, shared.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

async fn connection(socket: TcpStream, shared: Arc<HaloShared>) {
    let mut reader = BufReader::new(socket);
    loop {
        let request = match http::read_request(&mut reader).await {
            Ok(request) => request,
            Err(ReadError::Gone) => return,
            Err(ReadError::Refused(response)) => {
                let _ = http::deliver(reader.get_mut(), http::Delivery::Normal(response), true).await;
                return;
            }
        };
        let delivery = api::handle(&shared, &request).await;
        match http::deliver(reader.get_mut(), delivery, request.close).await {
            Ok(true) => {}
            _ => return,
        }
    }
}

pub(crate) fn pause(ms: u64) -> impl std::future::Future<Output = ()> {
    tokio::time::sleep(Duration::from_millis(ms))
}
