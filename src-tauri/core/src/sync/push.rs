//! Pushing the outbox: in order, per record (a note waits for the ticket it
//! belongs to; a ticket's updates wait for its create). A create whose
//! answer was lost is looked up before it is tried again, so nothing is made
//! twice. A refusal stops that record's queue with the PSA's words; the
//! other records go on.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};
use uuid::Uuid;

use super::connector::{Connector, Kind, PushFailure, PushOp, Scope, Selection};
use super::record::int_field;
use super::{SyncError, SyncReport};
use crate::db::Db;

struct Entry {
    seq: i64,
    id: Uuid,
    entity: String,
    entity_id: String,
    operation: String,
    payload: Value,
    state: String,
    attempts: i64,
}

/// Why an entry cannot go yet.
enum NotReady {
    /// A record it refers to has not reached the PSA yet.
    Waiting,
    /// It can never go as it is.
    Refused(String),
}

fn uuid_text(value: &Value) -> Option<String> {
    value.as_str().filter(|text| Uuid::parse_str(text).is_ok()).map(String::from)
}

fn psa_of(connection: &Connection, table: &str, local: &Value) -> rusqlite::Result<Option<i64>> {
    let Some(id) = uuid_text(local) else { return Ok(None) };
    Ok(connection
        .query_row(&format!("SELECT psa_id FROM {table} WHERE id = ?1"), [id], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

/// The service desk role a resource works under (see migration 0008).
fn role_of(connection: &Connection, resource: &Value) -> rusqlite::Result<Option<i64>> {
    let Some(id) = uuid_text(resource) else { return Ok(None) };
    Ok(connection
        .query_row("SELECT psa_role_id FROM resources WHERE id = ?1", [id], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

const NO_ROLE: &str = "Autotask needs the service desk role of the person this is for, and it lists none for them: \
     give them a service desk role in Autotask, then retry.";

/// A ticket's PSA id: from the cache, or from the sent create of a ticket
/// that lives only in the outbox (a restock request).
fn ticket_psa(connection: &Connection, local: &Value) -> rusqlite::Result<Option<i64>> {
    if let Some(psa) = psa_of(connection, "tickets", local)? {
        return Ok(Some(psa));
    }
    let Some(id) = uuid_text(local) else { return Ok(None) };
    Ok(connection
        .query_row(
            "SELECT psa_id FROM outbox WHERE entity = 'Ticket' AND operation = 'create' AND entity_id = ?1 AND state = 'sent'",
            [id],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten())
}

/// The record an entry belongs to, for ordering: its ticket.
fn record_key(entry: &Entry) -> String {
    let ticket = |name: &str| entry.payload.get(name).and_then(uuid_text);
    match entry.entity.as_str() {
        "Ticket" => entry.entity_id.clone(),
        "ServiceCall" => {
            entry.payload.get("tickets").and_then(|t| t.get(0)).and_then(uuid_text).unwrap_or(entry.entity_id.clone())
        }
        _ => ticket("ticket").unwrap_or(entry.entity_id.clone()),
    }
}

fn need(value: Option<i64>) -> Result<i64, NotReady> {
    value.ok_or(NotReady::Waiting)
}

/// Turns an entry into an operation with PSA ids.
fn prepare(db: &Db, entry: &Entry) -> Result<Result<PushOp, NotReady>, SyncError> {
    let p = &entry.payload;
    db.read(|c| -> Result<Result<PushOp, NotReady>, SyncError> {
        let op = |target, body| PushOp {
            key: entry.id,
            entity: entry.entity.clone(),
            operation: entry.operation.clone(),
            target,
            body,
            data: None,
        };
        Ok(match (entry.entity.as_str(), entry.operation.as_str()) {
            ("Ticket", "create") => {
                let company = match p.get("company") {
                    Some(Value::Number(n)) => n.as_i64(),
                    other => psa_of(c, "customers", other.unwrap_or(&Value::Null))?,
                };
                let Some(company) = company else {
                    return Ok(Err(NotReady::Refused("The customer of this ticket is not in the PSA.".into())));
                };
                let mut body = json!({
                    "id": 0,
                    "title": p["title"], "description": p["description"],
                    "status": p["status"], "priority": p["priority"], "queueID": p["queueID"],
                    "issueType": p["issueType"], "source": p["source"],
                    "companyID": company,
                    "companyLocationID": psa_of(c, "sites", &p["companyLocation"])?,
                    "contactID": psa_of(c, "contacts", &p["contact"])?,
                    "configurationItemID": psa_of(c, "devices", &p["configurationItem"])?,
                    "assignedResourceID": psa_of(c, "resources", &p["assignedResource"])?,
                    // The outbox key lets a lost create be found again.
                    "externalID": entry.id.to_string(),
                });
                if !body["assignedResourceID"].is_null() {
                    match role_of(c, &p["assignedResource"])? {
                        Some(role) => body["assignedResourceRoleID"] = json!(role),
                        None => return Ok(Err(NotReady::Refused(NO_ROLE.into()))),
                    }
                }
                let secondary: Vec<i64> = p["secondaryResources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|id| psa_of(c, "resources", id))
                    .collect::<rusqlite::Result<Vec<_>>>()?
                    .into_iter()
                    .flatten()
                    .collect();
                body["secondaryResourceIDs"] = json!(secondary);
                Ok(op(None, body))
            }
            ("Ticket", "update") => match ticket_psa(c, &p["ticket"])? {
                None => Err(NotReady::Waiting),
                Some(ticket) => {
                    let mut body = json!({ "id": ticket });
                    if let Some(status) = p.get("status") {
                        body["status"] = status.clone();
                    }
                    if let Some(resource) = p.get("assignedResource") {
                        match psa_of(c, "resources", resource)? {
                            Some(psa) => body["assignedResourceID"] = json!(psa),
                            None => return Ok(Err(NotReady::Refused("That person is not in the PSA.".into()))),
                        }
                        match role_of(c, resource)? {
                            Some(role) => body["assignedResourceRoleID"] = json!(role),
                            None => return Ok(Err(NotReady::Refused(NO_ROLE.into()))),
                        }
                    }
                    Ok(op(Some(ticket), body))
                }
            },
            ("TicketNote", "create") => match ticket_psa(c, &p["ticket"])? {
                None => Err(NotReady::Waiting),
                Some(ticket) => {
                    let note_type = p["noteType"].as_i64().or(c
                        .query_row("SELECT value FROM picklist_values WHERE kind = 'note_type' ORDER BY sort_order LIMIT 1", [], |r| r.get(0))
                        .optional()?);
                    Ok(op(
                        Some(ticket),
                        json!({ "ticketID": ticket, "title": p["title"], "description": p["description"],
                                "noteType": note_type.unwrap_or(1), "publish": p["publish"].as_i64().unwrap_or(2) }),
                    ))
                }
            },
            ("TimeEntry", operation) => {
                let ticket = match need(ticket_psa(c, &p["ticket"])?) {
                    Ok(ticket) => ticket,
                    Err(wait) => return Ok(Err(wait)),
                };
                let resource = match psa_of(c, "resources", &p["resource"])? {
                    Some(resource) => resource,
                    None => return Ok(Err(NotReady::Refused("You are not linked to a PSA resource: choose who you are in Settings → Sync.".into()))),
                };
                let Some(role) = role_of(c, &p["resource"])? else {
                    return Ok(Err(NotReady::Refused(NO_ROLE.into())));
                };
                // The payload's `roleID` is the work type, Autotask's billing code.
                let mut body = json!({
                    "ticketID": ticket, "resourceID": resource, "roleID": role, "billingCodeID": p["roleID"],
                    "dateWorked": p["dateWorked"], "startDateTime": p["startDateTime"], "endDateTime": p["endDateTime"],
                    "hoursWorked": p["hoursWorked"], "summaryNotes": p["summaryNotes"], "internalNotes": p["internalNotes"],
                    "isNonBillable": p["isNonBillable"],
                });
                let mut target = None;
                if operation == "update" {
                    let own: Option<i64> = c
                        .query_row("SELECT psa_id FROM time_entries WHERE id = ?1", [&entry.entity_id], |r| r.get(0))
                        .optional()?
                        .flatten();
                    match own {
                        Some(own) => {
                            body["id"] = json!(own);
                            target = Some(own);
                        }
                        None => return Ok(Err(NotReady::Waiting)),
                    }
                }
                Ok(op(target, body))
            }
            ("ServiceCall", "create") => {
                let company = match need(psa_of(c, "customers", &p["company"])?) {
                    Ok(company) => company,
                    Err(wait) => return Ok(Err(wait)),
                };
                let mut tickets = Vec::new();
                for ticket in p["tickets"].as_array().into_iter().flatten() {
                    match ticket_psa(c, ticket)? {
                        Some(psa) => tickets.push(psa),
                        None => return Ok(Err(NotReady::Waiting)),
                    }
                }
                let resources: Vec<i64> = p["resources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|id| psa_of(c, "resources", id))
                    .collect::<rusqlite::Result<Vec<_>>>()?
                    .into_iter()
                    .flatten()
                    .collect();
                Ok(op(
                    None,
                    json!({ "id": 0, "companyID": company, "companyLocationID": psa_of(c, "sites", &p["companyLocation"])?,
                            "startDateTime": p["startDateTime"], "endDateTime": p["endDateTime"], "description": p["description"],
                            "status": 1, "ticketIDs": tickets, "resourceIDs": resources }),
                ))
            }
            ("TicketAttachment", "create") => match ticket_psa(c, &p["ticket"])? {
                None => Err(NotReady::Waiting),
                Some(ticket) => {
                    let mut attachment = op(
                        Some(ticket),
                        json!({ "id": 0, "parentID": ticket, "attachmentType": "FILE_ATTACHMENT", "fullPath": p["fullPath"],
                                "title": p["title"], "publish": p["publish"].as_i64().unwrap_or(1) }),
                    );
                    // Exactly the recorded, signed bytes: never a new rendering.
                    match crate::reports::recorded_by_sha(c, p["sha256"].as_str().unwrap_or_default())? {
                        Some(bytes) => attachment.data = Some(bytes),
                        None => {
                            let report = Uuid::parse_str(&entry.entity_id).map_err(|_| SyncError::Malformed("report id".into()))?;
                            return Ok(Err(NotReady::Refused(format!(
                                "The signed PDF of report {report} is not recorded here; save its PDF again to send it."
                            ))));
                        }
                    }
                    Ok(attachment)
                }
            },
            (entity, operation) => Err(NotReady::Refused(format!("Fieldkit does not send a {operation} of {entity} yet."))),
        })
    })
}

fn load(db: &Db) -> Result<Vec<Entry>, SyncError> {
    Ok(db.read(|c| {
        let floor: i64 = c
            .query_row("SELECT CAST(watermark AS INTEGER) FROM sync_watermarks WHERE entity = 'outbox'", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or(0);
        let mut statement = c.prepare(
            "SELECT seq, id, entity, entity_id, operation, payload, state, attempts FROM outbox
             WHERE seq >= ?1 AND state IN ('pending', 'failed') ORDER BY seq",
        )?;
        let rows = statement.query_map([floor], |r| {
            let payload: String = r.get(5)?;
            Ok(Entry {
                seq: r.get(0)?,
                id: crate::db::uuid_column(r, 1)?,
                entity: r.get(2)?,
                entity_id: r.get(3)?,
                operation: r.get(4)?,
                payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                state: r.get(6)?,
                attempts: r.get(7)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })?)
}

/// Marks the entry as being sent, committed before its request goes out: if
/// the answer is lost — or this process dies before it records the answer —
/// every later attempt (here or in the next process) looks the record up
/// before it sends again.
fn claim(db: &Db, seq: i64) -> Result<(), SyncError> {
    db.write(|tx| tx.execute("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?1", [seq]))?;
    Ok(())
}

fn note_attempt(db: &Db, seq: i64, state: &str, error: &str) -> Result<(), SyncError> {
    db.write(|tx| {
        tx.execute("UPDATE outbox SET state = ?2, last_error = ?3 WHERE seq = ?1", params![seq, state, error])
    })?;
    Ok(())
}

/// Records a success: the entry is sent, the local record learns its PSA id.
fn succeeded(db: &Db, entry: &Entry, op: &PushOp, psa: i64, now: DateTime<Utc>) -> Result<(), SyncError> {
    db.write(|tx| -> Result<(), SyncError> {
        tx.execute(
            "UPDATE outbox SET state = 'sent', psa_id = ?2, sent_at = ?3, last_error = NULL WHERE seq = ?1",
            params![entry.seq, psa, now],
        )?;
        let table = match (entry.entity.as_str(), entry.operation.as_str()) {
            ("Ticket", "create") => Some("tickets"),
            ("TicketNote", _) => Some("ticket_notes"),
            ("TimeEntry", "create") => Some("time_entries"),
            ("ServiceCall", _) => Some("appointments"),
            _ => None,
        };
        if let Some(table) = table {
            tx.execute(
                // OR IGNORE: a pull may already have adopted the record with this id.
                &format!("UPDATE OR IGNORE {table} SET psa_id = ?2 WHERE id = ?1 AND psa_id IS NULL"),
                params![entry.entity_id, psa],
            )?;
        }
        if entry.entity == "Ticket" && entry.operation == "update" {
            let row: Option<i64> =
                tx.query_row("SELECT row FROM tickets WHERE psa_id = ?1", [psa], |r| r.get(0)).optional()?;
            if let Some(row) = row {
                for (name, value) in
                    [("status", op.body.get("status")), ("assignedResource", entry.payload.get("assignedResource"))]
                {
                    if let Some(value) = value {
                        super::conflicts::agree(tx, row, name, value)?;
                    }
                }
            }
        }
        Ok(())
    })
}

/// Creates that come in several requests (a service call and its links):
/// each link is looked up before it is made, so a retry never doubles one.
async fn push_children<C: Connector>(
    connector: &C,
    op: &PushOp,
    parent: i64,
    scope: &Scope,
) -> Result<(), PushFailure> {
    let child = |entity: &str, body: Value| PushOp {
        key: op.key,
        entity: entity.into(),
        operation: "create".into(),
        target: Some(parent),
        body,
        data: None,
    };
    let ensure = async |link: PushOp| -> Result<i64, PushFailure> {
        if let Some(found) = connector.find_created(&link).await.map_err(|e| PushFailure::Transient(e.to_string()))? {
            return Ok(found);
        }
        connector.push(&link).await
    };
    match op.entity.as_str() {
        "ServiceCall" => {
            for ticket in op.body["ticketIDs"].as_array().into_iter().flatten() {
                let link =
                    ensure(child("ServiceCallTicket", json!({ "id": 0, "serviceCallID": parent, "ticketID": ticket })))
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
            let _ = scope;
            for resource in op.body["secondaryResourceIDs"].as_array().into_iter().flatten() {
                let link =
                    child("TicketSecondaryResource", json!({ "id": 0, "ticketID": parent, "resourceID": resource }));
                let exists = connector
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
                    .any(|record| int_field(record, "resourceID") == resource.as_i64());
                if !exists {
                    connector.push(&link).await?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Sends what is ready, in order. Stops early when the PSA cannot be reached.
pub(crate) async fn push_outbox<C: Connector>(
    db: &Db,
    connector: &C,
    scope: &Scope,
    now: DateTime<Utc>,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let entries = load(db)?;
    let conflicted: HashSet<String> = db.read(|c| {
        c.prepare("SELECT t.id FROM sync_conflicts s JOIN tickets t ON t.row = s.ticket_row")?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<HashSet<_>>>()
    })?;
    let mut blocked: HashSet<String> = HashSet::new();
    let mut unanswered = 0;
    for entry in &entries {
        let key = record_key(entry);
        if entry.state == "failed" || blocked.contains(&key) {
            blocked.insert(key);
            continue;
        }
        if entry.entity == "Ticket" && entry.operation == "update" && conflicted.contains(&entry.entity_id) {
            blocked.insert(key);
            report.waiting += 1;
            continue;
        }
        let op = match prepare(db, entry)? {
            Ok(op) => op,
            Err(NotReady::Waiting) => {
                blocked.insert(key);
                report.waiting += 1;
                continue;
            }
            Err(NotReady::Refused(message)) => {
                note_attempt(db, entry.seq, "failed", &message)?;
                blocked.insert(key);
                report.failed += 1;
                continue;
            }
        };
        // Up to three tries here: a lost answer is looked up before the next.
        let mut outcome = Err(PushFailure::Transient("not tried".into()));
        let mut may_exist = entry.attempts > 0 && op.operation == "create";
        claim(db, entry.seq)?;
        for _ in 0..3 {
            if may_exist {
                match connector.find_created(&op).await {
                    Ok(Some(found)) => {
                        outcome = Ok(found);
                        break;
                    }
                    Ok(None) => {}
                    Err(error) => {
                        outcome = Err(PushFailure::Transient(error.to_string()));
                        break;
                    }
                }
            }
            outcome = connector.push(&op).await;
            match &outcome {
                Err(PushFailure::Unknown(_)) => may_exist = op.operation == "create",
                _ => break,
            }
        }
        if let Ok(psa) = outcome {
            outcome = push_children(connector, &op, psa, scope).await.map(|_| psa);
        }
        match outcome {
            Ok(psa) => {
                succeeded(db, entry, &op, psa, now)?;
                report.pushed += 1;
                if entry.entity == "Ticket" && entry.operation == "create" {
                    report.created_tickets.push(psa);
                }
            }
            Err(PushFailure::Rejected(message)) => {
                note_attempt(db, entry.seq, "failed", &message)?;
                blocked.insert(key);
                report.failed += 1;
            }
            Err(PushFailure::Unknown(message) | PushFailure::Transient(message)) => {
                note_attempt(db, entry.seq, "pending", &message)?;
                report.waiting += 1;
                blocked.insert(key);
                unanswered += 1;
                // Several in a row: the PSA is not answering; the rest waits for the next cycle.
                if unanswered >= 3 {
                    return Err(SyncError::Unreachable(message));
                }
                continue;
            }
        }
        unanswered = 0;
    }
    // Everything before the first unsent entry is done: start there next time.
    db.write(|tx| {
        tx.execute(
            "INSERT INTO sync_watermarks (entity, watermark) VALUES ('outbox',
                 (SELECT coalesce(min(seq), (SELECT coalesce(max(seq), 0) + 1 FROM outbox)) FROM outbox WHERE state IN ('pending', 'failed')))
             ON CONFLICT (entity) DO UPDATE SET watermark = excluded.watermark",
            [],
        )
    })?;
    Ok(())
}

/// Puts a failed entry (and so its record's queue) back in line.
pub fn retry_operation(db: &Db, seq: i64) -> Result<(), SyncError> {
    db.write(|tx| {
        tx.execute("UPDATE outbox SET state = 'pending' WHERE seq = ?1 AND state = 'failed'", [seq])?;
        tx.execute(
            "UPDATE sync_watermarks SET watermark = min(CAST(watermark AS INTEGER), ?1) WHERE entity = 'outbox'",
            [seq],
        )?;
        Ok::<_, rusqlite::Error>(())
    })?;
    Ok(())
}
