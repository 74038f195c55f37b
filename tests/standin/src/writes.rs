//! Creates and updates, validated as Autotask validates them: required
//! fields, references that must exist, picklist values, the time-entry
//! rules (hours in (0, 24], end after start, not across UTC midnight),
//! note and attachment sizes. A refusal is an HTTP 500 with an `errors`
//! message (429 for the attachment budget), as Autotask answers.

use base64::Engine as _;
use chrono::{DateTime, NaiveTime, Utc};
use serde_json::{json, Value};

use crate::entity_info;
use crate::limits::Limits;
use crate::store::{normalize, parse_instant, stamp, Record, Store};

pub const MAX_NOTE_CHARS: usize = 32_000;
pub const MAX_TICKET_DESCRIPTION_CHARS: usize = 8_000;
/// Autotask takes attachments of about 6–7 MB; the stand-in refuses beyond 6 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 6 * 1024 * 1024;
/// Autotask's `parentType` of a ticket attachment.
const PARENT_TYPE_TICKET: i64 = 4;
/// Fieldkit's stock "Complete" status (Autotask's value 5).
const STATUS_COMPLETE: i64 = 5;

/// Why a write was refused: the HTTP status and the message.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

fn refuse<T>(message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal { status: 500, message: message.into() })
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal { status: 500, message }
    }
}

/// Entities created with `POST /V1.0/{Entity}`.
pub fn can_create(entity: &str) -> bool {
    matches!(
        entity,
        "Tickets"
            | "TimeEntries"
            | "ServiceCalls"
            | "ServiceCallTickets"
            | "ServiceCallTicketResources"
            | "TicketSecondaryResources"
    )
}

/// Entities updated with `PATCH /V1.0/{Entity}` (the id in the body).
pub fn can_update(entity: &str) -> bool {
    matches!(entity, "Tickets" | "TimeEntries" | "ServiceCalls")
}

/// Entities updated with `PATCH /V1.0/{Parent}/{parentId}/{Children}` only
/// (the id in the body): a ticket's checklist items.
pub fn can_update_under_parent(entity: &str) -> bool {
    entity == "TicketChecklistItems"
}

/// The fields a create must carry.
pub fn required(entity: &str) -> &'static [&'static str] {
    match entity {
        "Tickets" => &["companyID", "title", "status", "priority"],
        "TicketNotes" => &["ticketID", "title", "description", "noteType", "publish"],
        "TimeEntries" => &["ticketID", "resourceID", "startDateTime", "endDateTime", "hoursWorked", "summaryNotes"],
        "ServiceCalls" => &["companyID", "startDateTime", "endDateTime"],
        "ServiceCallTickets" => &["serviceCallID", "ticketID"],
        "ServiceCallTicketResources" => &["serviceCallTicketID", "resourceID"],
        "TicketSecondaryResources" => &["ticketID", "resourceID"],
        "TicketAttachments" => &["parentID", "attachmentType", "title", "data"],
        "TicketChecklistItems" => &["ticketID", "itemName"],
        _ => &[],
    }
}

/// Fields the server sets; a client's value is dropped.
const SYSTEM_SET: &[&str] = &[
    "id",
    "ticketNumber",
    "createDate",
    "createDateTime",
    "lastActivityDate",
    "lastModifiedDateTime",
    "lastModifiedTime",
    "attachDate",
    "fileSize",
    "parentType",
];

fn int(record: &Record, field: &str) -> Option<i64> {
    record.get(field).and_then(Value::as_i64)
}

fn text<'a>(record: &'a Record, field: &str) -> Option<&'a str> {
    record.get(field).and_then(Value::as_str)
}

fn time(record: &Record, field: &str) -> Option<DateTime<Utc>> {
    text(record, field).and_then(parse_instant)
}

/// Sets `field` unless the client gave it a value (absent and null alike).
fn or_default(record: &mut Record, field: &str, value: Value) {
    if record.get(field).is_none_or(Value::is_null) {
        record.insert(field.into(), value);
    }
}

fn blank(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty())
}

fn check_required(entity: &str, record: &Record) -> Result<(), Refusal> {
    let missing: Vec<&str> = required(entity).iter().copied().filter(|f| record.get(*f).is_none_or(blank)).collect();
    match missing.as_slice() {
        [] => Ok(()),
        [one] => refuse(format!("{entity}: {one} is required.")),
        many => refuse(format!("{entity}: {} are required.", many.join(", "))),
    }
}

/// A reference field, when set, must name an existing record.
fn check_reference(store: &Store, record: &Record, field: &str, target: &str) -> Result<(), Refusal> {
    match record.get(field) {
        Some(Value::Number(n)) => match n.as_i64() {
            Some(id) if store.exists(target, id) => Ok(()),
            _ => refuse(format!("Value {n} of {field} does not exist in {target}.")),
        },
        _ => Ok(()),
    }
}

fn check_references(store: &Store, record: &Record, references: &[(&str, &str)]) -> Result<(), Refusal> {
    references.iter().try_for_each(|(field, target)| check_reference(store, record, field, target))
}

fn check_picklists(entity: &str, record: &Record, fields: &[&str]) -> Result<(), Refusal> {
    for field in fields {
        if let Some(value) = int(record, field) {
            if !entity_info::allows(entity, field, value) {
                return refuse(format!("{entity}: {value} is not a valid value of the {field} picklist."));
            }
        }
    }
    Ok(())
}

fn check_length(entity: &str, record: &Record, field: &str, max: usize) -> Result<(), Refusal> {
    match text(record, field) {
        Some(value) if value.chars().count() > max => {
            refuse(format!("{entity}: {field} is longer than the {max} characters allowed."))
        }
        _ => Ok(()),
    }
}

/// A link may exist once (a ticket on a service call, a resource on it, a secondary resource).
fn check_unique(store: &Store, entity: &str, record: &Record, fields: [&str; 2]) -> Result<(), Refusal> {
    let same = |other: &Record| fields.iter().all(|f| other.get(*f).is_some() && other.get(*f) == record.get(*f));
    if store.table(entity).is_some_and(|t| t.values().any(same)) {
        return refuse(format!("{entity}: a record with this {} and {} already exists.", fields[0], fields[1]));
    }
    Ok(())
}

const TICKET_REFERENCES: &[(&str, &str)] = &[
    ("companyID", "Companies"),
    ("companyLocationID", "CompanyLocations"),
    ("contactID", "Contacts"),
    ("configurationItemID", "ConfigurationItems"),
    ("assignedResourceID", "Resources"),
];
const TICKET_PICKLISTS: &[&str] = &["status", "priority", "queueID", "issueType", "subIssueType", "source"];

/// Autotask stamps `completedDate` when a ticket reaches Complete and
/// clears it when the ticket is reopened.
fn follow_completion(record: &mut Record, before: Option<&Record>, now: DateTime<Utc>) {
    let Some(status) = int(record, "status") else { return };
    let was = before.and_then(|b| int(b, "status"));
    if status == STATUS_COMPLETE && was != Some(STATUS_COMPLETE) {
        record.insert("completedDate".into(), json!(stamp(now)));
    } else if status != STATUS_COMPLETE && was == Some(STATUS_COMPLETE) {
        record.insert("completedDate".into(), Value::Null);
    }
}

/// Autotask's rule: a resource on a ticket or a time entry comes with one of
/// their active service desk roles.
fn check_role(store: &Store, entity: &str, record: &Record, resource: &str, role: &str) -> Result<(), Refusal> {
    let Some(who) = int(record, resource) else { return Ok(()) };
    let Some(as_what) = int(record, role) else {
        return refuse(format!("{entity}: {role} is required when {resource} is set."));
    };
    let held = store.table("ResourceServiceDeskRoles").is_some_and(|roles| {
        roles.values().any(|r| {
            int(r, "resourceID") == Some(who)
                && int(r, "roleID") == Some(as_what)
                && r.get("isActive") == Some(&json!(true))
        })
    });
    if !held {
        return refuse(format!("{entity}: role {as_what} is not an active service desk role of resource {who}."));
    }
    Ok(())
}

fn validate_time_entry(store: &Store, record: &Record) -> Result<(), Refusal> {
    check_references(store, record, &[("ticketID", "Tickets"), ("resourceID", "Resources")])?;
    check_role(store, "TimeEntries", record, "resourceID", "roleID")?;
    let (Some(start), Some(end)) = (time(record, "startDateTime"), time(record, "endDateTime")) else {
        return refuse("TimeEntries: startDateTime and endDateTime are required for a ticket's time.");
    };
    if end <= start {
        return refuse("TimeEntries: endDateTime must be after startDateTime.");
    }
    // Ending exactly at midnight still belongs to the day it started.
    if end.date_naive() != start.date_naive()
        && !(end.time() == NaiveTime::MIN && end - start <= chrono::Duration::days(1))
    {
        return refuse("TimeEntries: a time entry cannot cross midnight (UTC); split it into one entry per day.");
    }
    let hours = record.get("hoursWorked").and_then(Value::as_f64).unwrap_or(-1.0);
    if !(hours > 0.0 && hours <= 24.0) {
        return refuse(format!("TimeEntries: hoursWorked must be more than 0 and at most 24 (was {hours})."));
    }
    Ok(())
}

fn validate_service_call(store: &Store, record: &Record) -> Result<(), Refusal> {
    check_references(store, record, &[("companyID", "Companies"), ("companyLocationID", "CompanyLocations")])?;
    match (time(record, "startDateTime"), time(record, "endDateTime")) {
        (Some(start), Some(end)) if end > start => Ok(()),
        _ => refuse("ServiceCalls: endDateTime must be after startDateTime."),
    }
}

/// A create as the API receives it. `parent` is the (field, id) from a
/// child path such as `Tickets/{parentId}/Notes`; `creator` the
/// `ImpersonationResourceId` when one was sent.
pub struct Create<'a> {
    pub entity: &'static str,
    pub body: &'a Record,
    pub parent: Option<(&'static str, i64)>,
    pub creator: Option<i64>,
}

pub fn create(store: &mut Store, limits: &Limits, request: Create<'_>) -> Result<i64, Refusal> {
    let entity = request.entity;
    let mut record = normalize(entity, request.body, false)?;
    for field in SYSTEM_SET {
        record.remove(*field);
    }
    if let Some((field, id)) = request.parent {
        if let Some(sent) = int(&record, field).filter(|sent| *sent != id) {
            return refuse(format!("{entity}: {field} {sent} in the body differs from {id} in the path."));
        }
        record.insert(field.into(), json!(id));
    }
    check_required(entity, &record)?;
    let now = Utc::now();
    if let Some(creator) = request.creator.filter(|id| store.exists("Resources", *id)) {
        if crate::contract::known_field(entity, "creatorResourceID") {
            record.insert("creatorResourceID".into(), json!(creator));
        }
    }
    let mut touches = None;
    match entity {
        "Tickets" => {
            if int(&record, "queueID").is_none() && int(&record, "assignedResourceID").is_none() {
                return refuse("Tickets: a queueID or an assignedResourceID is required.");
            }
            check_references(store, &record, TICKET_REFERENCES)?;
            check_role(store, entity, &record, "assignedResourceID", "assignedResourceRoleID")?;
            check_picklists(entity, &record, TICKET_PICKLISTS)?;
            check_length(entity, &record, "title", 255)?;
            check_length(entity, &record, "description", MAX_TICKET_DESCRIPTION_CHARS)?;
            follow_completion(&mut record, None, now);
            or_default(&mut record, "ticketType", json!(1));
            record.insert("ticketNumber".into(), json!(store.ticket_number(now)));
            record.insert("createDate".into(), json!(stamp(now)));
        }
        "TicketNotes" => {
            check_references(store, &record, &[("ticketID", "Tickets"), ("creatorResourceID", "Resources")])?;
            check_picklists(entity, &record, &["noteType", "publish"])?;
            check_length(entity, &record, "title", 250)?;
            check_length(entity, &record, "description", MAX_NOTE_CHARS)?;
            record.insert("createDateTime".into(), json!(stamp(now)));
            touches = int(&record, "ticketID");
        }
        "TimeEntries" => {
            validate_time_entry(store, &record)?;
            if record.get("dateWorked").is_none_or(Value::is_null) {
                let day = time(&record, "startDateTime").map(|s| s.date_naive().and_time(NaiveTime::MIN).and_utc());
                record.insert("dateWorked".into(), json!(day.map(stamp)));
            }
            or_default(&mut record, "isNonBillable", json!(false));
            record.insert("createDateTime".into(), json!(stamp(now)));
        }
        "ServiceCalls" => {
            validate_service_call(store, &record)?;
            or_default(&mut record, "status", json!(1));
            or_default(&mut record, "isComplete", json!(0));
            record.insert("createDateTime".into(), json!(stamp(now)));
        }
        "ServiceCallTickets" => {
            check_references(store, &record, &[("serviceCallID", "ServiceCalls"), ("ticketID", "Tickets")])?;
            check_unique(store, entity, &record, ["serviceCallID", "ticketID"])?;
        }
        "ServiceCallTicketResources" => {
            check_references(
                store,
                &record,
                &[("serviceCallTicketID", "ServiceCallTickets"), ("resourceID", "Resources")],
            )?;
            check_unique(store, entity, &record, ["serviceCallTicketID", "resourceID"])?;
        }
        "TicketSecondaryResources" => {
            check_references(store, &record, &[("ticketID", "Tickets"), ("resourceID", "Resources")])?;
            check_unique(store, entity, &record, ["ticketID", "resourceID"])?;
            touches = int(&record, "ticketID");
        }
        "TicketAttachments" => attachment(store, limits, &mut record, now)?,
        _ => return refuse(format!("{entity} cannot be created through this API.")),
    }
    let id = store.insert(entity, record);
    if let Some(ticket) = touches {
        store.touch("Tickets", ticket);
    }
    Ok(id)
}

fn attachment(store: &Store, limits: &Limits, record: &mut Record, now: DateTime<Utc>) -> Result<(), Refusal> {
    check_reference(store, record, "parentID", "Tickets")?;
    let kind = text(record, "attachmentType").unwrap_or_default();
    if kind != "FILE_ATTACHMENT" {
        return refuse(format!("TicketAttachments: attachmentType {kind} is not supported; send FILE_ATTACHMENT."));
    }
    if text(record, "fullPath").is_none_or(|p| p.trim().is_empty()) {
        return refuse("TicketAttachments: fullPath (the file name) is required for a file attachment.");
    }
    let encoded = text(record, "data").unwrap_or_default();
    let data = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| Refusal { status: 500, message: "TicketAttachments: data is not valid base64.".into() })?;
    if data.is_empty() {
        return refuse("TicketAttachments: the file is empty.");
    }
    if data.len() > MAX_ATTACHMENT_BYTES {
        return refuse(format!(
            "TicketAttachments: the file is {} bytes; attachments may be at most {MAX_ATTACHMENT_BYTES} bytes.",
            data.len()
        ));
    }
    limits.spend_attachment_bytes(data.len()).map_err(|message| Refusal { status: 429, message })?;
    let name = text(record, "fullPath").unwrap_or_default().to_ascii_lowercase();
    let content_type = match name.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    };
    // The bytes are kept (a GET of the attachment returns them), so tests
    // can check exactly what arrived.
    record.insert("fileSize".into(), json!(data.len()));
    record.insert("contentType".into(), json!(content_type));
    record.insert("parentType".into(), json!(PARENT_TYPE_TICKET));
    record.insert("attachDate".into(), json!(stamp(now)));
    or_default(record, "publish", json!(1));
    Ok(())
}

/// `PATCH /V1.0/{Entity}` (or, for a child collection, `PATCH
/// /V1.0/{Parent}/{parentId}/{Children}` with `parent` its field and id): the
/// id in the body, only the fields sent change.
pub fn update(
    store: &mut Store,
    entity: &'static str,
    body: &Record,
    parent: Option<(&'static str, i64)>,
) -> Result<i64, Refusal> {
    let id = match crate::query::get(body, "id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let Some(id) = id.filter(|id| *id > 0) else { return refuse(format!("{entity}: the id is required to update.")) };
    let Some(before) = store.get(entity, id).cloned() else {
        return refuse(format!("{entity}: there is no record with id {id}."));
    };
    let mut fields = normalize(entity, body, false)?;
    for field in SYSTEM_SET {
        fields.remove(*field);
    }
    // A required field may be left out of an update, not emptied by it.
    if let Some(emptied) = required(entity).iter().find(|f| fields.get(**f).is_some_and(blank)) {
        return refuse(format!("{entity}: {emptied} is required."));
    }
    if let Some((field, parent_id)) = parent {
        if let Some(sent) = int(&fields, field).filter(|sent| *sent != parent_id) {
            return refuse(format!("{entity}: {field} {sent} in the body differs from {parent_id} in the path."));
        }
        if int(&before, field) != Some(parent_id) {
            return refuse(format!("{entity}: there is no record with id {id} under {parent_id}."));
        }
    }
    let mut merged = before.clone();
    merged.extend(fields.clone());
    let mut touches = None;
    match entity {
        "Tickets" => {
            check_references(store, &fields, TICKET_REFERENCES)?;
            if fields.contains_key("assignedResourceID") {
                check_role(store, entity, &fields, "assignedResourceID", "assignedResourceRoleID")?;
            }
            check_picklists(entity, &fields, TICKET_PICKLISTS)?;
            check_length(entity, &fields, "title", 255)?;
            check_length(entity, &fields, "description", MAX_TICKET_DESCRIPTION_CHARS)?;
            follow_completion(&mut fields, Some(&before), Utc::now());
        }
        "TimeEntries" => validate_time_entry(store, &merged)?,
        "ServiceCalls" => validate_service_call(store, &merged)?,
        "TicketChecklistItems" if parent.is_some() => {
            check_references(store, &fields, &[("completedByResourceID", "Resources")])?;
            check_length(entity, &fields, "itemName", 255)?;
            // Ticking an item is activity on its ticket.
            touches = int(&merged, "ticketID");
        }
        _ => return refuse(format!("{entity} cannot be updated through this API.")),
    }
    store.patch(entity, id, &fields);
    if let Some(ticket) = touches {
        store.touch("Tickets", ticket);
    }
    Ok(id)
}
