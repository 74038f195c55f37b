//! `entityInformation/fields`: each entity's fields from the contract, with
//! the picklists Autotask serves there (Fieldkit's defaults are Autotask's
//! stock values).

use fieldkit_core::picklists::{default_picklists, PicklistKind};
use serde_json::{json, Value};

fn picklist(entity: &str, field: &str) -> Option<Vec<(i64, String, i64)>> {
    let kind = match (entity, field.to_ascii_lowercase().as_str()) {
        ("Tickets", "status") => PicklistKind::Status,
        ("Tickets", "priority") => PicklistKind::Priority,
        ("Tickets", "queueid") => PicklistKind::Queue,
        ("Tickets", "issuetype") => PicklistKind::IssueType,
        ("Tickets", "source") => PicklistKind::Source,
        ("TicketNotes", "notetype") => PicklistKind::NoteType,
        ("TicketNotes", "publish") => {
            return Some(vec![(1, "All Autotask Users".into(), 1), (2, "Internal Project Team".into(), 2)])
        }
        _ => return None,
    };
    Some(default_picklists().into_iter().filter(|v| v.kind == kind).map(|v| (v.value, v.label, v.sort_order)).collect())
}

pub fn is_value(entity: &str, field: &str, value: i64) -> bool {
    picklist(entity, field).is_none_or(|values| values.iter().any(|(v, _, _)| *v == value))
}

pub fn fields(entity: &str) -> Value {
    let names = &crate::store::fields()[entity].0;
    let fields: Vec<Value> = names
        .iter()
        .map(|name| {
            let values = picklist(entity, name);
            json!({
                "name": name,
                "dataType": if name == "id" || name.ends_with("ID") { "long" } else { "string" },
                "isPickList": values.is_some(),
                "isRequired": matches!(name.as_str(), "title" | "status" | "priority" | "companyID"),
                "isReadOnly": name == "id",
                "isQueryable": true,
                "picklistValues": values.map(|values| values.into_iter().enumerate().map(|(i, (value, label, sort))| json!({
                    "value": value.to_string(), "label": label, "isDefaultValue": i == 0, "sortOrder": sort,
                    "parentValue": "", "isActive": true, "isSystem": true,
                })).collect::<Vec<_>>()),
            })
        })
        .collect();
    json!({ "fields": fields })
}
