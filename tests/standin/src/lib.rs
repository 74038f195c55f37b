//! A stand-in for the Autotask REST API v1.0 — the part Fieldkit uses —
//! built from the contract in `../shared/contracts/autotask/`: zone
//! discovery, the auth headers, queries with every operator and nested
//! groups, 500-record pages whose `nextPageUrl` is POSTed with the same body,
//! picklists from `entityInformation/fields`, creates and updates answering
//! `itemId`, attachments, `ThresholdInformation`, the 3-requests-per-endpoint
//! limit, and errors as `{"errors":[…]}`. Seeded by Fieldkit's sample
//! generator. Faults can be injected: latency, 429, 500, a reset connection,
//! a response lost after the write was committed, malformed or cut-off JSON.

mod faults;
mod http;
mod picklists;
mod query;
mod routes;
mod seed;
mod store;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::BufReader;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use faults::{FaultKind, Faults};
pub use seed::Seed;

use http::{Delivery, Request, Response};
use store::Store;

/// The credentials the stand-in accepts.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub api_user: String,
    pub integration_code: String,
    pub secret: String,
}

fn credentials() -> Credentials {
    Credentials {
        api_user: "fieldkit-api@example.com".into(),
        integration_code: "FIELDKITSTANDIN".into(),
        secret: "standin-secret".into(),
    }
}

pub(crate) struct Shared {
    store: Mutex<Store>,
    dice: Mutex<faults::Dice>,
    base_url: String,
    requests: AtomicU64,
    by_path: Mutex<BTreeMap<String, u64>>,
    recent: Mutex<VecDeque<Instant>>,
    in_flight: Mutex<HashMap<String, usize>>,
    attachments: Mutex<VecDeque<(Instant, usize)>>,
}

impl Shared {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn requests_last_hour(&self) -> u64 {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        while recent.front().is_some_and(|at| at.elapsed() > Duration::from_secs(3600)) {
            recent.pop_front();
        }
        recent.len() as u64
    }

    /// Autotask: 10,000,000 attachment bytes per 5 minutes.
    pub(crate) fn spend_attachment_budget(&self, bytes: usize) -> Result<(), String> {
        let mut spent = self.attachments.lock().unwrap_or_else(|p| p.into_inner());
        while spent.front().is_some_and(|(at, _)| at.elapsed() > Duration::from_secs(300)) {
            spent.pop_front();
        }
        let total: usize = spent.iter().map(|(_, b)| b).sum();
        if total + bytes > 10_000_000 {
            return Err("TicketAttachments: the attachment budget of 10,000,000 bytes per 5 minutes is used up.".into());
        }
        spent.push_back((Instant::now(), bytes));
        Ok(())
    }

    fn count(&self, key: String) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        *self.by_path.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_default() += 1;
        self.recent.lock().unwrap_or_else(|p| p.into_inner()).push_back(Instant::now());
    }
}

/// A running stand-in.
pub struct Standin {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Standin {
    /// Seeds the data and listens on 127.0.0.1:`port` (0: any free port).
    pub async fn start(seed: Seed, port: u16) -> std::io::Result<Standin> {
        let mut store = Store::default();
        let seeding = tokio::task::spawn_blocking(move || seed::seed(&mut store, &seed).map(|_| store));
        let mut store = seeding.await.map_err(std::io::Error::other)?.map_err(std::io::Error::other)?;
        // Company 0 is the MSP itself, as in every Autotask database.
        store.seed(
            "Companies",
            serde_json::from_value(json!({ "id": 0, "companyName": "Fieldkit MSP", "companyType": 5, "isActive": true,
            "lastActivityDate": store::stamp(chrono::Utc::now() - chrono::Duration::days(365)) }))
            .unwrap_or_default(),
        );
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            dice: Mutex::new(faults::Dice::default()),
            base_url,
            requests: AtomicU64::new(0),
            by_path: Mutex::new(BTreeMap::new()),
            recent: Mutex::new(VecDeque::new()),
            in_flight: Mutex::new(HashMap::new()),
            attachments: Mutex::new(VecDeque::new()),
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(listener, shared.clone(), stopped));
        Ok(Standin { shared, stop, task })
    }

    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn credentials(&self) -> Credentials {
        credentials()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.shared.dice.lock().unwrap_or_else(|p| p.into_inner()).set(faults);
    }

    /// Every record of an entity, ascending id.
    pub fn snapshot(&self, entity: &str) -> Vec<Value> {
        self.shared.store().table(entity).map(|t| t.values().cloned().map(Value::Object).collect()).unwrap_or_default()
    }

    /// Adds a record as the PSA's own users would; its id.
    pub fn insert(&self, entity: &str, record: Value) -> i64 {
        self.shared.store().insert(entity, record.as_object().cloned().unwrap_or_default())
    }

    /// Changes a record as the PSA's own users would (its change time moves).
    pub fn patch(&self, entity: &str, id: i64, fields: Value) {
        self.shared.store().patch(entity, id, &fields.as_object().cloned().unwrap_or_default());
    }

    pub fn delete(&self, entity: &str, id: i64) {
        self.shared.store().delete(entity, id);
    }

    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    pub fn requests_by_path(&self) -> Vec<(String, u64)> {
        self.shared.by_path.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    /// Closes the listener and every connection.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                if let Ok((socket, _)) = accepted {
                    let _ = socket.set_nodelay(true);
                    let shared = shared.clone();
                    let stopped = stopped.clone();
                    connections.spawn(connection(socket, shared, stopped));
                }
            }
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

async fn connection(socket: tokio::net::TcpStream, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let mut stream = BufReader::new(socket);
    loop {
        let request = tokio::select! {
            _ = stopped.changed() => return,
            read = http::read_request(&mut stream) => read,
        };
        let request = match request {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(_) => {
                let _ = http::deliver(
                    &mut stream,
                    Delivery::Normal(Response::error(400, "The request could not be read.")),
                )
                .await;
                return;
            }
        };
        let delivery = handle(&shared, &request).await;
        match http::deliver(&mut stream, delivery).await {
            Ok(true) => {}
            _ => return,
        }
    }
}

/// Where a request goes: the thread-limit lane and the counted path.
fn lane(request: &Request) -> String {
    let path = request.path.trim_start_matches("/atservicesrest/V1.0/");
    let parts: Vec<&str> = path
        .split('/')
        .map(|part| if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() { "{id}" } else { part })
        .collect();
    format!("{} /V1.0/{}", request.method, parts.join("/"))
}

async fn handle(shared: &Shared, request: &Request) -> Delivery {
    let path = request.path.clone();
    if path.starts_with("/_standin/") {
        return Delivery::Normal(control(shared, request));
    }
    shared.count(lane(request));
    if path == "/atservicesrest/versioninformation" {
        return Delivery::Normal(Response::json(200, &json!({ "apiVersions": ["1.0"] })));
    }
    if path.eq_ignore_ascii_case("/atservicesrest/V1.0/zoneInformation") {
        let user = request.query.get("user").cloned().unwrap_or_default();
        return Delivery::Normal(if user.eq_ignore_ascii_case(&credentials().api_user) {
            Response::json(
                200,
                &json!({ "zoneName": "Stand-in", "url": format!("{}/atservicesrest/", shared.base_url),
                                          "webUrl": format!("{}/", shared.base_url), "ci": 0 }),
            )
        } else {
            Response::error(404, format!("No zone for the user {user}."))
        });
    }
    let Some(rest) = path.strip_prefix("/atservicesrest/V1.0/") else {
        return Delivery::Normal(Response::error(404, "No such resource."));
    };
    let expected = credentials();
    let header = |name: &str| request.headers.get(&name.to_ascii_lowercase()).cloned().unwrap_or_default();
    if header("ApiIntegrationCode") != expected.integration_code
        || !header("UserName").eq_ignore_ascii_case(&expected.api_user)
        || header("Secret") != expected.secret
    {
        return Delivery::Normal(Response::error(401, "The API user, integration code or secret is not valid."));
    }
    // Three requests in flight per endpoint and integration code.
    let key = format!("{}|{}", expected.integration_code, lane(request));
    {
        let mut in_flight = shared.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        let count = in_flight.entry(key.clone()).or_default();
        if *count >= 3 {
            return Delivery::Normal(Response::error(
                429,
                "Request rejected: the thread threshold of 3 threads has been exceeded for this endpoint.",
            ));
        }
        *count += 1;
    }
    let (latency, fault) = {
        let mut dice = shared.dice.lock().unwrap_or_else(|p| p.into_inner());
        (dice.faults.latency_ms, dice.draw())
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let writes = request.method != "GET" && !rest.contains("/query");
    let delivery = match fault {
        None => Delivery::Normal(routes::v1(shared, request, &segments)),
        Some(FaultKind::TooManyRequests) => Delivery::Normal(Response::error(429, "Too many requests (injected).")),
        Some(FaultKind::ServerError) => Delivery::Normal(Response::json(
            500,
            &json!({ "errors": ["Internal error (injected)."], "errorId": uuid::Uuid::new_v4().to_string() }),
        )),
        Some(FaultKind::ConnectionReset) => Delivery::Reset,
        Some(FaultKind::ResponseLostAfterCommit) => {
            let _ = routes::v1(shared, request, &segments);
            Delivery::Reset
        }
        Some(FaultKind::MalformedJson) => {
            Delivery::Normal(Response { status: 200, body: "{\"items\":[{\"id\":1,".into() })
        }
        Some(FaultKind::Truncated) if writes => {
            Delivery::Truncated(Response::json(200, &json!({ "itemId": 0, "padding": "x".repeat(64) })))
        }
        Some(FaultKind::Truncated) => Delivery::Truncated(routes::v1(shared, request, &segments)),
    };
    if let Some(count) = shared.in_flight.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&key) {
        *count = count.saturating_sub(1);
    }
    delivery
}

/// `POST /_standin/faults` with `{"latencyMs":…,"rate":…,"kinds":[…],"seed":…}`.
fn control(shared: &Shared, request: &Request) -> Response {
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/_standin/faults") => match serde_json::from_slice::<Faults>(&request.body) {
            Ok(faults) => {
                shared.dice.lock().unwrap_or_else(|p| p.into_inner()).set(faults);
                Response::json(200, &json!({ "ok": true }))
            }
            Err(error) => Response::error(400, format!("Faults: {error}")),
        },
        ("PATCH", "/_standin/Tickets") => match serde_json::from_slice::<Value>(&request.body) {
            // For demos and end-to-end tests: a change made "in the PSA" by someone else.
            Ok(value) => {
                let id = value.get("id").and_then(Value::as_i64).unwrap_or_default();
                let found = shared.store().patch("Tickets", id, &value.as_object().cloned().unwrap_or_default());
                if found {
                    Response::json(200, &json!({ "itemId": id }))
                } else {
                    Response::error(404, "No such ticket.")
                }
            }
            Err(error) => Response::error(400, error.to_string()),
        },
        ("GET", "/_standin/requests") => {
            let by_path: BTreeMap<String, u64> = shared.by_path.lock().unwrap_or_else(|p| p.into_inner()).clone();
            Response::json(200, &json!({ "total": shared.requests.load(Ordering::Relaxed), "byPath": by_path }))
        }
        _ => Response::error(404, "No such control."),
    }
}
