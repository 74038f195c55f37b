//! The contract: each served entity's fields, names and types, read from
//! Autotask's own Swagger description (embedded at build time) so the
//! stand-in knows exactly the fields the real API has — a filter on any
//! other field is refused as Autotask refuses it.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

/// Every entity served, with the contract model it follows.
pub const ENTITIES: &[(&str, &str)] = &[
    ("Resources", "ResourceModel"),
    ("ResourceServiceDeskRoles", "ResourceServiceDeskRoleModel"),
    ("Companies", "CompanyModel"),
    ("CompanyLocations", "CompanyLocationModel"),
    ("Contacts", "ContactModel"),
    ("ConfigurationItems", "ConfigurationItemModel"),
    ("Tickets", "TicketModel"),
    ("TicketNotes", "TicketNoteModel"),
    ("TicketSecondaryResources", "TicketSecondaryResourceModel"),
    ("TicketAttachments", "TicketAttachmentModel"),
    ("TicketChecklistItems", "TicketChecklistItemModel"),
    ("TimeEntries", "TimeEntryModel"),
    ("ServiceCalls", "ServiceCallModel"),
    ("ServiceCallTickets", "ServiceCallTicketModel"),
    ("ServiceCallTicketResources", "ServiceCallTicketResourceModel"),
];

/// The contract (Autotask's published Swagger 2.0 description), vendored
/// into `tests/standin/contract/` so the stand-in builds from the repository
/// alone (a checkout or worktree without the shared folder beside it).
const CONTRACT: &str = include_str!("../contract/autotask-rest-v1.0.swagger.json");

/// A field's type as `entityInformation/fields` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataType {
    Integer,
    Long,
    Double,
    Boolean,
    DateTime,
    String,
    Bytes,
    /// `userDefinedFields`: `[{name, value}]`.
    Udfs,
}

impl DataType {
    pub fn wire_name(self) -> &'static str {
        match self {
            DataType::Integer => "integer",
            DataType::Long => "long",
            DataType::Double => "double",
            DataType::Boolean => "boolean",
            DataType::DateTime => "datetime",
            DataType::String => "string",
            DataType::Bytes => "byte[]",
            DataType::Udfs => "userDefinedFields",
        }
    }
}

pub struct Field {
    /// The name on the wire (`queueID`).
    pub name: String,
    pub data_type: DataType,
    pub read_only: bool,
}

pub struct Model {
    pub fields: Vec<Field>,
    /// Lower-cased name → index in `fields`, for case-insensitive look-up.
    index: HashMap<String, usize>,
}

impl Model {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.index.get(&name.to_ascii_lowercase()).map(|&i| &self.fields[i])
    }
}

/// `QueueID` → `queueID`, `RMMDeviceAuditHostname` → `rmmDeviceAuditHostname`, `Id` → `id`.
pub fn camel(name: &str) -> String {
    let upper = name.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let keep = match upper {
        0 => 0,
        n if n == name.len() => n,
        1 => 1,
        // An acronym followed by a word: the acronym's last capital starts the word.
        n => n - 1,
    };
    let (head, tail) = name.split_at(keep.min(name.len()));
    format!("{}{tail}", head.to_ascii_lowercase())
}

fn data_type(property: &Value) -> Option<DataType> {
    let kind = property.get("type").and_then(Value::as_str);
    let format = property.get("format").and_then(Value::as_str);
    Some(match (kind?, format) {
        ("integer", Some("int64")) => DataType::Long,
        ("integer", _) => DataType::Integer,
        ("number", _) => DataType::Double,
        ("boolean", _) => DataType::Boolean,
        ("string", Some("date-time")) => DataType::DateTime,
        ("string", Some("byte")) => DataType::Bytes,
        ("string", _) => DataType::String,
        ("array", _) => DataType::Udfs,
        // `SoapParentPropertyId` and other references are not fields on the wire.
        _ => return None,
    })
}

fn models() -> &'static HashMap<&'static str, Model> {
    static MODELS: OnceLock<HashMap<&'static str, Model>> = OnceLock::new();
    MODELS.get_or_init(|| {
        // The file is part of the build; should it ever not parse, every
        // entity simply has no fields (and every filter is refused).
        let contract: Value = serde_json::from_str(CONTRACT).unwrap_or(Value::Null);
        ENTITIES
            .iter()
            .map(|(entity, model)| {
                let fields: Vec<Field> = contract["definitions"][*model]["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(key, property)| {
                        Some(Field {
                            name: camel(key),
                            data_type: data_type(property)?,
                            read_only: property.get("readOnly").and_then(Value::as_bool).unwrap_or(false),
                        })
                    })
                    .collect();
                let index = fields.iter().enumerate().map(|(i, f)| (f.name.to_ascii_lowercase(), i)).collect();
                (*entity, Model { fields, index })
            })
            .collect()
    })
}

/// The canonical name of an entity in a path (`tickets` → `Tickets`).
pub fn entity(name: &str) -> Option<&'static str> {
    ENTITIES.iter().map(|(entity, _)| *entity).find(|entity| entity.eq_ignore_ascii_case(name))
}

pub fn model(entity: &str) -> Option<&'static Model> {
    models().get(entity)
}

pub fn field(entity: &str, name: &str) -> Option<&'static Field> {
    model(entity)?.field(name)
}

pub fn known_field(entity: &str, name: &str) -> bool {
    field(entity, name).is_some()
}

/// The field whose value tells when a record last changed (the sync's watermark).
pub fn change_field(entity: &str) -> Option<&'static str> {
    match entity {
        "Tickets" | "TicketNotes" | "Companies" | "Contacts" => Some("lastActivityDate"),
        "TimeEntries" | "ServiceCalls" => Some("lastModifiedDateTime"),
        "ConfigurationItems" => Some("lastModifiedTime"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types_from_the_contract_in_wire_case() {
        assert_eq!(camel("QueueID"), "queueID");
        assert_eq!(camel("Id"), "id");
        assert_eq!(camel("RMMDeviceAuditHostname"), "rmmDeviceAuditHostname");
        assert_eq!(camel("ID"), "id");
        assert!(known_field("Tickets", "queueid"));
        assert!(known_field("Tickets", "externalID"));
        assert!(known_field("TicketNotes", "createDateTime"));
        assert!(known_field("ConfigurationItems", "lastModifiedTime"));
        assert!(!known_field("Tickets", "colour"));
        assert!(!known_field("Tickets", "soapParentPropertyId"));
        assert_eq!(field("Tickets", "id").map(|f| f.data_type), Some(DataType::Long));
        assert_eq!(field("Tickets", "status").map(|f| f.data_type), Some(DataType::Integer));
        assert_eq!(field("TimeEntries", "hoursWorked").map(|f| f.data_type), Some(DataType::Double));
        assert_eq!(field("Contacts", "isActive").map(|f| f.data_type), Some(DataType::Integer));
        assert_eq!(field("CompanyLocations", "isActive").map(|f| f.data_type), Some(DataType::Boolean));
        assert_eq!(field("Tickets", "createDate").map(|f| f.data_type), Some(DataType::DateTime));
        assert_eq!(entity("ticketnotes"), Some("TicketNotes"));
        for (entity, _) in ENTITIES {
            assert!(model(entity).is_some_and(|m| m.fields.len() > 3), "{entity} has its fields");
        }
    }
}
