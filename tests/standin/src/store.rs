//! The stand-in's records: per entity, by integer id, with Autotask's
//! bookkeeping (ids, change times that only move forward, ticket numbers).
//! The fields an entity has come from the contract's models.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

/// Every entity served, with the contract model it follows.
pub const ENTITIES: &[(&str, &str)] = &[
    ("Resources", "ResourceModel"),
    ("Companies", "CompanyModel"),
    ("CompanyLocations", "CompanyLocationModel"),
    ("Contacts", "ContactModel"),
    ("ConfigurationItems", "ConfigurationItemModel"),
    ("Tickets", "TicketModel"),
    ("TicketNotes", "TicketNoteModel"),
    ("TicketSecondaryResources", "TicketSecondaryResourceModel"),
    ("TicketAttachments", "TicketAttachmentModel"),
    ("TimeEntries", "TimeEntryModel"),
    ("ServiceCalls", "ServiceCallModel"),
    ("ServiceCallTickets", "ServiceCallTicketModel"),
    ("ServiceCallTicketResources", "ServiceCallTicketResourceModel"),
];

/// The contract (Autotask's own Swagger description), read at build time.
const CONTRACT: &str = include_str!("../../../../shared/contracts/autotask/autotask-rest-v1.0.swagger.json");

/// `QueueID` → `queueID`, `RMMDeviceAuditHostname` → `rmmDeviceAuditHostname`, `Id` → `id`.
pub fn camel(name: &str) -> String {
    let upper = name.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let keep = match upper {
        0 => 0,
        n if n == name.len() => n,
        1 => 1,
        n => n - 1,
    };
    let (head, tail) = name.split_at(keep.min(name.len()));
    format!("{}{tail}", head.to_ascii_lowercase())
}

/// An entity's field names on the wire, and the same lower-cased for look-up.
pub type FieldNames = (Vec<String>, HashSet<String>);

/// The wire names of each entity's fields.
pub fn fields() -> &'static HashMap<&'static str, FieldNames> {
    static FIELDS: OnceLock<HashMap<&'static str, FieldNames>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let contract: Value = serde_json::from_str(CONTRACT).unwrap_or(Value::Null);
        ENTITIES
            .iter()
            .map(|(entity, model)| {
                let names: Vec<String> = contract["definitions"][*model]["properties"]
                    .as_object()
                    .map(|properties| properties.keys().map(|key| camel(key)).collect())
                    .unwrap_or_default();
                let lower = names.iter().map(|n| n.to_ascii_lowercase()).collect();
                (*entity, (names, lower))
            })
            .collect()
    })
}

pub fn known_field(entity: &str, field: &str) -> bool {
    fields().get(entity).is_some_and(|(_, lower)| lower.contains(&field.to_ascii_lowercase()))
}

/// The field that tells when a record last changed.
pub fn change_field(entity: &str) -> Option<&'static str> {
    match entity {
        "Tickets" | "TicketNotes" | "Companies" | "Contacts" => Some("lastActivityDate"),
        "TimeEntries" | "ServiceCalls" => Some("lastModifiedDateTime"),
        "ConfigurationItems" => Some("lastModifiedTime"),
        _ => None,
    }
}

pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[derive(Default)]
pub struct Store {
    pub entities: HashMap<String, BTreeMap<i64, Map<String, Value>>>,
    next_ids: HashMap<String, i64>,
    /// Change times only move forward, one millisecond at least.
    last_change: Option<DateTime<Utc>>,
    ticket_numbers: u32,
}

impl Store {
    pub fn table(&self, entity: &str) -> Option<&BTreeMap<i64, Map<String, Value>>> {
        self.entities.get(entity)
    }

    pub fn next_change_time(&mut self) -> DateTime<Utc> {
        let now = Utc::now();
        let at = match self.last_change {
            Some(last) if last >= now => last + Duration::milliseconds(1),
            _ => now,
        };
        self.last_change = Some(at);
        at
    }

    fn next_id(&mut self, entity: &str) -> i64 {
        let start = match entity {
            "Resources" => 29_682_000,
            "Companies" => 1_000,
            "CompanyLocations" => 5_000,
            "Contacts" => 30_000,
            "ConfigurationItems" => 60_000,
            "Tickets" => 100_000,
            "TicketNotes" => 1_000_000,
            "TimeEntries" => 3_000_000,
            "ServiceCalls" => 400_000,
            _ => 1,
        };
        let last = self.entities.get(entity).and_then(|t| t.keys().next_back().copied()).unwrap_or(start - 1);
        let counter = self.next_ids.entry(entity.to_string()).or_insert(start);
        let next = (*counter).max(last + 1);
        *counter = next + 1;
        next
    }

    /// A ticket number as Autotask makes them: `T20261124.0042`.
    pub fn ticket_number(&mut self, at: DateTime<Utc>) -> String {
        self.ticket_numbers += 1;
        format!("T{}.{:04}", at.format("%Y%m%d"), 9000 + self.ticket_numbers)
    }

    /// Adds a record (a new id when it has none or 0) and stamps its change time.
    pub fn insert(&mut self, entity: &str, mut record: Map<String, Value>) -> i64 {
        let id = match record.get("id").and_then(Value::as_i64) {
            Some(id) if id > 0 => id,
            _ => self.next_id(entity),
        };
        record.insert("id".into(), Value::from(id));
        if let Some(field) = change_field(entity) {
            let at = self.next_change_time();
            record.insert(field.into(), Value::from(stamp(at)));
        }
        self.entities.entry(entity.to_string()).or_default().insert(id, record);
        id
    }

    /// Seeds a record as it is (its own change time kept).
    pub fn seed(&mut self, entity: &str, record: Map<String, Value>) {
        if let Some(id) = record.get("id").and_then(Value::as_i64) {
            self.entities.entry(entity.to_string()).or_default().insert(id, record);
        }
    }

    /// Changes fields of a record (names matched without regard to case); `false` when there is none.
    pub fn patch(&mut self, entity: &str, id: i64, fields: &Map<String, Value>) -> bool {
        let at = self.next_change_time();
        let Some(record) = self.entities.get_mut(entity).and_then(|t| t.get_mut(&id)) else { return false };
        for (name, value) in fields {
            if name.eq_ignore_ascii_case("id") {
                continue;
            }
            let key = record.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.clone());
            record.insert(key, value.clone());
        }
        if let Some(field) = change_field(entity) {
            record.insert(field.into(), Value::from(stamp(at)));
        }
        true
    }

    pub fn touch(&mut self, entity: &str, id: i64) {
        let _ = self.patch(entity, id, &Map::new());
    }

    pub fn delete(&mut self, entity: &str, id: i64) {
        if let Some(table) = self.entities.get_mut(entity) {
            table.remove(&id);
        }
    }

    pub fn exists(&self, entity: &str, id: i64) -> bool {
        self.entities.get(entity).is_some_and(|t| t.contains_key(&id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_contract_in_wire_case() {
        assert_eq!(camel("QueueID"), "queueID");
        assert_eq!(camel("Id"), "id");
        assert_eq!(camel("RMMDeviceAuditHostname"), "rmmDeviceAuditHostname");
        assert_eq!(camel("ID"), "id");
        assert!(known_field("Tickets", "queueid"));
        assert!(known_field("Tickets", "externalID"));
        assert!(known_field("TicketNotes", "createDateTime"));
        assert!(!known_field("Tickets", "colour"));
    }
}
