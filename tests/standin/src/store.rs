//! The stand-in's records: per entity, by integer id, with Autotask's
//! bookkeeping — ids handed out in ascending order, change times that only
//! move forward, ticket numbers — and values held in the types the contract
//! gives each field (so `"5"` sent for an integer is stored as 5).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use serde_json::{Map, Value};

use crate::contract::{self, change_field, DataType};

pub type Record = Map<String, Value>;
pub type Table = BTreeMap<i64, Record>;

/// How Autotask writes a date-time: UTC, milliseconds, `Z`.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An ISO date-time (with or without a zone; without one it is UTC, as
/// every Autotask time is) or a bare date.
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.len() < 10 || !text.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc()))
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
        })
}

/// `value` in the type of the field, or why it cannot be.
pub fn coerce(data_type: DataType, field: &str, value: &Value) -> Result<Value, String> {
    let refuse = || Err(format!("Unable to convert the value {value} of {field} to {}.", data_type.wire_name()));
    if value.is_null() {
        return Ok(Value::Null);
    }
    match data_type {
        DataType::Integer | DataType::Long => match value {
            Value::Number(n) if n.is_i64() => Ok(value.clone()),
            Value::Number(n) => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Value::from(f as i64)),
                _ => refuse(),
            },
            Value::String(s) => s.trim().parse::<i64>().map(Value::from).or_else(|_| refuse()),
            _ => refuse(),
        },
        DataType::Double => match value {
            Value::Number(_) => Ok(value.clone()),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .map_or_else(refuse, Ok),
            _ => refuse(),
        },
        DataType::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::Number(n) => match n.as_i64() {
                Some(0) => Ok(Value::Bool(false)),
                Some(1) => Ok(Value::Bool(true)),
                _ => refuse(),
            },
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => refuse(),
            },
            _ => refuse(),
        },
        DataType::DateTime => match value.as_str().and_then(parse_instant) {
            Some(at) => Ok(Value::from(stamp(at))),
            None => refuse(),
        },
        DataType::String | DataType::Bytes => match value {
            Value::String(_) => Ok(value.clone()),
            Value::Number(_) | Value::Bool(_) => Ok(Value::from(value.to_string())),
            _ => refuse(),
        },
        DataType::Udfs => match value {
            Value::Array(items) if items.iter().all(|u| u.get("name").is_some_and(Value::is_string)) => {
                Ok(value.clone())
            }
            _ => refuse(),
        },
    }
}

/// A record as the API reads it: field names as the contract spells them,
/// values in their fields' types. Names the entity does not have are
/// ignored (as Autotask ignores them) unless `keep_unknown`.
pub fn normalize(entity: &str, record: &Record, keep_unknown: bool) -> Result<Record, String> {
    let mut out = Record::new();
    for (key, value) in record {
        match contract::field(entity, key) {
            Some(field) => {
                out.insert(field.name.clone(), coerce(field.data_type, &field.name, value)?);
            }
            None if keep_unknown => {
                out.insert(key.clone(), value.clone());
            }
            None => {}
        }
    }
    Ok(out)
}

/// Where each entity's ids start (Autotask's look: resources near 29682000).
fn first_id(entity: &str) -> i64 {
    match entity {
        "Resources" => 29_682_000,
        "ResourceServiceDeskRoles" => 200_000,
        "Companies" => 1_000,
        "CompanyLocations" => 5_000,
        "Contacts" => 30_000,
        "ConfigurationItems" => 60_000,
        "Tickets" => 100_000,
        "TicketNotes" => 1_000_000,
        "TicketSecondaryResources" => 700_000,
        "TicketAttachments" => 800_000,
        "TicketChecklistItems" => 900_000,
        "TimeEntries" => 3_000_000,
        "ServiceCalls" => 400_000,
        "ServiceCallTickets" => 450_000,
        "ServiceCallTicketResources" => 500_000,
        _ => 1,
    }
}

/// The canonical spelling of an entity name, or the name as given.
fn canonical(entity: &str) -> String {
    contract::entity(entity).map(str::to_string).unwrap_or_else(|| entity.to_string())
}

#[derive(Default)]
pub struct Store {
    tables: HashMap<String, Table>,
    next_ids: HashMap<String, i64>,
    /// Change times only move forward, a millisecond at least, so a sync's
    /// `gt lastActivityDate` watermark never misses a change.
    last_change: Option<DateTime<Utc>>,
    /// Per day (`20261124`), the last ticket number handed out.
    ticket_numbers: HashMap<String, u32>,
}

impl Store {
    pub fn table(&self, entity: &str) -> Option<&Table> {
        self.tables.get(entity).or_else(|| self.tables.get(&canonical(entity)))
    }

    pub fn get(&self, entity: &str, id: i64) -> Option<&Record> {
        self.table(entity)?.get(&id)
    }

    pub fn exists(&self, entity: &str, id: i64) -> bool {
        self.get(entity, id).is_some()
    }

    pub fn next_change_time(&mut self) -> DateTime<Utc> {
        // Whole milliseconds, as stamped: two changes in the same millisecond still get two times.
        let now = Utc::now().trunc_subsecs(3);
        let at = match self.last_change {
            Some(last) if last >= now => last + Duration::milliseconds(1),
            _ => now,
        };
        self.last_change = Some(at);
        at
    }

    fn next_id(&mut self, entity: &str) -> i64 {
        let last = self.tables.get(entity).and_then(|t| t.keys().next_back().copied()).unwrap_or(i64::MIN);
        let counter = self.next_ids.entry(entity.to_string()).or_insert_with(|| first_id(entity));
        let next = (*counter).max(last.saturating_add(1));
        *counter = next + 1;
        next
    }

    /// A ticket number as Autotask makes them, `T20261124.0042`: the day,
    /// then the next number of that day after those already taken.
    pub fn ticket_number(&mut self, at: DateTime<Utc>) -> String {
        let day = at.format("%Y%m%d").to_string();
        let prefix = format!("T{day}.");
        let tickets = self.tables.get("Tickets");
        let last = self.ticket_numbers.entry(day.clone()).or_insert_with(|| {
            tickets
                .into_iter()
                .flat_map(|t| t.values())
                .filter_map(|t| t.get("ticketNumber")?.as_str()?.strip_prefix(&prefix)?.parse::<u32>().ok())
                .max()
                .unwrap_or(0)
        });
        *last += 1;
        format!("{prefix}{:04}", *last)
    }

    /// Adds a record (a new id when it has none, or 0) and stamps its change time.
    pub fn insert(&mut self, entity: &str, mut record: Record) -> i64 {
        let entity = canonical(entity);
        let id = match record.get("id").and_then(Value::as_i64) {
            Some(id) if id > 0 => id,
            _ => self.next_id(&entity),
        };
        record.insert("id".into(), Value::from(id));
        if let Some(field) = change_field(&entity) {
            let at = self.next_change_time();
            record.insert(field.into(), Value::from(stamp(at)));
        }
        self.tables.entry(entity).or_default().insert(id, record);
        id
    }

    /// Adds a seeded record as it is (its own change time kept).
    pub fn seed(&mut self, entity: &str, record: Record) {
        if let Some(id) = record.get("id").and_then(Value::as_i64) {
            self.tables.entry(canonical(entity)).or_default().insert(id, record);
        }
    }

    /// After seeding: later changes are stamped after every seeded change
    /// time, even one the sample put a little in the future.
    pub fn after_seeding(&mut self) {
        let latest = self
            .tables
            .iter()
            .filter_map(|(entity, table)| Some((change_field(entity)?, table)))
            .flat_map(|(field, table)| {
                table.values().filter_map(move |r| r.get(field)?.as_str().and_then(parse_instant))
            })
            .max();
        self.last_change = latest.max(self.last_change);
    }

    /// Changes fields of a record and stamps its change time; `false` when there is none.
    pub fn patch(&mut self, entity: &str, id: i64, fields: &Record) -> bool {
        let entity = canonical(entity);
        if !self.exists(&entity, id) {
            return false;
        }
        let at = self.next_change_time();
        let Some(record) = self.tables.get_mut(&entity).and_then(|t| t.get_mut(&id)) else { return false };
        for (name, value) in fields {
            if name.eq_ignore_ascii_case("id") {
                continue;
            }
            let key = record.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.clone());
            record.insert(key, value.clone());
        }
        if let Some(field) = change_field(&entity) {
            record.insert(field.into(), Value::from(stamp(at)));
        }
        true
    }

    /// Moves a record's change time (a note added to a ticket counts as activity on it).
    pub fn touch(&mut self, entity: &str, id: i64) {
        let _ = self.patch(entity, id, &Map::new());
    }

    pub fn delete(&mut self, entity: &str, id: i64) {
        if let Some(table) = self.tables.get_mut(&canonical(entity)) {
            table.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_change_times_and_ticket_numbers() {
        let mut store = Store::default();
        let first = store.insert("tickets", Map::new());
        let second = store.insert("Tickets", json!({ "id": 0 }).as_object().cloned().unwrap_or_default());
        assert_eq!((first, second), (100_000, 100_001));
        let a = store.get("Tickets", first).and_then(|t| t["lastActivityDate"].as_str()).map(String::from);
        assert!(store.patch("Tickets", first, &json!({ "Title": "x" }).as_object().cloned().unwrap_or_default()));
        let b = store.get("Tickets", first).and_then(|t| t["lastActivityDate"].as_str()).map(String::from);
        assert!(b > a, "the change time moves forward");
        assert!(!store.patch("Tickets", 5, &Map::new()));
        let day = parse_instant("2026-11-24T10:00:00Z").unwrap_or_default();
        store.seed(
            "Tickets",
            json!({ "id": 5, "ticketNumber": "T20261124.0060" }).as_object().cloned().unwrap_or_default(),
        );
        assert_eq!(store.ticket_number(day), "T20261124.0061");
        assert_eq!(store.ticket_number(day), "T20261124.0062");
    }

    #[test]
    fn values_take_their_fields_types() {
        let record = json!({ "Status": "5", "hoursWorked": "1.5", "isNonBillable": 1, "title": 12,
                             "startDateTime": "2026-11-20T10:00:00+01:00", "colour": "red" });
        let record = record.as_object().cloned().unwrap_or_default();
        let tickets = normalize("Tickets", &record, false).unwrap_or_default();
        assert_eq!(tickets.get("status"), Some(&json!(5)));
        assert_eq!(tickets.get("title"), Some(&json!("12")));
        assert!(!tickets.contains_key("colour"));
        let time = normalize("TimeEntries", &record, true).unwrap_or_default();
        assert_eq!(time.get("hoursWorked"), Some(&json!(1.5)));
        assert_eq!(time.get("isNonBillable"), Some(&json!(true)));
        assert_eq!(time.get("startDateTime"), Some(&json!("2026-11-20T09:00:00.000Z")));
        assert_eq!(time.get("colour"), Some(&json!("red")));
        let bad = json!({ "status": "open" }).as_object().cloned().unwrap_or_default();
        assert!(normalize("Tickets", &bad, false).is_err());
    }
}
