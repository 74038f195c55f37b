//! Halo records into the neutral record shape ([`crate::sync::connector`]),
//! and the little readers Halo's loose types need: ids may come as `12.0`,
//! times without an offset (UTC) and 1900 dates for "none".

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use serde_json::{json, Map, Value};

/// An action's neutral id: Halo numbers actions per ticket, so the ticket
/// id and the action id make one number (`ticket << 24 | action`).
pub const ACTION_BITS: u32 = 24;

pub fn action_key(ticket: i64, action: i64) -> Option<i64> {
    if !(0..(1 << ACTION_BITS)).contains(&action) || !(0..(1 << (62 - ACTION_BITS))).contains(&ticket) {
        return None;
    }
    Some((ticket << ACTION_BITS) | action)
}

/// A secondary resource's neutral id: Halo has no such record, only the
/// ticket's `additional_agents`, so the ticket and agent ids make one number
/// (`ticket << 32 | agent`; agent ids are below 2³², tickets below 2³⁰).
pub fn helper_key(ticket: i64, agent: i64) -> Option<i64> {
    if !(0..(1 << 32)).contains(&agent) || !(0..(1 << 30)).contains(&ticket) {
        return None;
    }
    Some((ticket << 32) | agent)
}

/// The ticket and action of a neutral action id.
pub fn split_action_key(key: i64) -> (i64, i64) {
    (key >> ACTION_BITS, key & ((1 << ACTION_BITS) - 1))
}

fn get<'a>(record: &'a Value, name: &str) -> Option<&'a Value> {
    let object = record.as_object()?;
    object.get(name).or_else(|| object.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// An id read leniently: `12`, `12.0` or `"12"`.
pub fn id(record: &Value, name: &str) -> Option<i64> {
    match get(record, name)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(text) => text.trim().parse::<f64>().ok().filter(|f| f.fract() == 0.0).map(|f| f as i64),
        _ => None,
    }
}

pub fn text(record: &Value, name: &str) -> String {
    match get(record, name) {
        Some(Value::String(text)) => text.replace('\0', ""),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

pub fn flag(record: &Value, name: &str) -> Option<bool> {
    match get(record, name)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_f64() != Some(0.0)),
        Value::String(t) => Some(matches!(t.to_ascii_lowercase().as_str(), "true" | "1" | "yes")),
        _ => None,
    }
}

pub fn number(record: &Value, name: &str) -> Option<f64> {
    match get(record, name)? {
        Value::Number(n) => n.as_f64(),
        Value::String(t) => t.trim().parse().ok(),
        _ => None,
    }
}

/// A Halo time: UTC with or without an offset; years up to 1980 mean none.
pub fn time(record: &Value, name: &str) -> Option<DateTime<Utc>> {
    let text = get(record, name)?.as_str()?.trim();
    let at = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc()))?;
    (at.year() > 1980).then_some(at)
}

/// A time for the neutral shape (RFC 3339, UTC, milliseconds), or null.
fn stamp(at: Option<DateTime<Utc>>) -> Value {
    at.map(|at| json!(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))).unwrap_or(Value::Null)
}

/// Halo's wire time for a neutral one: UTC with `Z`.
pub fn wire_time(value: &Value) -> Value {
    match value.as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()) {
        Some(at) => json!(at.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        None => value.clone(),
    }
}

/// A real person or record: Halo's id 1 (agent, client) is "unassigned"
/// and negative ids are placeholders (the "General User").
fn real(id: Option<i64>) -> Option<i64> {
    id.filter(|id| *id > 1)
}

fn object(pairs: Vec<(&str, Value)>) -> Value {
    let mut map = Map::new();
    for (key, value) in pairs {
        map.insert(key.to_string(), value);
    }
    Value::Object(map)
}

fn split_name(name: &str) -> (String, String) {
    match name.trim().rsplit_once(' ') {
        Some((first, last)) => (first.trim().to_string(), last.trim().to_string()),
        None => (name.trim().to_string(), String::new()),
    }
}

/// `Uname` (an agent) → a resource. `None` for the unassigned placeholder.
pub fn resource(agent: &Value) -> Option<Value> {
    let id = real(id(agent, "id"))?;
    let (first, last) = match (text(agent, "firstname"), text(agent, "surname")) {
        (first, last) if !first.is_empty() || !last.is_empty() => (first, last),
        _ => split_name(&text(agent, "name")),
    };
    Some(object(vec![
        ("id", json!(id)),
        ("firstName", json!(first)),
        ("lastName", json!(last)),
        ("email", json!(text(agent, "email"))),
        ("title", json!(text(agent, "jobtitle"))),
        ("isActive", json!(!flag(agent, "isdisabled").unwrap_or(false))),
    ]))
}

/// `Area` (a client) → a company.
pub fn company(client: &Value) -> Option<Value> {
    let id = id(client, "id")?;
    Some(object(vec![
        ("id", json!(id)),
        ("companyName", json!(text(client, "name"))),
        ("phone", json!(text(client, "main_phonenumber"))),
        ("webAddress", json!(text(client, "website"))),
        ("isActive", json!(!flag(client, "inactive").unwrap_or(false))),
        ("lastActivityDate", stamp(time(client, "alastupdate").or_else(|| time(client, "last_update")))),
    ]))
}

fn address_line(site: &Value, line: &str) -> String {
    get(site, "delivery_address").map(|address| text(address, line)).filter(|t| !t.is_empty()).unwrap_or_default()
}

/// `Site` → a location.
pub fn location(site: &Value) -> Option<Value> {
    let id = id(site, "id")?;
    Some(object(vec![
        ("id", json!(id)),
        ("companyID", json!(id_of(site, "client_id"))),
        ("name", json!(text(site, "name"))),
        ("address1", json!(address_line(site, "line1"))),
        ("address2", json!(address_line(site, "line2"))),
        ("city", json!(address_line(site, "line3"))),
        ("state", json!(address_line(site, "line4"))),
        ("postalCode", json!(address_line(site, "postcode"))),
        ("phone", json!(text(site, "phonenumber"))),
        ("isPrimary", json!(flag(site, "isprimary").unwrap_or(false))),
        ("lastActivityDate", stamp(time(site, "slastupdate"))),
    ]))
}

fn id_of(record: &Value, name: &str) -> Option<i64> {
    id(record, name)
}

/// `Users` → a contact. `None` for the per-client "General User" (id −1).
pub fn contact(user: &Value) -> Option<Value> {
    let id = id(user, "id").filter(|id| *id > 0)?;
    let (first, last) = match (text(user, "firstname"), text(user, "surname")) {
        (first, last) if !first.is_empty() || !last.is_empty() => (first, last),
        _ => split_name(&text(user, "name")),
    };
    Some(object(vec![
        ("id", json!(id)),
        ("companyID", json!(id_of(user, "client_id"))),
        ("companyLocationID", json!(id_of(user, "site_id"))),
        ("firstName", json!(first)),
        ("lastName", json!(last)),
        ("title", json!(text(user, "jobtitle"))),
        ("phone", json!(text(user, "phonenumber"))),
        ("mobilePhone", json!(text(user, "mobilenumber"))),
        ("emailAddress", json!(text(user, "emailaddress"))),
        ("isActive", json!(!flag(user, "inactive").unwrap_or(false))),
        ("lastActivityDate", stamp(time(user, "ulastupdate"))),
    ]))
}

/// `Device` (an asset) → a device.
pub fn device(asset: &Value) -> Option<Value> {
    let id = id(asset, "id")?;
    let name = [text(asset, "inventory_number"), text(asset, "key_field")]
        .into_iter()
        .find(|name| !name.trim().is_empty())
        .unwrap_or_else(|| format!("Asset {id}"));
    Some(object(vec![
        ("id", json!(id)),
        ("companyID", json!(id_of(asset, "client_id"))),
        ("companyLocationID", json!(id_of(asset, "site_id"))),
        ("referenceTitle", json!(name)),
        ("serialNumber", json!(text(asset, "key_field2"))),
        ("isActive", json!(!flag(asset, "inactive").unwrap_or(false))),
        ("lastModifiedTime", stamp(time(asset, "dlastupdate").or_else(|| time(asset, "last_modified")))),
    ]))
}

/// `Faults` (a ticket) → a ticket; `team_id` turns the team's name into its id.
pub fn ticket(fault: &Value, team_id: impl Fn(&str) -> Option<i64>) -> Option<Value> {
    let id = id(fault, "id").filter(|id| *id > 0)?;
    let closed = flag(fault, "hasbeenclosed").unwrap_or(false);
    let marker = text(fault, "third_party_id_string");
    Some(object(vec![
        ("id", json!(id)),
        ("ticketNumber", json!(id.to_string())),
        ("title", json!(text(fault, "summary"))),
        ("description", json!(text(fault, "details"))),
        ("companyID", json!(id_of(fault, "client_id"))),
        ("companyLocationID", json!(id_of(fault, "site_id").filter(|s| *s > 0))),
        ("contactID", json!(id_of(fault, "user_id").filter(|u| *u > 0))),
        ("assignedResourceID", json!(real(id_of(fault, "agent_id")))),
        ("status", json!(id_of(fault, "status_id"))),
        ("priority", json!(id_of(fault, "priority_id"))),
        ("queueID", json!(team_id(&text(fault, "team")))),
        ("issueType", json!(id_of(fault, "tickettype_id"))),
        ("createDate", stamp(time(fault, "dateoccurred"))),
        (
            "lastActivityDate",
            stamp(time(fault, "last_update").or_else(|| time(fault, "lastupdate")).max(time(fault, "lastactiondate"))),
        ),
        ("dueDateTime", stamp(time(fault, "deadlinedate").or_else(|| time(fault, "fixbydate")))),
        ("firstResponseDateTime", stamp(time(fault, "responsedate"))),
        ("completedDate", if closed { stamp(time(fault, "dateclosed")) } else { Value::Null }),
        ("externalID", if marker.is_empty() { Value::Null } else { json!(marker) }),
    ]))
}

/// The agents helping on a ticket (`additional_agents`).
pub fn additional_agents(fault: &Value) -> Vec<i64> {
    get(fault, "additional_agents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|agent| real(id(agent, "id").or_else(|| id(agent, "agent_id"))))
        .collect()
}

/// A note's title and text in one action note: the title on the first
/// line, a blank line, the text — read back the same way.
pub fn note_text(title: &str, body: &str) -> String {
    match title.trim() {
        "" => body.to_string(),
        title => format!("{title}\n\n{body}"),
    }
}

fn split_note(note: &str) -> (String, String) {
    match note.split_once("\n\n") {
        Some((title, body)) if !title.contains('\n') && title.chars().count() <= 250 => {
            (title.to_string(), body.to_string())
        }
        _ => (String::new(), note.to_string()),
    }
}

/// `Actions` → a note. Internal (`hiddenfromuser`) → publish 2, visible → 1.
pub fn note(action: &Value, ticket: i64) -> Option<Value> {
    let action_id = id(action, "id")?;
    let key = action_key(ticket, action_id)?;
    let (title, body) = split_note(&text(action, "note"));
    let guid = text(action, "guid");
    let written = time(action, "datetime").or_else(|| time(action, "actiondatecreated"));
    Some(object(vec![
        ("id", json!(key)),
        ("ticketID", json!(ticket)),
        ("title", json!(title)),
        ("description", json!(body)),
        ("publish", json!(if flag(action, "hiddenfromuser").unwrap_or(true) { 2 } else { 1 })),
        ("noteType", json!(id_of(action, "outcome_id"))),
        ("creatorResourceID", json!(real(id_of(action, "who_agentid")))),
        ("createDateTime", stamp(written)),
        ("lastActivityDate", stamp(time(action, "last_updated").or(written))),
        ("externalID", if guid.is_empty() { Value::Null } else { json!(guid) }),
    ]))
}

/// `Actions` with time taken → a time entry (hours; start and end from the
/// action's arrival and completion, else its time less the hours).
pub fn time_entry(action: &Value, ticket: i64) -> Option<Value> {
    let hours = number(action, "timetaken").filter(|h| *h > 0.0)?;
    let key = action_key(ticket, id(action, "id")?)?;
    let end = time(action, "actioncompletiondate").or_else(|| time(action, "datetime"))?;
    let start = time(action, "actionarrivaldate")
        .unwrap_or_else(|| end - chrono::Duration::seconds((hours * 3_600.0).round() as i64));
    let (summary, internal) = split_note(&text(action, "note"));
    let (summary, internal) = if summary.is_empty() { (internal, String::new()) } else { (summary, internal) };
    Some(object(vec![
        ("id", json!(key)),
        ("ticketID", json!(ticket)),
        ("resourceID", json!(real(id_of(action, "who_agentid")))),
        ("startDateTime", stamp(Some(start))),
        ("endDateTime", stamp(Some(end))),
        ("dateWorked", stamp(Some(start))),
        ("hoursWorked", json!(hours)),
        ("summaryNotes", json!(summary)),
        ("internalNotes", json!(internal)),
        ("isNonBillable", json!(number(action, "nonbilltime").unwrap_or(0.0) > 0.0)),
        ("lastModifiedDateTime", stamp(time(action, "last_updated").or(Some(end)))),
    ]))
}

/// `FaultToDo` (a ticket's to-do) → a checklist item. Its spelling is
/// unverified on a live tenant: `done` is read as a boolean, a number or a
/// string, the position from `sequence`, when it was done from `actual_end`
/// (the schema has no "done at"; taken as the nearest reading).
pub fn checklist_item(ticket: i64, todo: &Value) -> Option<Value> {
    let id = id(todo, "id").filter(|id| *id > 0)?;
    let done = match get(todo, "done") {
        Some(Value::Bool(done)) => *done,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        Some(Value::String(s)) => matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
        _ => false,
    };
    Some(object(vec![
        ("id", json!(id)),
        ("ticketID", json!(ticket)),
        ("itemName", json!(text(todo, "text"))),
        ("position", json!(id_of(todo, "sequence").unwrap_or(0))),
        ("isImportant", json!(false)),
        ("isCompleted", json!(done)),
        ("completedByResourceID", json!(if done { real(id_of(todo, "done_by_id")) } else { None })),
        ("completedDateTime", if done { stamp(time(todo, "actual_end")) } else { Value::Null }),
    ]))
}

/// Whether an appointment is remote: a meeting link or a location named so.
pub fn is_remote(appointment: &Value) -> bool {
    !text(appointment, "online_meeting_url").trim().is_empty()
        || text(appointment, "appointment_location_name").to_ascii_lowercase().contains("remote")
}

/// `Appointment` → a service call (with its on-site / remote kind).
pub fn service_call(appointment: &Value) -> Option<Value> {
    let id = id(appointment, "id").filter(|id| *id > 0)?;
    Some(object(vec![
        ("id", json!(id)),
        ("companyID", json!(id_of(appointment, "client_id").filter(|c| *c > 0))),
        ("companyLocationID", json!(id_of(appointment, "site_id").filter(|s| *s > 0))),
        ("startDateTime", stamp(time(appointment, "start_date"))),
        ("endDateTime", stamp(time(appointment, "end_date"))),
        ("description", json!(text(appointment, "subject"))),
        ("kind", json!(if is_remote(appointment) { "remote" } else { "onsite" })),
        ("lastModifiedDateTime", stamp(time(appointment, "last_modified"))),
    ]))
}

/// The agents of an appointment: `agent_id` and `agents[]`.
pub fn appointment_agents(appointment: &Value) -> Vec<i64> {
    let mut agents: Vec<i64> = real(id(appointment, "agent_id")).into_iter().collect();
    for agent in get(appointment, "agents").and_then(Value::as_array).into_iter().flatten() {
        if let Some(id) = real(id(agent, "id")) {
            if !agents.contains(&id) {
                agents.push(id);
            }
        }
    }
    agents
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_to_do_reads_done_in_any_spelling_and_only_a_done_one_names_who() {
        let todo = |done: Value| json!({ "id": 4, "text": "Check the UPS", "sequence": 2, "done": done, "done_by_id": 7, "actual_end": "2026-11-20T10:00:00" });
        for done in [json!(true), json!(1), json!("true"), json!("1")] {
            let item = checklist_item(9, &todo(done.clone())).unwrap();
            assert_eq!(
                (item["isCompleted"].clone(), item["completedByResourceID"].clone()),
                (json!(true), json!(7)),
                "{done}"
            );
            assert_eq!(item["completedDateTime"], "2026-11-20T10:00:00.000Z");
        }
        for done in [json!(false), json!(0), json!("false"), Value::Null] {
            let item = checklist_item(9, &todo(done.clone())).unwrap();
            assert_eq!(
                (item["isCompleted"].clone(), item["completedByResourceID"].clone()),
                (json!(false), Value::Null),
                "{done}"
            );
        }
        let item = checklist_item(9, &todo(json!(false))).unwrap();
        assert_eq!(
            (item["ticketID"].clone(), item["itemName"].clone(), item["position"].clone()),
            (json!(9), json!("Check the UPS"), json!(2))
        );
        assert!(checklist_item(9, &json!({ "text": "no id" })).is_none());
    }

    use super::*;

    #[test]
    fn action_keys_round_trip_and_refuse_what_does_not_fit() {
        let key = action_key(123_456, 17).unwrap();
        assert_eq!(split_action_key(key), (123_456, 17));
        assert_eq!(action_key(1, 1 << ACTION_BITS), None);
        assert_eq!(action_key(-1, 1), None);
    }

    #[test]
    fn loose_halo_values_are_read() {
        let record = json!({ "id": 12.0, "site_id": "7", "bad": 1.5, "at": "2025-03-01T14:05:00", "none": "1900-01-01T00:00:00" });
        assert_eq!(id(&record, "id"), Some(12));
        assert_eq!(id(&record, "site_id"), Some(7));
        assert_eq!(id(&record, "bad"), None);
        assert_eq!(time(&record, "at").unwrap().to_rfc3339(), "2025-03-01T14:05:00+00:00");
        assert_eq!(time(&record, "none"), None);
    }

    #[test]
    fn a_note_title_survives_the_round_trip() {
        let action =
            json!({ "id": 3, "note": note_text("Arrived", "Replaced the PSU.\n\nAll good."), "hiddenfromuser": false });
        let neutral = note(&action, 9).unwrap();
        assert_eq!(neutral["title"], "Arrived");
        assert_eq!(neutral["description"], "Replaced the PSU.\n\nAll good.");
        assert_eq!(neutral["publish"], 1);
        assert_eq!(neutral["id"], action_key(9, 3).unwrap());
    }

    #[test]
    fn placeholders_are_not_people() {
        assert!(resource(&json!({ "id": 1, "name": "Unassigned" })).is_none());
        assert!(contact(&json!({ "id": -1, "name": "General User" })).is_none());
        let ticket = ticket(&json!({ "id": 5, "agent_id": 1, "client_id": 3, "team": "Field" }), |t| {
            (t == "Field").then_some(4)
        })
        .unwrap();
        assert_eq!(ticket["assignedResourceID"], Value::Null);
        assert_eq!(ticket["queueID"], 4);
    }
}
