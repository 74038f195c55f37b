//! `entityInformation`, `entityInformation/fields` and
//! `entityInformation/userDefinedFields`: what an entity can do, its fields
//! from the contract, and the picklists Autotask serves there (queues,
//! statuses, priorities, issue types, sources, note types are not entities).
//! The values are fieldkit-core's defaults, which are Autotask's stock ones.

use fieldkit_core::picklists::{default_picklists, PicklistKind};
use serde_json::{json, Value};

use crate::contract::{self, DataType};
use crate::writes;

/// One picklist value: (value, label, sort order, active).
type Choice = (i64, String, i64, bool);

fn from_core(kind: PicklistKind) -> Vec<Choice> {
    let mut values: Vec<Choice> = default_picklists()
        .into_iter()
        .filter(|v| v.kind == kind)
        .map(|v| (v.value, v.label, v.sort_order, v.is_active))
        .collect();
    values.sort_by_key(|(value, _, sort, _)| (*sort, *value));
    values
}

/// The picklist of a field, if it has one (an empty list is a picklist
/// this tenant has no values in: sub-issue types, which Fieldkit's stock
/// lists do not define).
pub fn picklist(entity: &str, field: &str) -> Option<Vec<Choice>> {
    let kind = match (entity, field.to_ascii_lowercase().as_str()) {
        ("Tickets", "status") => PicklistKind::Status,
        ("Tickets", "priority") => PicklistKind::Priority,
        ("Tickets", "queueid") => PicklistKind::Queue,
        ("Tickets", "issuetype") => PicklistKind::IssueType,
        ("Tickets", "source") => PicklistKind::Source,
        ("Tickets", "subissuetype") => return Some(Vec::new()),
        ("TicketNotes", "notetype") => PicklistKind::NoteType,
        // Autotask's publish values for notes: everyone, or the internal team only.
        ("TicketNotes", "publish") => {
            return Some(vec![(1, "All Autotask Users".into(), 1, true), (2, "Internal Project Team".into(), 2, true)])
        }
        _ => return None,
    };
    Some(from_core(kind))
}

/// Whether `value` is allowed in `field` (fields without a picklist take anything).
pub fn allows(entity: &str, field: &str, value: i64) -> bool {
    picklist(entity, field).is_none_or(|values| values.is_empty() || values.iter().any(|(v, ..)| *v == value))
}

/// The user-defined fields of an entity.
pub fn udfs(entity: &str) -> &'static [&'static str] {
    match entity {
        "Companies" => &["MSA"],
        _ => &[],
    }
}

/// Fields the stand-in sets itself; a client's value is ignored.
fn system_set(name: &str) -> bool {
    matches!(
        name,
        "id" | "ticketNumber"
            | "createDate"
            | "createDateTime"
            | "lastActivityDate"
            | "lastModifiedDateTime"
            | "lastModifiedTime"
            | "attachDate"
            | "fileSize"
    )
}

/// The entity a reference field points at, where the stand-in serves it.
fn reference(entity: &str, name: &str) -> Option<&'static str> {
    Some(match name {
        "companyID" => "Companies",
        "companyLocationID" => "CompanyLocations",
        "contactID" => "Contacts",
        "configurationItemID" => "ConfigurationItems",
        "ticketID" => "Tickets",
        "serviceCallID" => "ServiceCalls",
        "serviceCallTicketID" => "ServiceCallTickets",
        "parentID" if entity == "TicketAttachments" => "Tickets",
        "resourceID" | "assignedResourceID" | "creatorResourceID" | "completedByResourceID" => "Resources",
        _ => return None,
    })
}

pub fn fields(entity: &str) -> Value {
    let required = writes::required(entity);
    let fields: Vec<Value> = contract::model(entity)
        .map(|model| model.fields.iter().filter(|f| f.data_type != DataType::Udfs).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|field| {
            let name = field.name.as_str();
            let values = picklist(entity, name);
            let target = reference(entity, name);
            json!({
                "name": name,
                "dataType": field.data_type.wire_name(),
                "length": if field.data_type == DataType::String { 255 } else { 0 },
                "isRequired": required.contains(&name),
                "isReadOnly": field.read_only || system_set(name),
                "isQueryable": field.data_type != DataType::Bytes,
                "isReference": target.is_some(),
                "referenceEntityType": target.unwrap_or(""),
                "isPickList": values.is_some(),
                "picklistValues": values.map(|values| {
                    let default = values.first().map(|(value, ..)| *value);
                    values.into_iter().map(|(value, label, sort, active)| json!({
                        "value": value.to_string(), "label": label, "isDefaultValue": Some(value) == default,
                        "sortOrder": sort, "parentValue": "", "isActive": active, "isSystem": true,
                    })).collect::<Vec<_>>()
                }),
                "picklistParentValueField": if name == "subIssueType" { "issueType" } else { "" },
                "isSupportedWebhookField": false,
            })
        })
        .collect();
    json!({ "fields": fields })
}

pub fn user_defined_fields(entity: &str) -> Value {
    let fields: Vec<Value> = udfs(entity)
        .iter()
        .map(|name| {
            json!({
                "name": name, "label": name, "type": "string", "length": 3, "description": "Managed-services agreement: Yes or No.",
                "isRequired": false, "isReadOnly": false, "isQueryable": true, "isReference": false, "referenceEntityType": "",
                "isPickList": false, "picklistValues": null, "picklistParentValueField": "", "defaultValue": "No",
                "isSupportedWebhookField": false,
            })
        })
        .collect();
    json!({ "fields": fields })
}

pub fn info(entity: &str) -> Value {
    json!({ "info": {
        "name": entity,
        "canCreate": writes::can_create(entity),
        "canDelete": false,
        "canQuery": true,
        "canUpdate": writes::can_update(entity) || writes::can_update_under_parent(entity),
        "hasUserDefinedFields": !udfs(entity).is_empty(),
        "supportsWebhookCallouts": false,
        "userAccessForCreate": "All", "userAccessForDelete": "None", "userAccessForQuery": "All", "userAccessForUpdate": "All",
    }})
}
