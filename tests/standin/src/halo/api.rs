//! The Halo stand-in's request pipeline and routes: the token endpoint,
//! the bearer check, an injected fault, then the list or the upsert.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use super::store::HaloStore;
use super::{lock, pause, HaloShared, CLIENT_ID, CLIENT_SECRET, MAX_ATTACHMENT_BYTES};
use crate::faults::FaultKind;
use crate::http::{percent_decode, Delivery, Request, Response};
use crate::store::parse_instant;

const PAGE_CAP: usize = 100;

/// Halo's error bodies: a bare JSON string…
fn says(status: u16, message: &str) -> Response {
    Response::json(status, &json!(message))
}

/// …or a .NET exception.
fn exception(status: u16, message: &str) -> Response {
    Response::json(status, &json!({ "ClassName": "System.Exception", "Message": message }))
}

pub(crate) async fn handle(shared: &HaloShared, request: &Request) -> Delivery {
    if request.path.get(..10).is_some_and(|p| p.eq_ignore_ascii_case("/_standin/")) {
        // The stand-in's own controls: never counted, delayed or faulted.
        return Delivery::Normal(super::control::answer(shared, request));
    }
    let path = request.path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let latency = lock(&shared.dice).latency_ms();
    match segments.as_slice() {
        ["auth", "token"] => {
            shared.count("POST /auth/token".into());
            shared.token_requests.fetch_add(1, Ordering::Relaxed);
            pause(latency).await;
            Delivery::Normal(token(shared, request))
        }
        ["api", rest @ ..] => {
            let endpoint = format!(
                "{} /api/{}",
                request.method,
                rest.iter()
                    .map(|s| if s.bytes().all(|b| b.is_ascii_digit()) { "{id}" } else { *s })
                    .collect::<Vec<_>>()
                    .join("/")
            );
            shared.count(endpoint);
            pause(latency).await;
            if !authorized(shared, request) {
                // Halo answers an expired token with an empty 401.
                return Delivery::Normal(Response { status: 401, body: String::new() });
            }
            let fault = lock(&shared.dice).draw();
            match fault {
                None => Delivery::Normal(route(shared, request, rest).await),
                Some(FaultKind::TooManyRequests) => {
                    let body = Response {
                        status: 429,
                        body: "Rate Limit Reached - 300 Requests per rolling 5 minute window".into(),
                    };
                    match shared.retry_after.load(Ordering::Relaxed) {
                        0 => Delivery::Normal(body),
                        seconds => Delivery::WithHeaders(body, vec![("Retry-After".into(), seconds.to_string())]),
                    }
                }
                Some(FaultKind::ServerError) => {
                    Delivery::Normal(exception(500, "An unexpected error occurred (injected)."))
                }
                Some(FaultKind::ConnectionReset) => Delivery::Reset,
                Some(FaultKind::ResponseLostAfterCommit) => {
                    let _ = route(shared, request, rest).await;
                    Delivery::Reset
                }
                Some(FaultKind::MalformedJson) => {
                    Delivery::Normal(Response { status: 200, body: "{\"tickets\":[{\"id\":1,".into() })
                }
                Some(FaultKind::Truncated) => Delivery::Truncated(route(shared, request, rest).await),
            }
        }
        _ => {
            shared.count(format!("{} {path}", request.method));
            Delivery::Normal(says(404, "The requested resource does not exist."))
        }
    }
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

fn token(shared: &HaloShared, request: &Request) -> Response {
    if request.method != "POST" {
        return says(405, "The token endpoint takes POST.");
    }
    let fields = form(&request.body);
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();
    if get("grant_type") != "client_credentials" {
        return Response::json(400, &json!({ "error": "unsupported_grant_type" }));
    }
    if get("client_id") != CLIENT_ID || get("client_secret") != CLIENT_SECRET {
        return Response::json(
            401,
            &json!({ "error": "invalid_client", "error_description": "The client id or secret is not valid." }),
        );
    }
    let lifetime = shared.token_lifetime.load(Ordering::Relaxed);
    let value = format!("halo-{}", uuid::Uuid::new_v4().simple());
    lock(&shared.tokens).insert(value.clone(), Instant::now() + Duration::from_secs(lifetime));
    Response::json(
        200,
        &json!({ "access_token": value, "token_type": "Bearer", "expires_in": lifetime, "scope": get("scope"),
                 "refresh_token": "unused", "id_token": "unused" }),
    )
}

fn authorized(shared: &HaloShared, request: &Request) -> bool {
    let Some(token) = request.header("Authorization").and_then(|h| h.strip_prefix("Bearer ")) else { return false };
    lock(&shared.tokens).get(token.trim()).is_some_and(|expires| Instant::now() < *expires)
}

fn param<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn yes(request: &Request, name: &str) -> bool {
    param(request, name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn id_of(record: &Value, name: &str) -> Option<i64> {
    record.get(name).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

fn changed_since(record: &Value, field: &str, request: &Request) -> bool {
    let Some(since) = param(request, "lastupdatefromdate").and_then(parse_instant) else { return true };
    record.get(field).and_then(Value::as_str).and_then(parse_instant).is_some_and(|at| at >= since)
}

/// A list answer: paged when asked (`pageinate=true`), with `record_count`;
/// the page past the end is the last page again.
fn listed(rows: Vec<Value>, key: &str, request: &Request) -> Response {
    let count = rows.len();
    if !yes(request, "pageinate") {
        let rows = match param(request, "count").and_then(|c| c.parse::<usize>().ok()) {
            Some(n) => rows.into_iter().take(n).collect(),
            None => rows,
        };
        return Response::json(200, &json!({ "record_count": count, key: rows }));
    }
    let size = param(request, "page_size").and_then(|s| s.parse::<usize>().ok()).unwrap_or(50).clamp(1, PAGE_CAP);
    let pages = count.div_ceil(size).max(1);
    let page = param(request, "page_no").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let rows: Vec<Value> = rows.into_iter().skip((page - 1) * size).take(size).collect();
    Response::json(200, &json!({ "page_no": page, "page_size": size, "record_count": count, key: rows }))
}

fn ordered(rows: Vec<Value>, request: &Request) -> Vec<Value> {
    let mut rows = rows;
    if param(request, "order").is_some_and(|o| o.eq_ignore_ascii_case("id")) && yes(request, "orderdesc") {
        rows.reverse();
    }
    rows
}

async fn route(shared: &HaloShared, request: &Request, rest: &[&str]) -> Response {
    let method = request.method.as_str();
    match (method, rest) {
        ("GET", [entity]) => list(&shared.store(), request, entity),
        ("GET", [entity, id]) => {
            let Ok(id) = id.parse::<i64>() else { return says(400, "The id is not valid.") };
            let store = shared.store();
            let found = match *entity {
                "Tickets" => store.tickets.get(&id),
                "Client" => store.clients.get(&id),
                "Site" => store.sites.get(&id),
                "Users" => store.users.get(&id),
                "Asset" => store.assets.get(&id),
                "Agent" => store.agents.get(&id),
                "Appointment" => store.appointments.get(&id),
                _ => None,
            };
            match found {
                Some(record) => Response::json(200, record),
                None => says(404, &format!("{entity} {id} was not found.")),
            }
        }
        ("POST", [entity]) => {
            let items: Vec<Value> = match serde_json::from_slice::<Value>(&request.body) {
                Ok(Value::Array(items)) if !items.is_empty() => items,
                Ok(Value::Array(_)) => return says(400, "Nothing to save."),
                _ => return says(400, "The body must be a JSON array."),
            };
            let mut last = says(400, "Nothing to save.");
            for item in items {
                last = match upsert(shared, entity, item).await {
                    Ok(saved) => Response::json(201, &saved),
                    Err(refused) => return refused,
                };
            }
            last
        }
        _ => says(405, &format!("The requested resource does not support http method '{method}'.")),
    }
}

fn list(store: &HaloStore, request: &Request, entity: &str) -> Response {
    let by_client = |r: &&Value| {
        param(request, "client_id").and_then(|c| c.parse::<i64>().ok()).is_none_or(|c| id_of(r, "client_id") == Some(c))
    };
    match entity {
        "Agent" => Response::json(200, &json!(store.agents.values().cloned().collect::<Vec<_>>())),
        "Status" => Response::json(200, &json!(store.statuses)),
        "Priority" => Response::json(200, &json!(store.priorities)),
        "Team" => Response::json(200, &json!(store.teams)),
        "TicketType" => Response::json(200, &json!(store.types)),
        "Outcome" => Response::json(200, &json!(store.outcomes)),
        "Client" => listed(
            ordered(
                store.clients.values().filter(|r| changed_since(r, "alastupdate", request)).cloned().collect(),
                request,
            ),
            "clients",
            request,
        ),
        "Site" => listed(
            ordered(
                store
                    .sites
                    .values()
                    .filter(by_client)
                    .filter(|r| changed_since(r, "slastupdate", request))
                    .cloned()
                    .collect(),
                request,
            ),
            "sites",
            request,
        ),
        "Users" => listed(
            ordered(
                store
                    .users
                    .values()
                    .filter(by_client)
                    .filter(|r| changed_since(r, "ulastupdate", request))
                    .cloned()
                    .collect(),
                request,
            ),
            "users",
            request,
        ),
        "Asset" => listed(
            ordered(
                store
                    .assets
                    .values()
                    .filter(by_client)
                    .filter(|r| changed_since(r, "dlastupdate", request))
                    .cloned()
                    .collect(),
                request,
            ),
            "assets",
            request,
        ),
        "Tickets" => {
            let ids: Option<BTreeSet<i64>> =
                param(request, "ticketids").map(|t| t.split(',').filter_map(|i| i.trim().parse().ok()).collect());
            let marker = param(request, "third_party_id_string");
            let summary = param(request, "search_summary").map(str::to_lowercase);
            let rows = store
                .tickets
                .values()
                .filter(|t| t["deleted"] != json!(true))
                .filter(|t| !yes(request, "open_only") || t["hasbeenclosed"] != json!(true))
                .filter(|t| !yes(request, "closed_only") || t["hasbeenclosed"] == json!(true))
                .filter(|t| ids.as_ref().is_none_or(|ids| id_of(t, "id").is_some_and(|id| ids.contains(&id))))
                .filter(|t| marker.is_none_or(|m| t["third_party_id_string"].as_str() == Some(m)))
                .filter(|t| {
                    summary
                        .as_ref()
                        .is_none_or(|s| t["summary"].as_str().unwrap_or_default().to_lowercase().contains(s.as_str()))
                })
                .filter(by_client)
                .filter(|t| changed_since(t, "last_update", request))
                .cloned()
                .collect();
            listed(ordered(rows, request), "tickets", request)
        }
        "Actions" => {
            // An unfiltered action scan times out on a real tenant.
            let Some(ticket) = param(request, "ticket_id").and_then(|t| t.parse::<i64>().ok()) else {
                return says(400, "ticket_id must be given.");
            };
            let rows: Vec<Value> = store.actions.range((ticket, 0)..(ticket + 1, 0)).map(|(_, a)| a.clone()).collect();
            Response::json(200, &json!({ "ticket_id": ticket, "record_count": rows.len(), "actions": rows }))
        }
        "Appointment" => {
            let from = param(request, "start_date").and_then(parse_instant);
            let to = param(request, "end_date").and_then(parse_instant);
            let agents: Option<Vec<i64>> =
                param(request, "agents").map(|a| a.split(',').filter_map(|i| i.trim().parse().ok()).collect());
            let ticket = param(request, "ticket_id").and_then(|t| t.parse::<i64>().ok());
            let rows = store
                .appointments
                .values()
                .filter(|a| {
                    let end = a["end_date"].as_str().and_then(parse_instant);
                    let start = a["start_date"].as_str().and_then(parse_instant);
                    from.is_none_or(|from| end.is_some_and(|end| end >= from))
                        && to.is_none_or(|to| start.is_some_and(|start| start <= to))
                })
                .filter(|a| {
                    agents.as_ref().is_none_or(|agents| {
                        id_of(a, "agent_id").is_some_and(|id| agents.contains(&id))
                            || a["agents"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .any(|x| id_of(x, "id").is_some_and(|id| agents.contains(&id)))
                    })
                })
                .filter(|a| ticket.is_none_or(|t| id_of(a, "ticket_id") == Some(t)))
                .cloned()
                .collect();
            listed(ordered(rows, request), "appointments", request)
        }
        "Attachment" => {
            let ticket = param(request, "ticket_id").and_then(|t| t.parse::<i64>().ok());
            let rows: Vec<Value> = store
                .attachments
                .values()
                .filter(|a| ticket.is_none_or(|t| id_of(a, "ticket_id") == Some(t)))
                .cloned()
                .collect();
            Response::json(200, &json!({ "ticket_id": ticket, "record_count": rows.len(), "attachments": rows }))
        }
        "ToDo" => {
            // The envelope of this list is not documented: a bare array here
            // (the connector reads either).
            let Some(ticket) = param(request, "ticket_id").and_then(|t| t.parse::<i64>().ok()) else {
                return says(400, "ticket_id must be given.");
            };
            let rows: Vec<Value> =
                store.todos.values().filter(|t| id_of(t, "ticket_id") == Some(ticket)).cloned().collect();
            Response::json(200, &json!(rows))
        }
        // An entity the stand-in does not serve.
        other => says(404, &format!("No HTTP resource was found that matches {other}.")),
    }
}

fn merge(record: &mut Value, fields: &Value) {
    for (name, value) in fields.as_object().into_iter().flatten() {
        if name != "id" {
            record[name] = value.clone();
        }
    }
}

async fn upsert(shared: &HaloShared, entity: &str, item: Value) -> Result<Value, Response> {
    if !item.is_object() {
        return Err(says(400, "Each item must be an object."));
    }
    let id = item.get("id").and_then(|v| {
        // Halo refuses ids sent as fractions.
        if v.is_f64() {
            None
        } else {
            v.as_i64()
        }
    });
    if item.get("id").is_some_and(|v| v.is_f64()) {
        return Err(says(400, "The id is not valid."));
    }
    match entity {
        "Tickets" => ticket(shared, id.filter(|id| *id > 0), item).await,
        "Actions" => action(shared, id.filter(|id| *id > 0), item),
        "Appointment" => appointment(shared, id.filter(|id| *id > 0), item),
        "Attachment" => attachment(shared, item),
        "ToDo" => todo(shared, id.filter(|id| *id > 0), item),
        other => Err(says(404, &format!("No HTTP resource was found that matches {other}."))),
    }
}

async fn ticket(shared: &HaloShared, id: Option<i64>, item: Value) -> Result<Value, Response> {
    if let Some(id) = id {
        let mut store = shared.store();
        let at = store.change_time();
        let Some(record) = store.tickets.get_mut(&id) else {
            return Err(says(404, &format!("Ticket {id} was not found.")));
        };
        merge(record, &item);
        record["last_update"] = json!(at);
        // A POST answers with `lastupdate`, a GET with `last_update`.
        let mut answer = record.clone();
        answer["lastupdate"] = json!(at);
        return Ok(answer);
    }
    if item["summary"].as_str().is_none_or(|s| s.trim().is_empty()) {
        return Err(says(400, "A Summary must be entered."));
    }
    if id_of(&item, "client_id").is_none() {
        return Err(says(400, "A Client must be selected."));
    }
    // Halo numbers tickets racily: creates that overlap fail.
    if shared.creating.fetch_add(1, Ordering::SeqCst) > 0 {
        shared.creating.fetch_sub(1, Ordering::SeqCst);
        return Err(exception(
            500,
            "Violation of PRIMARY KEY constraint 'PK_FAULTS'. Cannot insert duplicate key in object 'dbo.FAULTS'.",
        ));
    }
    // Long enough for a second create sent at the same time to overlap.
    pause(40).await;
    let saved = {
        let mut store = shared.store();
        let at = store.change_time();
        let id = store.tickets.keys().next_back().copied().unwrap_or(0) + 1;
        let mut record = json!({ "id": id, "agent_id": 1, "hasbeenclosed": false, "deleted": false, "team": "", "additional_agents": [],
                                 "dateoccurred": at, "last_update": at, "lastactiondate": at, "third_party_id_string": "" });
        merge(&mut record, &item);
        store.tickets.insert(id, record.clone());
        record
    };
    shared.creating.fetch_sub(1, Ordering::SeqCst);
    Ok(saved)
}

fn action(shared: &HaloShared, id: Option<i64>, item: Value) -> Result<Value, Response> {
    let Some(ticket) = id_of(&item, "ticket_id") else { return Err(says(400, "A Ticket must be selected.")) };
    let mut store = shared.store();
    if !store.tickets.contains_key(&ticket) {
        return Err(says(400, &format!("Ticket {ticket} does not exist.")));
    }
    let at = store.change_time();
    let saved = match id {
        Some(id) => {
            let Some(record) = store.actions.get_mut(&(ticket, id)) else {
                return Err(says(404, "The action was not found."));
            };
            merge(record, &item);
            record["last_updated"] = json!(at);
            record.clone()
        }
        None => {
            if item["outcome_id"].is_null() && item["outcome"].as_str().is_none_or(str::is_empty) {
                return Err(says(400, "An Outcome must be entered for this Action"));
            }
            let mut record = json!({ "datetime": at, "hiddenfromuser": false, "timetaken": 0.0, "who_agentid": 0 });
            merge(&mut record, &item);
            record["last_updated"] = json!(at);
            let id = store.add_action(ticket, record);
            store.actions[&(ticket, id)].clone()
        }
    };
    if let Some(record) = store.tickets.get_mut(&ticket) {
        record["last_update"] = json!(at);
        record["lastactiondate"] = json!(at);
    }
    Ok(saved)
}

fn appointment(shared: &HaloShared, id: Option<i64>, item: Value) -> Result<Value, Response> {
    let mut store = shared.store();
    let at = store.change_time();
    if let Some(id) = id {
        let Some(record) = store.appointments.get_mut(&id) else {
            return Err(says(404, "The appointment was not found."));
        };
        merge(record, &item);
        record["last_modified"] = json!(at);
        return Ok(record.clone());
    }
    if item["start_date"].as_str().and_then(parse_instant).is_none()
        || item["end_date"].as_str().and_then(parse_instant).is_none()
    {
        return Err(says(400, "A start and end date must be entered."));
    }
    let id = store.appointments.keys().next_back().copied().unwrap_or(0) + 1;
    let mut record = json!({ "id": id, "ticket_id": -1, "agents": [], "last_modified": at });
    merge(&mut record, &item);
    store.appointments.insert(id, record.clone());
    Ok(record)
}

fn attachment(shared: &HaloShared, item: Value) -> Result<Value, Response> {
    let Some(ticket) = id_of(&item, "ticket_id") else { return Err(says(400, "A Ticket must be selected.")) };
    let data = item["data_base64"].as_str().unwrap_or_default();
    let payload = data.split_once(";base64,").map(|(_, p)| p).unwrap_or(data);
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(payload) else {
        return Err(says(400, "The attachment data is not valid base64."));
    };
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(says(
            400,
            &format!("The file is too large ({} bytes; the limit is {MAX_ATTACHMENT_BYTES}).", bytes.len()),
        ));
    }
    let mut store = shared.store();
    if !store.tickets.contains_key(&ticket) {
        return Err(says(400, &format!("Ticket {ticket} does not exist.")));
    }
    let at = store.change_time();
    let id = store.attachments.keys().next_back().copied().unwrap_or(0) + 1;
    let mut record = json!({ "id": id, "ticket_id": ticket, "filename": item["filename"], "filesize": bytes.len(),
                             "third_party_id": item["third_party_id"], "last_updated": at });
    if let Some(action) = id_of(&item, "action_id") {
        record["action_id"] = json!(action);
    }
    store.attachments.insert(id, record.clone());
    store.attachment_bytes.insert(id, bytes);
    Ok(record)
}

/// A ticket's to-do item: ticked or unticked (by id), or added.
fn todo(shared: &HaloShared, id: Option<i64>, item: Value) -> Result<Value, Response> {
    let mut store = shared.store();
    let at = store.change_time();
    if let Some(id) = id {
        let Some(record) = store.todos.get_mut(&id) else {
            return Err(says(404, &format!("To-do {id} was not found.")));
        };
        if id_of(&item, "ticket_id").is_some_and(|ticket| Some(ticket) != id_of(record, "ticket_id")) {
            return Err(says(400, "The to-do belongs to another ticket."));
        }
        merge(record, &item);
        let done = record["done"].as_bool().unwrap_or(false);
        record["actual_end"] = if done { json!(at) } else { Value::Null };
        if !done {
            record["done_by_id"] = Value::Null;
        }
        return Ok(record.clone());
    }
    let Some(ticket) = id_of(&item, "ticket_id") else { return Err(says(400, "A Ticket must be selected.")) };
    if item["text"].as_str().is_none_or(|t| t.trim().is_empty()) {
        return Err(says(400, "A to-do needs its text."));
    }
    if !store.tickets.contains_key(&ticket) {
        return Err(says(400, &format!("Ticket {ticket} does not exist.")));
    }
    let id = store.todos.keys().next_back().copied().unwrap_or(0) + 1;
    let mut record = json!({ "id": id, "done": false, "sequence": 0, "group_id": 0, "group_name": "" });
    merge(&mut record, &item);
    store.todos.insert(id, record.clone());
    Ok(record)
}
