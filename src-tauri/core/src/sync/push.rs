//! Pushing the outbox: in order, per record (a note waits for the ticket it
//! belongs to; a ticket's updates wait for its create). A create whose
//! answer was lost is looked up before it is tried again, so nothing is made
//! twice. A refusal stops that record's queue with the PSA's words; the
//! other records go on.
//!
//! Each entry goes out in two steps: [`resolve`] turns the local records it
//! names into PSA ids (here, the same for every PSA), then the connector
//! builds its request from them ([`Connector::build_push`]).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use uuid::Uuid;

use super::connector::{Connector, PushFailure, PushOp, Resolved, Scope};
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

/// The PSA ids of a list of local resources (those not in the PSA are left out).
fn resources_psa(c: &Connection, list: &Value) -> rusqlite::Result<Vec<i64>> {
    Ok(list
        .as_array()
        .into_iter()
        .flatten()
        .map(|id| psa_of(c, "resources", id))
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect())
}

/// Turns an entry's local references into PSA ids: the generic half of a
/// push (the connector builds the request from it). `NotReady::Waiting`
/// while a record it names has not reached the PSA.
fn resolve(c: &Connection, entry: &Entry) -> Result<Result<Resolved, NotReady>, SyncError> {
    let p = &entry.payload;
    let mut resolved = Resolved {
        key: entry.id,
        entity: entry.entity.clone(),
        operation: entry.operation.clone(),
        payload: p.clone(),
        ..Resolved::default()
    };
    match (entry.entity.as_str(), entry.operation.as_str()) {
        ("Ticket", "create") => {
            let company = match p.get("company") {
                Some(Value::Number(n)) => n.as_i64(),
                other => psa_of(c, "customers", other.unwrap_or(&Value::Null))?,
            };
            if company.is_none() {
                return Ok(Err(NotReady::Refused("The customer of this ticket is not in the PSA.".into())));
            }
            resolved.company = company;
            resolved.site = psa_of(c, "sites", &p["companyLocation"])?;
            resolved.contact = psa_of(c, "contacts", &p["contact"])?;
            resolved.device = psa_of(c, "devices", &p["configurationItem"])?;
            resolved.resource = psa_of(c, "resources", &p["assignedResource"])?;
            if resolved.resource.is_some() {
                resolved.role = role_of(c, &p["assignedResource"])?;
            }
            resolved.secondary_resources = resources_psa(c, &p["secondaryResources"])?;
        }
        ("Ticket", "update") => {
            let Some(ticket) = ticket_psa(c, &p["ticket"])? else { return Ok(Err(NotReady::Waiting)) };
            (resolved.ticket, resolved.target) = (Some(ticket), Some(ticket));
            if let Some(resource) = p.get("assignedResource") {
                resolved.resource = psa_of(c, "resources", resource)?;
                if resolved.resource.is_none() {
                    return Ok(Err(NotReady::Refused("That person is not in the PSA.".into())));
                }
                resolved.role = role_of(c, resource)?;
            }
        }
        ("TicketSecondaryResource", "create") => {
            let Some(ticket) = ticket_psa(c, &p["ticket"])? else { return Ok(Err(NotReady::Waiting)) };
            (resolved.ticket, resolved.target) = (Some(ticket), Some(ticket));
            resolved.resource = psa_of(c, "resources", &p["resource"])?;
            if resolved.resource.is_none() {
                return Ok(Err(NotReady::Refused("That person is not in the PSA.".into())));
            }
            resolved.role = role_of(c, &p["resource"])?;
        }
        ("TicketNote", "create") => {
            let Some(ticket) = ticket_psa(c, &p["ticket"])? else { return Ok(Err(NotReady::Waiting)) };
            (resolved.ticket, resolved.target) = (Some(ticket), Some(ticket));
            resolved.note_type = p["noteType"].as_i64().or(c
                .query_row(
                    "SELECT value FROM picklist_values WHERE kind = 'note_type' ORDER BY sort_order LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?);
        }
        ("TimeEntry", operation) => {
            let ticket = match need(ticket_psa(c, &p["ticket"])?) {
                Ok(ticket) => ticket,
                Err(wait) => return Ok(Err(wait)),
            };
            resolved.ticket = Some(ticket);
            resolved.resource = psa_of(c, "resources", &p["resource"])?;
            if resolved.resource.is_none() {
                return Ok(Err(NotReady::Refused(
                    "You are not linked to a PSA resource: choose who you are in Settings → Sync.".into(),
                )));
            }
            resolved.role = role_of(c, &p["resource"])?;
            if operation == "update" {
                let own: Option<i64> = c
                    .query_row("SELECT psa_id FROM time_entries WHERE id = ?1", [&entry.entity_id], |r| r.get(0))
                    .optional()?
                    .flatten();
                match own {
                    Some(own) => resolved.target = Some(own),
                    None => return Ok(Err(NotReady::Waiting)),
                }
            }
        }
        ("ServiceCall", "create") => {
            match need(psa_of(c, "customers", &p["company"])?) {
                Ok(company) => resolved.company = Some(company),
                Err(wait) => return Ok(Err(wait)),
            };
            for ticket in p["tickets"].as_array().into_iter().flatten() {
                match ticket_psa(c, ticket)? {
                    Some(psa) => resolved.tickets.push(psa),
                    None => return Ok(Err(NotReady::Waiting)),
                }
            }
            resolved.resources = resources_psa(c, &p["resources"])?;
            resolved.site = psa_of(c, "sites", &p["companyLocation"])?;
        }
        ("TicketAttachment", "create") => {
            let Some(ticket) = ticket_psa(c, &p["ticket"])? else { return Ok(Err(NotReady::Waiting)) };
            (resolved.ticket, resolved.target) = (Some(ticket), Some(ticket));
            // Exactly the recorded, signed bytes: never a new rendering.
            match crate::reports::recorded_by_sha(c, p["sha256"].as_str().unwrap_or_default())? {
                Some(bytes) => resolved.data = Some(bytes),
                None => {
                    let report =
                        Uuid::parse_str(&entry.entity_id).map_err(|_| SyncError::Malformed("report id".into()))?;
                    return Ok(Err(NotReady::Refused(format!(
                        "The signed PDF of report {report} is not recorded here; save its PDF again to send it."
                    ))));
                }
            }
        }
        ("TicketChecklistItem", "update") => {
            let Some(ticket) = ticket_psa(c, &p["ticket"])? else { return Ok(Err(NotReady::Waiting)) };
            resolved.ticket = Some(ticket);
            resolved.target = c
                .query_row("SELECT psa_id FROM checklist_items WHERE id = ?1", [&entry.entity_id], |r| {
                    r.get::<_, Option<i64>>(0)
                })
                .optional()?
                .flatten();
            if resolved.target.is_none() {
                return Ok(Err(NotReady::Refused("This checklist item is no longer in the PSA's checklist.".into())));
            }
            if p["isCompleted"].as_bool() == Some(true) {
                resolved.resource = psa_of(c, "resources", &p["completedBy"])?;
                if resolved.resource.is_none() {
                    return Ok(Err(NotReady::Refused(
                        "You are not linked to a PSA resource: choose who you are in Settings → Sync.".into(),
                    )));
                }
            }
        }
        (entity, operation) => {
            return Ok(Err(NotReady::Refused(format!("Fieldkit does not send a {operation} of {entity} yet."))))
        }
    }
    Ok(Ok(resolved))
}

/// Turns an entry into the connector's operation: PSA ids first, then the
/// connector's request (which may refuse it).
fn prepare<C: Connector>(db: &Db, connector: &C, entry: &Entry) -> Result<Result<PushOp, NotReady>, SyncError> {
    Ok(match db.read(|c| resolve(c, entry))? {
        Ok(resolved) => connector.build_push(resolved).map_err(NotReady::Refused),
        Err(not_ready) => Err(not_ready),
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
             WHERE seq >= ?1 AND state IN ('pending', 'failed') AND entity <> ?2 ORDER BY seq",
        )?;
        // Slack messages go to the team's webhook (`team::send_slack_messages`), not to the PSA.
        let rows = statement.query_map(params![floor, crate::team::SLACK_ENTITY], |r| {
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
                for (name, value) in [
                    ("status", op.body.get("status")),
                    ("assignedResource", entry.payload.get("assignedResource")),
                    ("priority", entry.payload.get("priority")),
                    ("queueID", entry.payload.get("queueID")),
                ] {
                    if let Some(value) = value {
                        super::conflicts::agree(tx, row, name, value)?;
                    }
                }
            }
        }
        Ok(())
    })
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
        let op = match prepare(db, connector, entry)? {
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
            outcome = connector.push_links(&op, psa, scope).await.map(|_| psa);
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
                 (SELECT coalesce(min(seq), (SELECT coalesce(max(seq), 0) + 1 FROM outbox)) FROM outbox
                  WHERE state IN ('pending', 'failed') AND entity <> ?1))
             ON CONFLICT (entity) DO UPDATE SET watermark = excluded.watermark",
            [crate::team::SLACK_ENTITY],
        )
    })?;
    Ok(())
}

/// Puts a failed entry (and so its record's queue) back in line.
pub fn retry_operation(db: &Db, seq: i64) -> Result<(), SyncError> {
    db.write(|tx| {
        tx.execute("UPDATE outbox SET state = 'pending' WHERE seq = ?1 AND state = 'failed'", [seq])?;
        // A Slack message refused by Slack goes back in line with it.
        tx.execute(
            "UPDATE slack_messages SET state = 'pending', last_error = NULL
             WHERE state = 'failed' AND id = (SELECT entity_id FROM outbox WHERE seq = ?1 AND entity = ?2)",
            params![seq, crate::team::SLACK_ENTITY],
        )?;
        tx.execute(
            "UPDATE sync_watermarks SET watermark = min(CAST(watermark AS INTEGER), ?1) WHERE entity = 'outbox'",
            [seq],
        )?;
        Ok::<_, rusqlite::Error>(())
    })?;
    Ok(())
}
