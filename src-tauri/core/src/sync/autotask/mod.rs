//! The Autotask connector: queries for each kind of record (500 a page,
//! `nextPageUrl` POSTed with the same body), picklists from
//! `entityInformation/fields`, creates and updates, and the look-ups that
//! tell whether a create whose answer was lost really happened.
//!
//! A query's pages are followed only on the zone's own server (the client
//! checks each `nextPageUrl`), at most [`MAX_PAGES`] of them, and never the
//! same page twice: a server whose pages go round in a circle is stopped.

mod body;
pub mod client;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};

pub use client::{check_url, Client, Endpoint, Failure, RetryPolicy, MAX_RESPONSE_BYTES};

use super::connector::{Connector, Kind, Page, PushFailure, PushOp, Resolved, Scope, Selection};
use super::SyncError;
use crate::picklists::{PicklistKind, PicklistValue};

/// The words the UI uses for Autotask: name, "open in", ticket number, and
/// the settings' address, user, code, secret, resource and queues.
pub const LABELS: [&str; 9] = [
    "Autotask",
    "Open in Autotask",
    "Autotask ticket number",
    "Server address",
    "API user",
    "Integration code",
    "Secret",
    "Your resource id",
    "Queues to keep",
];

/// Autotask's page size.
pub const PAGE_SIZE: usize = 500;
/// Attachments above this are refused before sending (Autotask: about 6–7 MB).
pub const MAX_ATTACHMENT_BYTES: usize = 6_000_000;

/// The most pages one query is followed for: 5 million records, far beyond
/// any technician's world; past it the server is sending pages without end.
pub const MAX_PAGES: usize = 10_000;
/// Trails of queries abandoned midway (a failed cycle) are forgotten past this many.
const MAX_OPEN_TRAILS: usize = 1_000;

/// The page URLs one query has been given so far.
#[derive(Default)]
struct Trail {
    seen: HashSet<String>,
}

impl Trail {
    /// Takes `next` as the query's next page, or stops a query that loops
    /// or has no end.
    fn follow(&mut self, next: &str) -> Result<(), SyncError> {
        if self.seen.contains(next) {
            return Err(SyncError::Malformed(
                "its pages go round in a circle: it sent a page it had sent before, so the query was stopped".into(),
            ));
        }
        // The first page has no URL of its own.
        if self.seen.len() + 1 >= MAX_PAGES {
            return Err(SyncError::Malformed(format!(
                "more than {MAX_PAGES} pages for one query, so the query was stopped"
            )));
        }
        self.seen.insert(next.to_string());
        Ok(())
    }
}

pub struct Autotask {
    client: Client,
    /// Each query's trail, under the next page URL it was last given: the
    /// `Connector` is asked for one page at a time, by that URL.
    trails: Mutex<HashMap<String, Trail>>,
}

impl Autotask {
    pub fn new(endpoint: Endpoint, retry: RetryPolicy) -> Result<Autotask, SyncError> {
        Ok(Autotask { client: Client::new(endpoint, retry)?, trails: Mutex::new(HashMap::new()) })
    }

    fn trails(&self) -> std::sync::MutexGuard<'_, HashMap<String, Trail>> {
        self.trails.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The trail that led to `cursor` (a new one for a first page, or a
    /// cursor this connector did not hand out).
    fn trail_to(&self, cursor: Option<&str>) -> Trail {
        let Some(url) = cursor else { return Trail::default() };
        self.trails().remove(url).unwrap_or_else(|| Trail { seen: HashSet::from([url.to_string()]) })
    }

    /// Remembers `trail` until the page at `next` is asked for.
    fn keep_trail(&self, next: &str, trail: Trail) {
        let mut trails = self.trails();
        if trails.len() >= MAX_OPEN_TRAILS {
            trails.clear();
        }
        trails.insert(next.to_string(), trail);
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Checks the server and the credentials (discovery, then one small read).
    pub async fn test_connection(&self) -> Result<String, SyncError> {
        let versions = self.client.versions().await?;
        if !versions.iter().any(|v| v == "1.0") {
            return Err(SyncError::Rejected(format!(
                "The server does not offer API version 1.0 (it offers {versions:?})."
            )));
        }
        let (used, limit) = self.client.check_threshold().await?;
        Ok(format!("Connected. {used} of {limit} requests used this hour."))
    }
}

fn entity(kind: Kind) -> &'static str {
    match kind {
        Kind::Resources => "Resources",
        Kind::Roles => "ResourceServiceDeskRoles",
        Kind::Companies => "Companies",
        Kind::Locations => "CompanyLocations",
        Kind::Contacts => "Contacts",
        Kind::Devices => "ConfigurationItems",
        Kind::Tickets => "Tickets",
        Kind::SecondaryResources => "TicketSecondaryResources",
        Kind::ChecklistItems => "TicketChecklistItems",
        Kind::Notes => "TicketNotes",
        Kind::ServiceCalls => "ServiceCalls",
        Kind::ServiceCallTickets => "ServiceCallTickets",
        Kind::ServiceCallResources => "ServiceCallTicketResources",
        Kind::TimeEntries => "TimeEntries",
    }
}

fn parent_field(kind: Kind) -> &'static str {
    match kind {
        Kind::Locations | Kind::Contacts | Kind::Devices => "companyID",
        Kind::SecondaryResources | Kind::ChecklistItems | Kind::Notes | Kind::TimeEntries => "ticketID",
        Kind::ServiceCallTickets => "serviceCallID",
        Kind::ServiceCallResources => "serviceCallTicketID",
        _ => "id",
    }
}

fn condition(op: &str, field: &str, value: Value) -> Value {
    json!({ "op": op, "field": field, "value": value })
}

fn since_condition(kind: Kind, since: Option<chrono::DateTime<chrono::Utc>>) -> Option<Value> {
    match (kind.change_field(), since) {
        (Some(field), Some(since)) => {
            Some(condition("gt", field, json!(since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))))
        }
        _ => None,
    }
}

/// The filter that scopes `kind` to the technician's world.
fn scope_filter(kind: Kind, scope: &Scope) -> Vec<Value> {
    match kind {
        Kind::Tickets => {
            let mut any = vec![condition("eq", "assignedResourceID", json!(scope.me))];
            if !scope.queues.is_empty() {
                any.push(condition("in", "queueID", json!(scope.queues)));
            }
            if !scope.extra_tickets.is_empty() {
                any.push(condition("in", "id", json!(scope.extra_tickets)));
            }
            vec![json!({ "op": "or", "items": any })]
        }
        Kind::SecondaryResources => vec![condition("eq", "resourceID", json!(scope.me))],
        Kind::TimeEntries => vec![condition("eq", "resourceID", json!(scope.me))],
        Kind::Roles => vec![condition("eq", "isActive", json!(true))],
        Kind::ServiceCalls => vec![condition(
            "gte",
            "endDateTime",
            json!(scope.calls_since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        )],
        // Autotask wants a filter on every query: "every record".
        _ => vec![condition("gte", "id", json!(0))],
    }
}

/// The query body for a selection (the same for every page of it).
pub fn query_body(kind: Kind, selection: &Selection, scope: &Scope) -> Value {
    let mut filter = Vec::new();
    let mut include: Option<Vec<&str>> = None;
    match selection {
        Selection::Changed { since } => {
            filter.extend(scope_filter(kind, scope));
            filter.extend(since_condition(kind, *since));
        }
        Selection::Children { parents, since } => {
            filter.push(condition("in", parent_field(kind), json!(parents)));
            filter.extend(since_condition(kind, *since));
        }
        Selection::Ids(ids) => filter.push(condition("in", "id", json!(ids))),
        Selection::AllIds => {
            filter.extend(scope_filter(kind, scope));
            include = Some(vec!["id"]);
        }
    }
    let mut body = json!({ "filter": filter, "MaxRecords": PAGE_SIZE });
    if let Some(fields) = include {
        body["IncludeFields"] = json!(fields);
    }
    body
}

fn picklist_kind(entity: &str, field: &str) -> Option<PicklistKind> {
    match (entity, field.to_ascii_lowercase().as_str()) {
        ("Tickets", "status") => Some(PicklistKind::Status),
        ("Tickets", "priority") => Some(PicklistKind::Priority),
        ("Tickets", "queueid") => Some(PicklistKind::Queue),
        ("Tickets", "issuetype") => Some(PicklistKind::IssueType),
        ("Tickets", "source") => Some(PicklistKind::Source),
        ("TicketNotes", "notetype") => Some(PicklistKind::NoteType),
        _ => None,
    }
}

/// Reads a field case-insensitively (the spec spells fields PascalCase, the wire camelCase).
pub fn field<'a>(record: &'a Value, name: &str) -> Option<&'a Value> {
    let object = record.as_object()?;
    object.get(name).or_else(|| object.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

fn push_failure(failure: Failure) -> PushFailure {
    match failure {
        Failure::Rejected(message) => PushFailure::Rejected(message),
        Failure::Unknown(message) => PushFailure::Unknown(message),
        Failure::Transient(message) => PushFailure::Transient(message),
    }
}

fn item_id(value: &Value) -> Result<i64, PushFailure> {
    field(value, "itemId")
        .and_then(Value::as_i64)
        .ok_or_else(|| PushFailure::Unknown("The answer had no itemId.".into()))
}

impl Autotask {
    async fn query_first(&self, kind: Kind, body: &Value) -> Result<Vec<Value>, SyncError> {
        let page = self.client.call(Method::POST, &format!("{}/query", entity(kind)), Some(body), true).await?;
        Ok(field(&page, "items").and_then(Value::as_array).cloned().unwrap_or_default())
    }
}

/// The picklist values of one entity's `entityInformation/fields` answer;
/// values without a number or a label are skipped.
pub(crate) fn picklist_values(entity: &str, info: &Value) -> Result<Vec<PicklistValue>, SyncError> {
    let fields = field(info, "fields")
        .and_then(Value::as_array)
        .ok_or_else(|| SyncError::Malformed(format!("{entity} field information has no fields")))?;
    let mut values = Vec::new();
    for described in fields {
        let Some(name) = field(described, "name").and_then(Value::as_str) else { continue };
        let Some(kind) = picklist_kind(entity, name) else { continue };
        for item in field(described, "picklistValues").and_then(Value::as_array).into_iter().flatten() {
            let value = field(item, "value").and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
            let (Some(value), Some(label)) = (value, field(item, "label").and_then(Value::as_str)) else {
                continue;
            };
            values.push(PicklistValue {
                kind,
                value,
                label: label.to_string(),
                meaning: None,
                is_active: field(item, "isActive").and_then(Value::as_bool).unwrap_or(true),
                sort_order: field(item, "sortOrder").and_then(Value::as_i64).unwrap_or(0),
            });
        }
    }
    Ok(values)
}

impl Connector for Autotask {
    async fn picklists(&self) -> Result<Vec<PicklistValue>, SyncError> {
        let mut values = Vec::new();
        for entity in ["Tickets", "TicketNotes"] {
            let info = self.client.call(Method::GET, &format!("{entity}/entityInformation/fields"), None, true).await?;
            values.extend(picklist_values(entity, &info)?);
        }
        Ok(values)
    }

    async fn pull(
        &self,
        kind: Kind,
        selection: &Selection,
        scope: &Scope,
        cursor: Option<&str>,
    ) -> Result<Page, SyncError> {
        let body = query_body(kind, selection, scope);
        let lane = format!("POST {}/query", entity(kind));
        let mut trail = self.trail_to(cursor);
        let page = match cursor {
            None => self.client.call(Method::POST, &format!("{}/query", entity(kind)), Some(&body), true).await?,
            // The client refuses a URL off the zone's origin.
            Some(url) => self.client.call_absolute(Method::POST, url, &lane, Some(&body)).await?,
        };
        let records = field(&page, "items")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| SyncError::Malformed(format!("a page of {} without items", entity(kind))))?;
        let next = field(&page, "pageDetails")
            .and_then(|details| field(details, "nextPageUrl"))
            .and_then(Value::as_str)
            .filter(|url| !url.is_empty())
            .map(String::from);
        match next.as_deref() {
            // The same page again is how the engine has always seen the end.
            Some(next) if cursor != Some(next) => {
                trail.follow(next)?;
                self.keep_trail(next, trail);
            }
            _ => {}
        }
        Ok(Page { records, next })
    }

    fn build_push(&self, resolved: Resolved) -> Result<PushOp, String> {
        body::push_op(resolved)
    }

    async fn push(&self, op: &PushOp) -> Result<i64, PushFailure> {
        let path = match (op.entity.as_str(), op.operation.as_str()) {
            ("Ticket", "create") => "Tickets".to_string(),
            ("Ticket", "update") => "Tickets".to_string(),
            ("TicketNote", "create") => format!("Tickets/{}/Notes", op.target.unwrap_or_default()),
            ("TimeEntry", "create") | ("TimeEntry", "update") => "TimeEntries".to_string(),
            ("ServiceCall", "create") => "ServiceCalls".to_string(),
            ("ServiceCallTicket", "create") => "ServiceCallTickets".to_string(),
            ("ServiceCallTicketResource", "create") => "ServiceCallTicketResources".to_string(),
            ("TicketSecondaryResource", "create") => "TicketSecondaryResources".to_string(),
            ("TicketAttachment", "create") => format!("Tickets/{}/Attachments", op.target.unwrap_or_default()),
            // A child collection: the item's id in the body, its ticket in the path.
            ("TicketChecklistItem", "update") => {
                format!("Tickets/{}/ChecklistItems", op.body["ticketID"].as_i64().unwrap_or_default())
            }
            (entity, operation) => {
                return Err(PushFailure::Rejected(format!("Fieldkit cannot send a {operation} of {entity}.")))
            }
        };
        let mut body = op.body.clone();
        // Links Fieldkit makes with their own requests, not fields of the record.
        if let Some(object) = body.as_object_mut() {
            for link in ["secondaryResourceIDs", "ticketIDs", "resourceIDs"] {
                object.remove(link);
            }
        }
        if let Some(data) = &op.data {
            if data.len() > MAX_ATTACHMENT_BYTES {
                return Err(PushFailure::Rejected(format!(
                    "The file is {:.1} MB; the PSA takes attachments up to {:.0} MB.",
                    data.len() as f64 / 1e6,
                    MAX_ATTACHMENT_BYTES as f64 / 1e6
                )));
            }
            body["data"] = json!(base64::engine::general_purpose::STANDARD.encode(data));
        }
        let method = if op.operation == "update" { Method::PATCH } else { Method::POST };
        let idempotent = op.operation == "update";
        let answer = self.client.call(method, &path, Some(&body), idempotent).await.map_err(push_failure)?;
        item_id(&answer)
    }

    async fn push_links(&self, op: &PushOp, parent: i64, scope: &Scope) -> Result<(), PushFailure> {
        let child = |entity: &str, body: Value| PushOp {
            key: op.key,
            entity: entity.into(),
            operation: "create".into(),
            target: Some(parent),
            body,
            data: None,
        };
        let ensure = async |link: PushOp| -> Result<i64, PushFailure> {
            if let Some(found) = self.find_created(&link).await.map_err(|e| PushFailure::Transient(e.to_string()))? {
                return Ok(found);
            }
            self.push(&link).await
        };
        match op.entity.as_str() {
            "ServiceCall" => {
                for ticket in op.body["ticketIDs"].as_array().into_iter().flatten() {
                    let link = ensure(child(
                        "ServiceCallTicket",
                        json!({ "id": 0, "serviceCallID": parent, "ticketID": ticket }),
                    ))
                    .await?;
                    for resource in op.body["resourceIDs"].as_array().into_iter().flatten() {
                        ensure(child(
                            "ServiceCallTicketResource",
                            json!({ "id": 0, "serviceCallTicketID": link, "resourceID": resource }),
                        ))
                        .await?;
                    }
                }
            }
            "Ticket" if op.operation == "create" => {
                for resource in op.body["secondaryResourceIDs"].as_array().into_iter().flatten() {
                    let link = child(
                        "TicketSecondaryResource",
                        json!({ "id": 0, "ticketID": parent, "resourceID": resource }),
                    );
                    let exists = self
                        .pull(
                            Kind::SecondaryResources,
                            &Selection::Children { parents: vec![parent], since: None },
                            scope,
                            None,
                        )
                        .await
                        .map_err(|e| PushFailure::Transient(e.to_string()))?
                        .records
                        .iter()
                        .any(|record| crate::sync::record::int_field(record, "resourceID") == resource.as_i64());
                    if !exists {
                        self.push(&link).await?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn find_created(&self, op: &PushOp) -> Result<Option<i64>, SyncError> {
        let text = |name: &str| op.body.get(name).cloned().unwrap_or(Value::Null);
        let (kind, filter) = match op.entity.as_str() {
            // Tickets carry the outbox key in externalID.
            "Ticket" => (Kind::Tickets, vec![condition("eq", "externalID", json!(op.key.to_string()))]),
            "TicketNote" => (
                Kind::Notes,
                vec![condition("eq", "ticketID", json!(op.target)), condition("eq", "title", text("title"))],
            ),
            "TimeEntry" => (
                Kind::TimeEntries,
                vec![
                    condition("eq", "resourceID", text("resourceID")),
                    condition("eq", "ticketID", text("ticketID")),
                    condition("eq", "startDateTime", text("startDateTime")),
                ],
            ),
            "ServiceCall" => (
                Kind::ServiceCalls,
                vec![
                    condition("eq", "companyID", text("companyID")),
                    condition("eq", "startDateTime", text("startDateTime")),
                ],
            ),
            // A secondary resource added here (the previous primary after an escalation).
            "TicketSecondaryResource" => (
                Kind::SecondaryResources,
                vec![condition("eq", "ticketID", text("ticketID")), condition("eq", "resourceID", text("resourceID"))],
            ),
            "ServiceCallTicket" => (
                Kind::ServiceCallTickets,
                vec![
                    condition("eq", "serviceCallID", text("serviceCallID")),
                    condition("eq", "ticketID", text("ticketID")),
                ],
            ),
            "ServiceCallTicketResource" => (
                Kind::ServiceCallResources,
                vec![
                    condition("eq", "serviceCallTicketID", text("serviceCallTicketID")),
                    condition("eq", "resourceID", text("resourceID")),
                ],
            ),
            "TicketAttachment" => {
                let body = json!({ "filter": [condition("eq", "parentID", json!(op.target)), condition("eq", "title", text("title"))], "MaxRecords": PAGE_SIZE });
                let found = self.client.call(Method::POST, "TicketAttachments/query", Some(&body), true).await?;
                return Ok(field(&found, "items")
                    .and_then(Value::as_array)
                    .and_then(|items| items.first())
                    .and_then(|item| field(item, "id"))
                    .and_then(Value::as_i64));
            }
            _ => return Ok(None),
        };
        let body = json!({ "filter": filter, "MaxRecords": PAGE_SIZE });
        let candidates = self.query_first(kind, &body).await?;
        // Same title is not enough for a note: the text must match too.
        let matches = |record: &&Value| match op.entity.as_str() {
            "TicketNote" => field(record, "description") == op.body.get("description"),
            "ServiceCall" => field(record, "description") == op.body.get("description"),
            _ => true,
        };
        Ok(candidates.iter().find(matches).and_then(|record| field(record, "id")).and_then(Value::as_i64))
    }

    async fn pace(&self) -> Result<(), SyncError> {
        self.client.check_threshold().await?;
        Ok(())
    }

    fn request_count(&self) -> u64 {
        self.client.request_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_of_pages_is_stopped() {
        let mut trail = Trail::default();
        trail.follow("https://zone/next?a").unwrap();
        trail.follow("https://zone/next?b").unwrap();
        let error = trail.follow("https://zone/next?a").unwrap_err();
        assert!(error.to_string().contains("round in a circle"), "{error}");
    }

    #[test]
    fn pages_without_end_are_stopped() {
        let mut trail = Trail::default();
        let followed = (0..MAX_PAGES).take_while(|n| trail.follow(&format!("https://zone/next?{n}")).is_ok()).count();
        assert_eq!(followed + 1, MAX_PAGES, "the first page and {followed} more");
    }
}
