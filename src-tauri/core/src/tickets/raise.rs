//! Tickets raised from the field: an issue noticed while working on another
//! ticket, and discrepancy reports for the senior technician.

use crate::validation::Invalid;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;
use uuid::Uuid;

use super::actions::write_note;
use super::search_index::reindex_ticket;
use super::store::{insert_ticket, ticket_key, NewTicket};
use super::{DiscrepancyDraft, NoticedTicketDraft, TicketError};
use crate::db::Db;
use crate::outbox::{enqueue, Change};
use crate::picklists::{self, meaning, PicklistKind};
use crate::settings::read_settings;
use crate::validation::FieldErrors;

/// What does not conform to policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DiscrepancyKind {
    EndUserWithAdminRights,
    ManagedMachineWithoutRmmAgent,
    MissingChecklistItem,
    SecurityPolicyNotFollowed,
    DocumentationDisagreesWithPractice,
    Other,
}

impl DiscrepancyKind {
    pub fn label(self) -> &'static str {
        match self {
            DiscrepancyKind::EndUserWithAdminRights => "End user with admin privileges",
            DiscrepancyKind::ManagedMachineWithoutRmmAgent => "Managed machine without the RMM agent",
            DiscrepancyKind::MissingChecklistItem => "Missing checklist item",
            DiscrepancyKind::SecurityPolicyNotFollowed => "Security policy not followed",
            DiscrepancyKind::DocumentationDisagreesWithPractice => "Documentation disagrees with practice",
            DiscrepancyKind::Other => "Other discrepancy",
        }
    }
}

const MAX_TITLE_CHARS: usize = 255;
const MAX_DESCRIPTION_CHARS: usize = 8000;

/// Creates a ticket for something noticed while working on `draft.noticed_on`.
/// The office admin is always a secondary resource; I am primary if I can
/// handle it, otherwise a note asks the office admin to schedule a more
/// senior technician (and says whether I would like to shadow).
pub fn raise_noticed_ticket(db: &Db, draft: &NoticedTicketDraft, now: DateTime<Utc>) -> Result<Uuid, TicketError> {
    let mut errors = FieldErrors::default();
    let title = errors.text("title", &draft.title, true, MAX_TITLE_CHARS);
    let description = errors.text("description", &draft.description, false, MAX_DESCRIPTION_CHARS);
    errors.into_result().map_err(TicketError::Invalid)?;
    db.write(|tx| {
        let (origin_row, origin_number) = ticket_key(tx, draft.noticed_on)?;
        let settings = read_settings(tx)?;
        let me = settings.me.ok_or_else(|| TicketError::NotPossible("Choose who you are in Settings first.".into()))?;
        let office_admin = first_with_role(tx, "office_admin")?
            .ok_or_else(|| TicketError::NotPossible("There is no office admin in the team list.".into()))?;
        let (customer_id, site_id, contact_id, device_id): (String, Option<String>, Option<String>, Option<String>) =
            tx.query_row(
                "SELECT customer_id, site_id, contact_id, device_id FROM tickets WHERE row = ?1",
                [origin_row],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let parse = |text: Option<String>| text.and_then(|t| Uuid::parse_str(&t).ok());
        let id = Uuid::new_v4();
        let ticket = NewTicket {
            id,
            psa_id: None,
            number: local_number(tx, now)?,
            title,
            description: if description.is_empty() {
                format!("Noticed while working on {origin_number}.")
            } else {
                format!("{description}\n\nNoticed while working on {origin_number}.")
            },
            status: required_value(tx, PicklistKind::Status, meaning::STATUS_NEW)?,
            priority: required_value(tx, PicklistKind::Priority, meaning::PRIORITY_MEDIUM)?,
            queue: picklists::value_with_meaning(tx, PicklistKind::Queue, meaning::QUEUE_TECHNICIANS)?,
            issue_type: None,
            source: picklists::value_with_meaning(tx, PicklistKind::Source, meaning::SOURCE_FIELD)?,
            customer_id: Uuid::parse_str(&customer_id).unwrap_or_default(),
            site_id: parse(site_id),
            contact_id: parse(contact_id),
            device_id: parse(device_id),
            primary_resource_id: draft.i_can_handle_it.then_some(me),
            secondary_resource_ids: vec![office_admin],
            due_at: None,
            created_at: now,
            last_activity_at: now,
            last_customer_visible_at: None,
            first_response_at: None,
            completed_at: None,
            noticed_on_row: Some(origin_row),
        };
        create_ticket(tx, &ticket, format!("New ticket (noticed on {origin_number}): {}", ticket.title), now)?;
        if !draft.i_can_handle_it {
            let mut body = format!(
                "Noticed while working on {origin_number}. I cannot handle this one myself: \
                 please schedule a more senior technician."
            );
            if draft.i_would_like_to_shadow {
                body.push_str(" I'd like to shadow.");
            }
            write_note(tx, id, &body, false, now)?;
        }
        Ok(id)
    })
}

/// Sends a high-priority discrepancy ticket to the senior technician.
pub fn file_discrepancy_report(db: &Db, draft: &DiscrepancyDraft, now: DateTime<Utc>) -> Result<Uuid, TicketError> {
    let mut errors = FieldErrors::default();
    let description = errors.text("description", &draft.description, true, MAX_DESCRIPTION_CHARS);
    errors.into_result().map_err(TicketError::Invalid)?;
    db.write(|tx| {
        let origin = match draft.noticed_on {
            Some(ticket) => Some(ticket_key(tx, ticket)?),
            None => None,
        };
        let origin_customer: Option<String> = match &origin {
            Some((row, _)) => tx.query_row("SELECT customer_id FROM tickets WHERE row = ?1", [row], |r| r.get(0))?,
            None => None,
        };
        let device: Option<(String, String)> = match draft.device_id {
            Some(device) => Some(
                tx.query_row("SELECT customer_id, name FROM devices WHERE id = ?1", [device.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?
                .ok_or_else(|| TicketError::invalid("device_id", "That device is not in the cache."))?,
            ),
            None => None,
        };
        let customer_id = draft
            .customer_id
            .map(|id| id.to_string())
            .or_else(|| device.as_ref().map(|(customer, _)| customer.clone()))
            .or(origin_customer)
            .ok_or_else(|| TicketError::invalid("customer_id", "Choose the customer this concerns."))?;
        let known: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)", [&customer_id], |r| r.get(0))?;
        if !known {
            return Err(TicketError::invalid("customer_id", "That customer is not in the cache."));
        }
        if let Some((device_customer, _)) = &device {
            if *device_customer != customer_id {
                return Err(TicketError::invalid("device_id", "That device belongs to another customer."));
            }
        }
        let senior = first_with_role(tx, "senior_technician")?
            .ok_or_else(|| TicketError::NotPossible("There is no senior technician in the team list.".into()))?;
        let me = read_settings(tx)?.me;
        let title = match &device {
            Some((_, name)) => format!("Discrepancy: {} ({name})", draft.kind.label()),
            None => format!("Discrepancy: {}", draft.kind.label()),
        };
        let id = Uuid::new_v4();
        let ticket = NewTicket {
            id,
            psa_id: None,
            number: local_number(tx, now)?,
            title,
            description: match &origin {
                Some((_, number)) => format!("{description}\n\nNoticed while working on {number}."),
                None => description,
            },
            status: required_value(tx, PicklistKind::Status, meaning::STATUS_NEW)?,
            priority: required_value(tx, PicklistKind::Priority, meaning::PRIORITY_HIGH)?,
            queue: None,
            issue_type: picklists::value_with_meaning(tx, PicklistKind::IssueType, meaning::ISSUE_TYPE_DISCREPANCY)?,
            source: picklists::value_with_meaning(tx, PicklistKind::Source, meaning::SOURCE_FIELD)?,
            customer_id: Uuid::parse_str(&customer_id).unwrap_or_default(),
            site_id: None,
            contact_id: None,
            device_id: draft.device_id,
            primary_resource_id: Some(senior),
            secondary_resource_ids: me.into_iter().filter(|me| *me != senior).collect(),
            due_at: None,
            created_at: now,
            last_activity_at: now,
            last_customer_visible_at: None,
            first_response_at: None,
            completed_at: None,
            noticed_on_row: origin.map(|(row, _)| row),
        };
        create_ticket(tx, &ticket, format!("Discrepancy report: {}", draft.kind.label()), now)?;
        Ok(id)
    })
}

pub(super) fn create_ticket(
    tx: &Transaction<'_>,
    ticket: &NewTicket,
    summary: String,
    now: DateTime<Utc>,
) -> Result<(), TicketError> {
    let row = insert_ticket(tx, ticket)?;
    reindex_ticket(tx, row, true)?;
    enqueue(
        tx,
        Change {
            entity: "Ticket",
            entity_id: ticket.id,
            operation: "create",
            summary,
            payload: json!({
                "title": ticket.title,
                "description": ticket.description,
                "status": ticket.status,
                "priority": ticket.priority,
                "queueID": ticket.queue,
                "issueType": ticket.issue_type,
                "source": ticket.source,
                "company": ticket.customer_id,
                "companyLocation": ticket.site_id,
                "contact": ticket.contact_id,
                "configurationItem": ticket.device_id,
                "assignedResource": ticket.primary_resource_id,
                "secondaryResources": ticket.secondary_resource_ids,
            }),
        },
        now,
    )?;
    Ok(())
}

fn first_with_role(tx: &Transaction<'_>, role: &str) -> rusqlite::Result<Option<Uuid>> {
    let id: Option<String> = tx
        .query_row(
            "SELECT id FROM resources WHERE role = ?1 AND is_active = 1 ORDER BY last_name, first_name LIMIT 1",
            [role],
            |r| r.get(0),
        )
        .optional()?;
    Ok(id.and_then(|text| Uuid::parse_str(&text).ok()))
}

pub(super) fn required_value(tx: &Transaction<'_>, kind: PicklistKind, wanted: &str) -> Result<i64, TicketError> {
    if let Some(value) = picklists::value_with_meaning(tx, kind, wanted)? {
        return Ok(value);
    }
    picklists::first_value(tx, kind)?.ok_or_else(|| {
        TicketError::NotPossible(format!("The {} list is empty: sync the picklists first.", kind.as_str()))
    })
}

/// A number for a ticket made here, until the PSA gives it its own: `T20261124.L001`.
pub(super) fn local_number(tx: &Transaction<'_>, now: DateTime<Utc>) -> rusqlite::Result<String> {
    let prefix = format!("T{}.L", now.format("%Y%m%d"));
    let taken: i64 =
        tx.query_row("SELECT count(*) FROM tickets WHERE number LIKE ?1 || '%'", [&prefix], |r| r.get(0))?;
    Ok(format!("{prefix}{:03}", taken + 1))
}
