//! The API surface: discovery, queries with paging, picklists, creates and
//! updates, threshold information — answered from the store.

use base64::Engine as _;
use chrono::Utc;
use serde_json::{json, Map, Value};

use crate::http::{Request, Response};
use crate::query::{check, get, Compiled};
use crate::store::{known_field, stamp, Store, ENTITIES};
use crate::Shared;

const PAGE: usize = 500;
const MAX_NOTE_CHARS: usize = 32_000;
const MAX_ATTACHMENT_BYTES: usize = 6_000_000;

/// The canonical name of an entity in a path (`tickets` → `Tickets`).
fn entity(name: &str) -> Option<&'static str> {
    ENTITIES.iter().map(|(entity, _)| *entity).find(|entity| entity.eq_ignore_ascii_case(name))
}

fn body(request: &Request) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(Response::error(500, "The request body is not a JSON object.")),
    }
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// Routes under `/atservicesrest/V1.0/`; `segments` are the parts after it.
pub fn v1(shared: &Shared, request: &Request, segments: &[&str]) -> Response {
    let method = request.method.as_str();
    match (method, segments) {
        ("GET", ["ThresholdInformation"]) => json_ok(json!({
            "externalRequestThreshold": 10_000,
            "requestThresholdTimeframe": 60,
            "currentTimeframeRequestCount": shared.requests_last_hour(),
        })),
        (_, [name, "query", "next"]) => match (method, entity(name)) {
            ("POST", Some(entity)) => {
                let token = request.query.get("paging").cloned().unwrap_or_default();
                query_page(shared, entity, request, Some(&token))
            }
            (_, Some(_)) => Response::error(405, "The next page must be requested with POST and the same body."),
            (_, None) => not_found(),
        },
        ("POST", [name, "query", "count"]) => match entity(name) {
            Some(entity) => count(shared, entity, request),
            None => not_found(),
        },
        ("POST", [name, "query"]) => match entity(name) {
            Some(entity) => query_page(shared, entity, request, None),
            None => not_found(),
        },
        ("GET", [name, "query"]) => match (entity(name), request.query.get("search")) {
            (Some(entity), Some(search)) => {
                let as_post = Request {
                    method: "POST".into(),
                    path: request.path.clone(),
                    query: Default::default(),
                    headers: request.headers.clone(),
                    body: search.clone().into_bytes(),
                };
                query_page(shared, entity, &as_post, None)
            }
            (Some(_), None) => Response::error(500, "A query needs a search parameter."),
            (None, _) => not_found(),
        },
        ("GET", [name, "entityInformation", "fields"]) => match entity(name) {
            Some(entity) => json_ok(crate::picklists::fields(entity)),
            None => not_found(),
        },
        ("GET", [name, "entityInformation", "userDefinedFields"]) => match entity(name) {
            Some("Companies") => {
                json_ok(json!({ "fields": [{ "name": "MSA", "dataType": "string", "isPickList": false }] }))
            }
            Some(_) => json_ok(json!({ "fields": [] })),
            None => not_found(),
        },
        ("POST", [tickets, id, "Notes"]) if tickets.eq_ignore_ascii_case("Tickets") => {
            write(shared, |store| create_note(store, id, request))
        }
        ("POST", [tickets, id, "Attachments"]) if tickets.eq_ignore_ascii_case("Tickets") => {
            write(shared, |store| create_attachment(shared, store, id, request))
        }
        ("POST", [name]) => match entity(name) {
            Some(entity) => write(shared, |store| create(store, entity, request)),
            None => not_found(),
        },
        ("PATCH", [name]) => match entity(name) {
            Some(entity @ ("Tickets" | "TimeEntries" | "ServiceCalls")) => {
                write(shared, |store| update(store, entity, request))
            }
            Some(_) => Response::error(405, "This entity cannot be updated."),
            None => not_found(),
        },
        ("GET", [name, id]) => match (entity(name), id.parse::<i64>()) {
            (Some(entity), Ok(id)) => {
                let store = shared.store();
                json_ok(json!({ "item": store.table(entity).and_then(|t| t.get(&id)).cloned() }))
            }
            _ => not_found(),
        },
        (_, [name, ..]) if entity(name).is_some() => Response::error(405, "That method is not allowed here."),
        _ => not_found(),
    }
}

fn json_ok(value: Value) -> Response {
    Response::json(200, &value)
}

fn not_found() -> Response {
    Response::error(404, "No such resource.")
}

fn write(shared: &Shared, action: impl FnOnce(&mut Store) -> Result<i64, String>) -> Response {
    let mut store = shared.store();
    match action(&mut store) {
        Ok(id) => json_ok(json!({ "itemId": id })),
        Err(message) => Response::error(500, message),
    }
}

struct Query {
    filter: Vec<Value>,
    max: usize,
    include: Vec<String>,
    /// The body as sent, to check the next page is asked for with the same one.
    fingerprint: u64,
}

fn parse_query(entity: &str, request: &Request) -> Result<Query, Response> {
    let object = body(request)?;
    let filter = get(&object, "filter")
        .and_then(Value::as_array)
        .cloned()
        .filter(|f| !f.is_empty())
        .ok_or_else(|| Response::error(500, "A query needs a filter with at least one condition."))?;
    check(&filter, entity, &|field| known_field(entity, field)).map_err(|message| Response::error(500, message))?;
    let max = get(&object, "MaxRecords").and_then(Value::as_u64).map(|m| (m as usize).clamp(1, PAGE)).unwrap_or(PAGE);
    let include = get(&object, "IncludeFields")
        .and_then(Value::as_array)
        .map(|fields| fields.iter().filter_map(|f| f.as_str().map(String::from)).collect())
        .unwrap_or_default();
    Ok(Query { filter, max, include, fingerprint: fnv(&Value::Object(object).to_string()) })
}

fn query_page(shared: &Shared, entity: &str, request: &Request, token: Option<&str>) -> Response {
    let query = match parse_query(entity, request) {
        Ok(query) => query,
        Err(response) => return response,
    };
    let after = match token {
        None => i64::MIN,
        Some(token) => {
            let parsed =
                token.split_once('.').and_then(|(id, hash)| Some((id.parse::<i64>().ok()?, hash.parse::<u64>().ok()?)));
            match parsed {
                Some((id, hash)) if hash == query.fingerprint => id,
                Some(_) => {
                    return Response::error(500, "The next page must be requested with the same body as the first.")
                }
                None => return Response::error(500, "The paging token is not valid."),
            }
        }
    };
    let store = shared.store();
    let filter = Compiled::new(&query.filter);
    let mut items = Vec::with_capacity(query.max);
    let mut more = false;
    if let Some(table) = store.table(entity) {
        for (_, record) in table.range(after.saturating_add(1)..) {
            if !filter.matches(record) {
                continue;
            }
            if items.len() == query.max {
                more = true;
                break;
            }
            items.push(project(record, &query.include));
        }
    }
    let next = more.then(|| {
        let last = items.last().and_then(|r: &Value| r["id"].as_i64()).unwrap_or(0);
        format!("{}/atservicesrest/V1.0/{entity}/query/next?paging={last}.{}", shared.base_url, query.fingerprint)
    });
    json_ok(json!({
        "items": items,
        "pageDetails": { "count": items.len(), "requestCount": query.max, "prevPageUrl": null, "nextPageUrl": next },
    }))
}

fn project(record: &Map<String, Value>, include: &[String]) -> Value {
    if include.is_empty() {
        return Value::Object(record.clone());
    }
    let mut out = Map::new();
    out.insert("id".into(), record.get("id").cloned().unwrap_or(Value::Null));
    for field in include {
        if let Some((key, value)) = record.iter().find(|(key, _)| key.eq_ignore_ascii_case(field)) {
            out.insert(key.clone(), value.clone());
        }
    }
    Value::Object(out)
}

fn count(shared: &Shared, entity: &str, request: &Request) -> Response {
    let query = match parse_query(entity, request) {
        Ok(query) => query,
        Err(response) => return response,
    };
    let store = shared.store();
    let filter = Compiled::new(&query.filter);
    let n = store.table(entity).map(|t| t.values().filter(|r| filter.matches(r)).count()).unwrap_or(0);
    json_ok(json!({ "queryCount": n }))
}

fn int(record: &Map<String, Value>, field: &str) -> Option<i64> {
    match get(record, field)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text<'a>(record: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    get(record, field).and_then(Value::as_str)
}

fn require(record: &Map<String, Value>, fields: &[&str], entity: &str) -> Result<(), String> {
    let missing: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| get(record, f).is_none_or(|v| v.is_null() || v.as_str() == Some("")))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("{entity}: {} {} required.", missing.join(", "), if missing.len() == 1 { "is" } else { "are" }))
    }
}

fn refers(store: &Store, record: &Map<String, Value>, field: &str, entity: &str) -> Result<(), String> {
    match int(record, field) {
        Some(id) if store.exists(entity, id) => Ok(()),
        Some(id) => Err(format!("{field} {id} does not exist.")),
        None => Ok(()),
    }
}

/// Keeps only the fields the contract's model has (as Autotask ignores others).
fn known_only(entity: &str, record: &Map<String, Value>) -> Map<String, Value> {
    let names = &crate::store::fields()[entity].0;
    record
        .iter()
        .filter_map(|(key, value)| {
            names.iter().find(|name| name.eq_ignore_ascii_case(key)).map(|name| (name.clone(), value.clone()))
        })
        .collect()
}

fn create(store: &mut Store, entity: &str, request: &Request) -> Result<i64, String> {
    let record = body(request).map_err(|r| r.body)?;
    let mut record = known_only(entity, &record);
    record.remove("id");
    let now = Utc::now();
    match entity {
        "Tickets" => {
            require(&record, &["companyID", "title", "status", "priority"], entity)?;
            if int(&record, "queueID").is_none() && int(&record, "assignedResourceID").is_none() {
                return Err("Tickets: a queueID or an assignedResourceID is required.".into());
            }
            refers(store, &record, "companyID", "Companies")?;
            refers(store, &record, "assignedResourceID", "Resources")?;
            record.insert("ticketNumber".into(), json!(store.ticket_number(now)));
            record.insert("createDate".into(), json!(stamp(now)));
        }
        "TimeEntries" => validate_time(store, &record)?,
        "ServiceCalls" => {
            require(&record, &["companyID", "startDateTime", "endDateTime"], entity)?;
            refers(store, &record, "companyID", "Companies")?;
            record.insert("createDateTime".into(), json!(stamp(now)));
        }
        "ServiceCallTickets" => {
            require(&record, &["serviceCallID", "ticketID"], entity)?;
            refers(store, &record, "serviceCallID", "ServiceCalls")?;
            refers(store, &record, "ticketID", "Tickets")?;
        }
        "ServiceCallTicketResources" => {
            require(&record, &["serviceCallTicketID", "resourceID"], entity)?;
            refers(store, &record, "serviceCallTicketID", "ServiceCallTickets")?;
            refers(store, &record, "resourceID", "Resources")?;
        }
        "TicketSecondaryResources" => {
            require(&record, &["ticketID", "resourceID"], entity)?;
            refers(store, &record, "ticketID", "Tickets")?;
            refers(store, &record, "resourceID", "Resources")?;
            if let Some(ticket) = int(&record, "ticketID") {
                store.touch("Tickets", ticket);
            }
        }
        _ => return Err(format!("{entity} cannot be created through this API.")),
    }
    Ok(store.insert(entity, record))
}

fn validate_time(store: &Store, record: &Map<String, Value>) -> Result<(), String> {
    require(
        record,
        &["ticketID", "resourceID", "startDateTime", "endDateTime", "hoursWorked", "summaryNotes"],
        "TimeEntries",
    )?;
    refers(store, record, "ticketID", "Tickets")?;
    refers(store, record, "resourceID", "Resources")?;
    let time = |field| {
        text(record, field).and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
    };
    let (Some(start), Some(end)) = (time("startDateTime"), time("endDateTime")) else {
        return Err("TimeEntries: startDateTime and endDateTime must be date-times.".into());
    };
    if end <= start {
        return Err("TimeEntries: endDateTime must be after startDateTime.".into());
    }
    if end.date_naive() != start.date_naive() && end.time() != chrono::NaiveTime::MIN {
        return Err("TimeEntries: a time entry cannot cross midnight (UTC).".into());
    }
    let hours = get(record, "hoursWorked").and_then(Value::as_f64).unwrap_or(-1.0);
    if !(hours > 0.0 && hours <= 24.0) {
        return Err("TimeEntries: hoursWorked must be more than 0 and at most 24.".into());
    }
    Ok(())
}

fn update(store: &mut Store, entity: &str, request: &Request) -> Result<i64, String> {
    let record = body(request).map_err(|r| r.body)?;
    let id = int(&record, "id").ok_or_else(|| format!("{entity}: the id is required to update."))?;
    if !store.exists(entity, id) {
        return Err(format!("{entity}: there is no record with id {id}."));
    }
    let fields = known_only(entity, &record);
    if entity == "Tickets" {
        refers(store, &fields, "assignedResourceID", "Resources")?;
        if let Some(status) = int(&fields, "status") {
            if !crate::picklists::is_value("Tickets", "status", status) {
                return Err(format!("Tickets: {status} is not a status."));
            }
        }
    }
    store.patch(entity, id, &fields);
    Ok(id)
}

fn create_note(store: &mut Store, parent: &str, request: &Request) -> Result<i64, String> {
    let ticket: i64 = parent.parse().map_err(|_| "The ticket id in the path is not a number.".to_string())?;
    if !store.exists("Tickets", ticket) {
        return Err(format!("Tickets: there is no record with id {ticket}."));
    }
    let mut record = known_only("TicketNotes", &body(request).map_err(|r| r.body)?);
    record.remove("id");
    record.insert("ticketID".into(), json!(ticket));
    require(&record, &["title", "description", "noteType", "publish"], "TicketNotes")?;
    if text(&record, "description").is_some_and(|d| d.chars().count() > MAX_NOTE_CHARS) {
        return Err(format!("TicketNotes: the description is longer than {MAX_NOTE_CHARS} characters."));
    }
    record.insert("createDateTime".into(), json!(stamp(Utc::now())));
    let id = store.insert("TicketNotes", record);
    store.touch("Tickets", ticket);
    Ok(id)
}

fn create_attachment(shared: &Shared, store: &mut Store, parent: &str, request: &Request) -> Result<i64, String> {
    let ticket: i64 = parent.parse().map_err(|_| "The ticket id in the path is not a number.".to_string())?;
    if !store.exists("Tickets", ticket) {
        return Err(format!("Tickets: there is no record with id {ticket}."));
    }
    let sent = body(request).map_err(|r| r.body)?;
    require(&sent, &["title", "fullPath", "data", "attachmentType"], "TicketAttachments")?;
    let data = base64::engine::general_purpose::STANDARD
        .decode(text(&sent, "data").unwrap_or_default())
        .map_err(|_| "TicketAttachments: data is not valid base64.".to_string())?;
    if data.len() > MAX_ATTACHMENT_BYTES {
        return Err(format!("TicketAttachments: the file is larger than {MAX_ATTACHMENT_BYTES} bytes."));
    }
    shared.spend_attachment_budget(data.len())?;
    let mut record = known_only("TicketAttachments", &sent);
    record.remove("id");
    record.remove("data");
    record.insert("parentID".into(), json!(ticket));
    record.insert("parentType".into(), json!(4));
    record.insert("fileSize".into(), json!(data.len()));
    record.insert("attachDate".into(), json!(stamp(Utc::now())));
    Ok(store.insert("TicketAttachments", record))
}
