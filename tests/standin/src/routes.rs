//! The API under `/atservicesrest/V1.0/`: which path and method mean what
//! (unknown path 404, known path with another method 405), and the answers
//! to reads — queries with paging, counts, records by id, entity
//! information, the request threshold. Writes are in `writes`.

use serde_json::{json, Map, Value};

use crate::contract;
use crate::entity_info;
use crate::http::{Request, Response};
use crate::query::{self, get};
use crate::store::Record;
use crate::writes::{self, Create};
use crate::Shared;

/// At most this many records a page, as Autotask.
pub const PAGE: usize = 500;

/// Child collections under a parent: (parent entity, path segment, child entity, the child's parent field).
const CHILDREN: &[(&str, &str, &str, &str)] = &[
    ("Tickets", "Notes", "TicketNotes", "ticketID"),
    ("Tickets", "Attachments", "TicketAttachments", "parentID"),
    ("Tickets", "SecondaryResources", "TicketSecondaryResources", "ticketID"),
    ("Tickets", "ChecklistItems", "TicketChecklistItems", "ticketID"),
    ("ServiceCalls", "Tickets", "ServiceCallTickets", "serviceCallID"),
    ("ServiceCallTickets", "Resources", "ServiceCallTicketResources", "serviceCallTicketID"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    First,
    Next,
    Prev,
}

#[derive(Debug)]
pub enum Route {
    Threshold,
    Query {
        entity: &'static str,
        paging: Paging,
    },
    Count {
        entity: &'static str,
    },
    Info {
        entity: &'static str,
    },
    Fields {
        entity: &'static str,
    },
    Udfs {
        entity: &'static str,
    },
    Get {
        entity: &'static str,
        id: i64,
    },
    Children {
        entity: &'static str,
        field: &'static str,
        parent: i64,
    },
    Create {
        entity: &'static str,
        parent: Option<(&'static str, i64)>,
    },
    /// `parent`: the (field, id) of a child collection's path (`Tickets/{parentId}/ChecklistItems`).
    Update {
        entity: &'static str,
        parent: Option<(&'static str, i64)>,
    },
}

/// A resolved request: what it means and its endpoint (`POST /V1.0/Tickets/query`),
/// which names its thread-limit lane and its line in the request counts.
pub struct Resolved {
    pub route: Route,
    pub endpoint: String,
}

fn is(segment: &str, word: &str) -> bool {
    segment.eq_ignore_ascii_case(word)
}

fn id(segment: &str) -> Option<i64> {
    segment.parse().ok()
}

fn not_found() -> Response {
    Response::error(404, "The requested resource does not exist.")
}

fn not_allowed(method: &str) -> Response {
    Response::error(405, format!("The requested resource does not support http method '{method}'."))
}

/// What `method` on `segments` (the path after `/V1.0/`) means.
pub fn resolve(method: &str, segments: &[&str]) -> Result<Resolved, Response> {
    let allow = |allowed: &[&str], route: Route, template: String| {
        if allowed.contains(&method) {
            Ok(Resolved { route, endpoint: format!("{method} /V1.0/{template}") })
        } else {
            Err(not_allowed(method))
        }
    };
    if let [name] = segments {
        if is(name, "ThresholdInformation") {
            return allow(&["GET"], Route::Threshold, "ThresholdInformation".into());
        }
    }
    let Some((first, rest)) = segments.split_first() else { return Err(not_found()) };
    let Some(entity) = contract::entity(first) else { return Err(not_found()) };
    match rest {
        [] => {
            let mut allowed = Vec::new();
            if writes::can_create(entity) {
                allowed.push("POST");
            }
            if writes::can_update(entity) {
                allowed.push("PATCH");
            }
            let route = if method == "PATCH" {
                Route::Update { entity, parent: None }
            } else {
                Route::Create { entity, parent: None }
            };
            allow(&allowed, route, entity.into())
        }
        [q] if is(q, "query") => {
            allow(&["GET", "POST"], Route::Query { entity, paging: Paging::First }, format!("{entity}/query"))
        }
        [q, c] if is(q, "query") && is(c, "count") => {
            allow(&["GET", "POST"], Route::Count { entity }, format!("{entity}/query/count"))
        }
        [q, n] if is(q, "query") && (is(n, "next") || is(n, "prev")) => {
            let paging = if is(n, "next") { Paging::Next } else { Paging::Prev };
            let word = if paging == Paging::Next { "next" } else { "prev" };
            allow(&["POST"], Route::Query { entity, paging }, format!("{entity}/query/{word}"))
        }
        [i] if is(i, "entityInformation") => {
            allow(&["GET"], Route::Info { entity }, format!("{entity}/entityInformation"))
        }
        [i, f] if is(i, "entityInformation") && is(f, "fields") => {
            allow(&["GET"], Route::Fields { entity }, format!("{entity}/entityInformation/fields"))
        }
        [i, f] if is(i, "entityInformation") && is(f, "userDefinedFields") => {
            allow(&["GET"], Route::Udfs { entity }, format!("{entity}/entityInformation/userDefinedFields"))
        }
        [record] => match id(record) {
            Some(id) => allow(&["GET"], Route::Get { entity, id }, format!("{entity}/{{id}}")),
            None => Err(not_found()),
        },
        [parent, child, tail @ ..] => {
            let Some(parent) = id(parent) else { return Err(not_found()) };
            let Some(&(_, segment, child_entity, field)) =
                CHILDREN.iter().find(|(p, segment, ..)| *p == entity && is(child, segment))
            else {
                return Err(not_found());
            };
            let template = format!("{entity}/{{parentId}}/{segment}");
            match tail {
                [] => {
                    let route = match method {
                        "POST" => Route::Create { entity: child_entity, parent: Some((field, parent)) },
                        "PATCH" => Route::Update { entity: child_entity, parent: Some((field, parent)) },
                        _ => Route::Children { entity: child_entity, field, parent },
                    };
                    let methods: &[&str] = if writes::can_update_under_parent(child_entity) {
                        &["GET", "POST", "PATCH"]
                    } else {
                        &["GET", "POST"]
                    };
                    allow(methods, route, template)
                }
                [child_id] => match id(child_id) {
                    Some(id) => allow(&["GET"], Route::Get { entity: child_entity, id }, format!("{template}/{{id}}")),
                    None => Err(not_found()),
                },
                _ => Err(not_found()),
            }
        }
    }
}

/// Answers a resolved request.
pub fn execute(shared: &Shared, route: &Route, request: &Request) -> Response {
    match *route {
        Route::Threshold => Response::json(
            200,
            &json!({
                "externalRequestThreshold": crate::limits::REQUESTS_PER_HOUR,
                "requestThresholdTimeframe": 60,
                "currentTimeframeRequestCount": shared.limits.requests_last_hour(),
            }),
        ),
        Route::Query { entity, paging } => match query_body(request) {
            Ok(body) => query_page(shared, entity, &body, paging, request.query.get("paging")),
            Err(response) => response,
        },
        Route::Count { entity } => match query_body(request).and_then(|body| Query::parse(entity, &body)) {
            Ok(query) => {
                let store = shared.store();
                let n = store.table(entity).map_or(0, |t| t.values().filter(|r| query.filter.matches(r)).count());
                Response::json(200, &json!({ "queryCount": n }))
            }
            Err(response) => response,
        },
        Route::Info { entity } => Response::json(200, &entity_info::info(entity)),
        Route::Fields { entity } => Response::json(200, &entity_info::fields(entity)),
        Route::Udfs { entity } => Response::json(200, &entity_info::user_defined_fields(entity)),
        Route::Get { entity, id } => {
            let store = shared.store();
            Response::json(200, &json!({ "item": store.get(entity, id) }))
        }
        Route::Children { entity, field, parent } => {
            let store = shared.store();
            let items: Vec<Value> = store
                .table(entity)
                .into_iter()
                .flat_map(|t| t.values())
                .filter(|r| r.get(field).and_then(Value::as_i64) == Some(parent))
                .take(PAGE)
                .map(|r| Value::Object(r.clone()))
                .collect();
            Response::json(200, &page_json(items, PAGE, None, None))
        }
        Route::Create { entity, parent } => {
            let body = match object_body(request) {
                Ok(body) => body,
                Err(response) => return response,
            };
            let creator = request.header("ImpersonationResourceId").and_then(|v| v.trim().parse().ok());
            let mut store = shared.store();
            let result = writes::create(&mut store, &shared.limits, Create { entity, body: &body, parent, creator });
            write_answer(result)
        }
        Route::Update { entity, parent } => match object_body(request) {
            Ok(body) => write_answer(writes::update(&mut shared.store(), entity, &body, parent)),
            Err(response) => response,
        },
    }
}

fn write_answer(result: Result<i64, writes::Refusal>) -> Response {
    match result {
        Ok(id) => Response::json(200, &json!({ "itemId": id })),
        Err(refusal) => Response::error(refusal.status, refusal.message),
    }
}

fn object_body(request: &Request) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(Response::error(500, "The request body must be a JSON object.")),
        Err(error) => Err(Response::error(500, format!("The request body is not valid JSON: {error}."))),
    }
}

/// A query's body: POSTed, or for GET the `search` parameter (the same JSON).
fn query_body(request: &Request) -> Result<Map<String, Value>, Response> {
    if request.method != "GET" {
        return object_body(request);
    }
    let search = request.query.iter().find(|(k, _)| k.eq_ignore_ascii_case("search")).map(|(_, v)| v);
    let Some(search) = search else {
        return Err(Response::error(500, "A query by GET needs its JSON in the search parameter."));
    };
    match serde_json::from_str::<Value>(search) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(Response::error(500, "The search parameter is not a JSON object.")),
    }
}

struct Query {
    filter: query::Filter,
    max: usize,
    include: Vec<String>,
    /// The body, to check a next page is asked for with the same one.
    fingerprint: u64,
}

/// The body's JSON with object keys sorted (and lower-cased at the top,
/// where Autotask reads them without regard to case), so the same query
/// re-serialized by a client in another key order is still the same.
fn canonical(value: &Value, top: bool) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, String)> = map
                .iter()
                .map(|(k, v)| (if top { k.to_ascii_lowercase() } else { k.clone() }, canonical(v, false)))
                .collect();
            entries.sort();
            let inner: Vec<String> = entries.into_iter().map(|(k, v)| format!("{}:{v}", Value::from(k))).collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(|v| canonical(v, false)).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

impl Query {
    fn parse(entity: &str, body: &Map<String, Value>) -> Result<Query, Response> {
        let refuse = |message: String| Response::error(500, message);
        let filter = match get(body, "filter") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            Some(Value::Array(_)) | None | Some(Value::Null) => {
                return Err(refuse(format!("{entity}: a query needs a filter with at least one condition.")))
            }
            Some(_) => return Err(refuse("The filter must be an array of conditions.".into())),
        };
        let filter = query::compile(filter, entity, entity_info::udfs(entity)).map_err(refuse)?;
        let max = match get(body, "MaxRecords") {
            None | Some(Value::Null) => PAGE,
            Some(value) => match value.as_u64() {
                Some(n @ 1..) => (n as usize).min(PAGE),
                _ => return Err(refuse(format!("MaxRecords must be a number from 1 to {PAGE}."))),
            },
        };
        let include = match get(body, "IncludeFields") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(names)) => names
                .iter()
                .map(|n| {
                    let name = n.as_str().unwrap_or_default();
                    contract::field(entity, name)
                        .map(|f| f.name.clone())
                        .ok_or_else(|| refuse(format!("Unable to find {name} in the {entity} Entity.")))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(refuse("IncludeFields must be an array of field names.".into())),
        };
        let fingerprint = fnv(&format!("{entity}|{}", canonical(&Value::Object(body.clone()), true)));
        Ok(Query { filter, max, include, fingerprint })
    }
}

/// The paging token: the id the page starts after, and the query it belongs to.
fn token(after: i64, fingerprint: u64) -> String {
    format!("{:x}-{fingerprint:016x}", after as u64)
}

fn read_token(token: &str) -> Option<(i64, u64)> {
    let (after, fingerprint) = token.split_once('-')?;
    Some((u64::from_str_radix(after, 16).ok()? as i64, u64::from_str_radix(fingerprint, 16).ok()?))
}

fn page_json(items: Vec<Value>, requested: usize, prev: Option<String>, next: Option<String>) -> Value {
    let count = items.len();
    json!({
        "items": items,
        "pageDetails": { "count": count, "requestCount": requested, "prevPageUrl": prev, "nextPageUrl": next },
    })
}

fn query_page(
    shared: &Shared,
    entity: &str,
    body: &Map<String, Value>,
    paging: Paging,
    token_text: Option<&String>,
) -> Response {
    let query = match Query::parse(entity, body) {
        Ok(query) => query,
        Err(response) => return response,
    };
    let after = match (paging, token_text.map(|t| read_token(t))) {
        (Paging::First, _) => i64::MIN,
        (_, Some(Some((after, fingerprint)))) if fingerprint == query.fingerprint => after,
        (_, Some(Some(_))) => {
            return Response::error(500, "The next page must be requested with the same body as the first page.")
        }
        (_, _) => return Response::error(500, "The paging parameter is missing or not valid."),
    };
    let store = shared.store();
    let empty = Default::default();
    let table = store.table(entity).unwrap_or(&empty);
    let mut matching = table.range(after.saturating_add(1)..).map(|(_, r)| r).filter(|r| query.filter.matches(r));
    let records: Vec<&Record> = matching.by_ref().take(query.max).collect();
    let more = matching.next().is_some();
    let last = records.last().and_then(|r| r.get("id")).and_then(Value::as_i64);
    let url = |word: &str, from: i64| {
        format!(
            "{}/atservicesrest/V1.0/{entity}/query/{word}?paging={}",
            shared.base_url,
            token(from, query.fingerprint)
        )
    };
    let next = last.filter(|_| more).map(|last| url("next", last));
    let prev = (after != i64::MIN).then(|| {
        // The previous page ends at `after`; it starts after the record `max` matches further back.
        let mut earlier = table.range(..=after).rev().filter(|(_, r)| query.filter.matches(r));
        let start = earlier.nth(query.max).map_or(i64::MIN, |(id, _)| *id);
        url("prev", start)
    });
    let items: Vec<Value> = records.iter().map(|r| project(r, &query.include)).collect();
    Response::json(200, &page_json(items, query.max, prev, next))
}

/// `IncludeFields`: only those fields (and always the id).
fn project(record: &Record, include: &[String]) -> Value {
    if include.is_empty() {
        return Value::Object(record.clone());
    }
    let mut out = Map::new();
    out.insert("id".into(), record.get("id").cloned().unwrap_or(Value::Null));
    for field in include {
        out.insert(field.clone(), record.get(field).cloned().unwrap_or(Value::Null));
    }
    Value::Object(out)
}
