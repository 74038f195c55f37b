//! The Autotask body of each pushed operation, from an outbox entry whose
//! local records are already PSA ids ([`Resolved`]). Autotask wants the
//! service desk role of the person a time entry or a primary resource is for.

use serde_json::json;

use crate::sync::connector::{PushOp, Resolved};

const NO_ROLE: &str = "Autotask needs the service desk role of the person this is for, and it lists none for them: \
     give them a service desk role in Autotask, then retry.";

/// The operation Autotask is sent; `Err` is a refusal for the technician.
pub(super) fn push_op(resolved: Resolved) -> Result<PushOp, String> {
    let r = &resolved;
    let p = &r.payload;
    let body = match (r.entity.as_str(), r.operation.as_str()) {
        ("Ticket", "create") => {
            let mut body = json!({
                "id": 0,
                "title": p["title"], "description": p["description"],
                "status": p["status"], "priority": p["priority"], "queueID": p["queueID"],
                "issueType": p["issueType"], "source": p["source"],
                "companyID": r.company,
                "companyLocationID": r.site,
                "contactID": r.contact,
                "configurationItemID": r.device,
                "assignedResourceID": r.resource,
                // The outbox key lets a lost create be found again.
                "externalID": r.key.to_string(),
            });
            if r.resource.is_some() {
                body["assignedResourceRoleID"] = json!(r.role.ok_or(NO_ROLE)?);
            }
            body["secondaryResourceIDs"] = json!(r.secondary_resources);
            body
        }
        ("Ticket", "update") => {
            let mut body = json!({ "id": r.ticket });
            if let Some(status) = p.get("status") {
                body["status"] = status.clone();
            }
            for name in ["priority", "queueID"] {
                if let Some(value) = p.get(name) {
                    body[name] = value.clone();
                }
            }
            if p.get("assignedResource").is_some() {
                body["assignedResourceID"] = json!(r.resource);
                body["assignedResourceRoleID"] = json!(r.role.ok_or(NO_ROLE)?);
            }
            body
        }
        ("TicketSecondaryResource", "create") => json!({
            "id": 0, "ticketID": r.ticket, "resourceID": r.resource, "roleID": r.role,
        }),
        ("TicketNote", "create") => json!({
            "ticketID": r.ticket, "title": p["title"], "description": p["description"],
            "noteType": r.note_type.unwrap_or(1), "publish": p["publish"].as_i64().unwrap_or(2),
        }),
        ("TimeEntry", operation) => {
            let role = r.role.ok_or(NO_ROLE)?;
            // The payload's `roleID` is the work type, Autotask's billing code.
            let mut body = json!({
                "ticketID": r.ticket, "resourceID": r.resource, "roleID": role, "billingCodeID": p["roleID"],
                "dateWorked": p["dateWorked"], "startDateTime": p["startDateTime"], "endDateTime": p["endDateTime"],
                "hoursWorked": p["hoursWorked"], "summaryNotes": p["summaryNotes"], "internalNotes": p["internalNotes"],
                "isNonBillable": p["isNonBillable"],
            });
            if operation == "update" {
                body["id"] = json!(r.target);
            }
            body
        }
        ("ServiceCall", "create") => json!({
            "id": 0, "companyID": r.company, "companyLocationID": r.site,
            "startDateTime": p["startDateTime"], "endDateTime": p["endDateTime"], "description": p["description"],
            "status": 1, "ticketIDs": r.tickets, "resourceIDs": r.resources,
        }),
        ("TicketChecklistItem", "update") => json!({
            "id": r.target, "ticketID": r.ticket, "isCompleted": p["isCompleted"],
            "completedByResourceID": r.resource, "completedDateTime": p["completedDateTime"],
        }),
        ("TicketAttachment", "create") => json!({
            "id": 0, "parentID": r.ticket, "attachmentType": "FILE_ATTACHMENT", "fullPath": p["fullPath"],
            "title": p["title"], "publish": p["publish"].as_i64().unwrap_or(1),
        }),
        (entity, operation) => return Err(format!("Fieldkit does not send a {operation} of {entity} yet.")),
    };
    Ok(PushOp {
        key: resolved.key,
        entity: resolved.entity.clone(),
        operation: resolved.operation.clone(),
        target: resolved.target,
        body,
        data: resolved.data,
    })
}
