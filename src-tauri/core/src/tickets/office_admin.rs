//! Filling in for the office admin: a new ticket from a phone call or an
//! e-mail, created offline with its outbox entry (through `raise.rs`'s
//! ticket-creation path), and the contact's open tickets shown first so a
//! duplicate is noticed before it is made.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::raise::{create_ticket, local_number, required_value};
use super::store::{summary_from_row, NewTicket, SUMMARY_SELECT};
use super::{TicketError, TicketSummary};
use crate::db::Db;
use crate::picklists::{meaning, PicklistKind};
use crate::settings::read_settings;
use crate::validation::{FieldErrors, Invalid};

const MAX_TITLE_CHARS: usize = 255;
const MAX_DESCRIPTION_CHARS: usize = 8000;

/// How the request reached the office: Autotask's source picklist values
/// labelled "Phone" and "Email".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CallSource {
    Phone,
    Email,
}

impl CallSource {
    fn labels(self) -> &'static [&'static str] {
        match self {
            CallSource::Phone => &["phone", "phone call"],
            CallSource::Email => &["email", "e-mail"],
        }
    }
}

/// The "new ticket from a call or an e-mail" form. Picklist values are the
/// PSA's numbers; `None` takes the tenant's default (priority medium, no
/// queue, no issue type).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CallTicketDraft {
    pub customer_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub priority: Option<i64>,
    pub queue: Option<i64>,
    pub issue_type: Option<i64>,
    pub source: CallSource,
}

/// Creates the ticket, unassigned (it lands in the office admin's view for
/// triage), with its outbox `Ticket` create in the same transaction.
pub fn log_call_ticket(db: &Db, draft: &CallTicketDraft, now: DateTime<Utc>) -> Result<Uuid, TicketError> {
    let mut errors = FieldErrors::default();
    if draft.customer_id.is_none() {
        errors.add("customer_id", "Choose the customer who called or wrote.");
    }
    let title = errors.text("title", &draft.title, true, MAX_TITLE_CHARS);
    let description = errors.text("description", &draft.description, false, MAX_DESCRIPTION_CHARS);
    errors.into_result().map_err(TicketError::Invalid)?;
    let customer_id = draft.customer_id.unwrap_or_default();
    db.write(|tx| {
        let mut errors = FieldErrors::default();
        let known: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)", [customer_id.to_string()], |r| {
                r.get(0)
            })?;
        if !known {
            errors.add("customer_id", "That customer is not in the cache.");
        }
        if let Some(contact) = draft.contact_id {
            let owner: Option<String> = tx
                .query_row("SELECT customer_id FROM contacts WHERE id = ?1", [contact.to_string()], |r| r.get(0))
                .optional()?;
            match owner {
                None => errors.add("contact_id", "That contact is not in the cache."),
                Some(owner) if owner != customer_id.to_string() => {
                    errors.add("contact_id", "That contact belongs to another customer.")
                }
                Some(_) => {}
            }
        }
        for (field, kind, value) in [
            ("priority", PicklistKind::Priority, draft.priority),
            ("queue", PicklistKind::Queue, draft.queue),
            ("issue_type", PicklistKind::IssueType, draft.issue_type),
        ] {
            if let Some(value) = value {
                if !picklist_has(tx, kind, value)? {
                    errors.add(field, "Choose a value from the list.");
                }
            }
        }
        let source = source_value(tx, draft.source)?;
        if source.is_none() {
            errors.add("source", "The PSA's source list has no such value: sync the picklists first.");
        }
        errors.into_result().map_err(TicketError::from_fields)?;
        let priority = match draft.priority {
            Some(value) => value,
            None => required_value(tx, PicklistKind::Priority, meaning::PRIORITY_MEDIUM)?,
        };
        let via = match draft.source {
            CallSource::Phone => "phone call",
            CallSource::Email => "e-mail",
        };
        let id = Uuid::new_v4();
        let ticket = NewTicket {
            id,
            psa_id: None,
            number: local_number(tx, now)?,
            title,
            description,
            status: required_value(tx, PicklistKind::Status, meaning::STATUS_NEW)?,
            priority,
            queue: draft.queue,
            issue_type: draft.issue_type,
            source,
            customer_id,
            site_id: None,
            contact_id: draft.contact_id,
            device_id: None,
            primary_resource_id: None,
            // No one yet: triage in the office admin's view assigns it.
            secondary_resource_ids: Vec::new(),
            due_at: None,
            created_at: now,
            last_activity_at: now,
            last_customer_visible_at: None,
            first_response_at: None,
            completed_at: None,
            noticed_on_row: None,
        };
        create_ticket(tx, &ticket, format!("New ticket (from a {via}): {}", ticket.title), now)?;
        Ok(id)
    })
}

/// The contact's open tickets, newest first: shown at the top of the form
/// so a second ticket for the same problem is not made.
pub fn contact_open_tickets(db: &Db, contact_id: Uuid, now: DateTime<Utc>) -> Result<Vec<TicketSummary>, TicketError> {
    db.read(|connection| {
        let settings = read_settings(connection)?;
        let mut statement = connection.prepare_cached(&format!(
            "{SUMMARY_SELECT} WHERE t.contact_id = ?1 AND t.completed_at IS NULL
             ORDER BY t.last_activity_at DESC LIMIT 20"
        ))?;
        let rows = statement
            .query_map([contact_id.to_string()], |row| summary_from_row(row, &settings, now))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok::<_, TicketError>(rows)
    })
}

fn picklist_has(connection: &Connection, kind: PicklistKind, value: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM picklist_values WHERE kind = ?1 AND value = ?2)",
        rusqlite::params![kind.as_str(), value],
        |r| r.get(0),
    )
}

fn source_value(tx: &Transaction<'_>, source: CallSource) -> rusqlite::Result<Option<i64>> {
    for label in source.labels() {
        let found: Option<i64> = tx
            .query_row(
                "SELECT value FROM picklist_values WHERE kind = 'source' AND lower(trim(label)) = ?1 LIMIT 1",
                [label],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}
