//! What the technician does to a ticket in the field. Each action is one
//! transaction that changes the cache, refreshes the search document and
//! appends its outbox entry (shaped after Autotask's API) for the sync.

use crate::validation::Invalid;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;
use uuid::Uuid;

use super::store::{insert_note, ticket_key, NewNote};
use super::{AppointmentDraft, NoteDraft, TicketError};
use crate::db::Db;
use crate::outbox::{enqueue, Change};
use crate::picklists::{self, meaning, PicklistKind};
use crate::settings::read_settings;
use crate::validation::FieldErrors;

/// Notes may be long (logs pasted from a server), but not unbounded.
pub(crate) const MAX_NOTE_CHARS: usize = 2_000_000;

/// Adds a note (internal, or visible to the customer) as me.
/// Returns the new note's id; the detail page reads the ticket again.
pub fn add_note(db: &Db, draft: &NoteDraft, now: DateTime<Utc>) -> Result<Uuid, TicketError> {
    let mut errors = FieldErrors::default();
    let body = errors.text("body", &draft.body, true, MAX_NOTE_CHARS);
    errors.into_result().map_err(TicketError::Invalid)?;
    db.write(|tx| write_note(tx, draft.ticket_id, &body, draft.is_customer_visible, now))
}

/// Writes a note of mine with its outbox entry, inside `tx`.
pub(crate) fn write_note(
    tx: &Transaction<'_>,
    ticket_id: Uuid,
    body: &str,
    is_customer_visible: bool,
    now: DateTime<Utc>,
) -> Result<Uuid, TicketError> {
    // The ticket, me, my name and the default note type in one look-up: this
    // is the durable path the benchmark measures (elsewhere "me" is read
    // with `settings::my_resource`, the same join).
    #[allow(clippy::type_complexity)]
    let (row, number, note_type, me, author_name): (i64, String, Option<i64>, Option<String>, Option<String>) = tx
        .prepare_cached(
            "SELECT t.row, t.number,
                    (SELECT value FROM picklist_values WHERE kind = 'note_type' AND is_active = 1
                     ORDER BY sort_order, value LIMIT 1),
                    r.id, r.first_name || ' ' || r.last_name
             FROM tickets t
             LEFT JOIN settings s ON s.key = 'me'
             LEFT JOIN resources r ON r.id = s.value
             WHERE t.id = ?1",
        )?
        .query_row([ticket_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?
        .ok_or(TicketError::NotFound(ticket_id))?;
    let author_resource_id = me.and_then(|id| Uuid::parse_str(&id).ok());
    let author_name = author_name.unwrap_or_default();
    let id = Uuid::new_v4();
    let title = note_title(body);
    insert_note(
        tx,
        &NewNote {
            id,
            psa_id: None,
            ticket_row: row,
            note_type,
            title: &title,
            body,
            is_customer_visible,
            from_customer: false,
            author_resource_id,
            author_name: &author_name,
            created_at: now,
        },
    )?;
    // The response clock stops at the first customer-visible update; the
    // ticket's last activity and search document follow in `catch_up`.
    if is_customer_visible {
        tx.prepare_cached(
            "UPDATE tickets SET last_activity_at = ?2, last_customer_visible_at = ?2,
                 first_response_at = coalesce(first_response_at, ?2) WHERE row = ?1",
        )?
        .execute(params![row, now])?;
    }
    enqueue(
        tx,
        Change {
            entity: "TicketNote",
            entity_id: id,
            operation: "create",
            summary: format!("{} note on {number}", if is_customer_visible { "Customer-visible" } else { "Internal" }),
            payload: json!({
                "ticket": ticket_id,
                "title": title,
                "description": body,
                "noteType": note_type,
                // Autotask: 1 = all Autotask users and the customer, 2 = internal only.
                "publish": if is_customer_visible { 1 } else { 2 },
            }),
        },
        now,
    )?;
    Ok(id)
}

/// The PSA wants a title: the first line, shortened.
fn note_title(body: &str) -> String {
    let first_line = body.lines().next().unwrap_or_default().trim();
    let mut title: String = first_line.chars().take(80).collect();
    if first_line.chars().count() > 80 {
        title.push('…');
    }
    title
}

/// Sets the status; a status meaning "complete" closes the ticket.
pub fn change_status(db: &Db, ticket_id: Uuid, status: i64, now: DateTime<Utc>) -> Result<(), TicketError> {
    db.write(|tx| change_status_in(tx, ticket_id, status, now))
}

/// [`change_status`] inside the caller's transaction (a visit's close-out).
pub(crate) fn change_status_in(
    tx: &Transaction<'_>,
    ticket_id: Uuid,
    status: i64,
    now: DateTime<Utc>,
) -> Result<(), TicketError> {
    {
        let (row, number) = ticket_key(tx, ticket_id)?;
        if !picklists::is_known(tx, PicklistKind::Status, status)? {
            return Err(TicketError::invalid("status", "Choose a status from the list."));
        }
        let complete = picklists::value_with_meaning(tx, PicklistKind::Status, meaning::STATUS_COMPLETE)?;
        let closes = complete == Some(status);
        tx.execute(
            "UPDATE tickets SET status = ?2, last_activity_at = ?3,
                 completed_at = CASE WHEN ?4 THEN coalesce(completed_at, ?3) ELSE NULL END
             WHERE row = ?1",
            params![row, status, now, closes],
        )?;
        let label: String =
            tx.query_row("SELECT label FROM picklist_values WHERE kind = 'status' AND value = ?1", [status], |r| {
                r.get(0)
            })?;
        enqueue(
            tx,
            Change {
                entity: "Ticket",
                entity_id: ticket_id,
                operation: "update",
                summary: format!("Status of {number} → {label}"),
                payload: json!({ "ticket": ticket_id, "status": status }),
            },
            now,
        )?;
        Ok(())
    }
}

/// Makes me the primary resource.
pub fn take_ticket(db: &Db, ticket_id: Uuid, now: DateTime<Utc>) -> Result<(), TicketError> {
    db.write(|tx| {
        let (row, number) = ticket_key(tx, ticket_id)?;
        let me = read_settings(tx)?
            .me
            .ok_or_else(|| TicketError::NotPossible("Choose who you are in Settings first.".into()))?;
        tx.execute(
            "UPDATE tickets SET primary_resource_id = ?2, last_activity_at = ?3 WHERE row = ?1",
            params![row, me.to_string(), now],
        )?;
        tx.execute(
            "DELETE FROM ticket_secondary_resources WHERE ticket_row = ?1 AND resource_id = ?2",
            params![row, me.to_string()],
        )?;
        enqueue(
            tx,
            Change {
                entity: "Ticket",
                entity_id: ticket_id,
                operation: "update",
                summary: format!("Took {number}"),
                payload: json!({ "ticket": ticket_id, "assignedResource": me }),
            },
            now,
        )?;
        Ok(())
    })
}

/// Books a service call for me on the ticket's customer and site.
pub fn schedule_appointment(db: &Db, draft: &AppointmentDraft, now: DateTime<Utc>) -> Result<Uuid, TicketError> {
    if !(15..=720).contains(&draft.duration_minutes) {
        return Err(TicketError::invalid("duration_minutes", "Between 15 minutes and 12 hours."));
    }
    if draft.start_at < now - Duration::days(1) {
        return Err(TicketError::invalid("start_at", "Choose a time that is not in the past."));
    }
    db.write(|tx| {
        let (row, number) = ticket_key(tx, draft.ticket_id)?;
        let me = read_settings(tx)?
            .me
            .ok_or_else(|| TicketError::NotPossible("Choose who you are in Settings first.".into()))?;
        let (customer_id, site_id, title): (String, Option<String>, String) =
            tx.query_row("SELECT customer_id, site_id, title FROM tickets WHERE row = ?1", [row], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let id = Uuid::new_v4();
        let end_at = draft.start_at + Duration::minutes(i64::from(draft.duration_minutes));
        tx.execute(
            "INSERT INTO appointments (id, customer_id, site_id, kind, start_at, end_at, description, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id.to_string(), customer_id, site_id, draft.kind.as_str(), draft.start_at, end_at, title, now],
        )?;
        tx.execute(
            "INSERT INTO appointment_tickets (appointment_id, ticket_row) VALUES (?1, ?2)",
            params![id.to_string(), row],
        )?;
        tx.execute(
            "INSERT INTO appointment_resources (appointment_id, resource_id) VALUES (?1, ?2)",
            params![id.to_string(), me.to_string()],
        )?;
        tx.execute("UPDATE tickets SET last_activity_at = ?2 WHERE row = ?1", params![row, now])?;
        enqueue(
            tx,
            Change {
                entity: "ServiceCall",
                entity_id: id,
                operation: "create",
                summary: format!("Appointment for {number}, {}", draft.start_at.format("%Y-%m-%d %H:%M UTC")),
                payload: json!({
                    "company": customer_id,
                    "companyLocation": site_id,
                    "startDateTime": draft.start_at,
                    "endDateTime": end_at,
                    "description": title,
                    "tickets": [draft.ticket_id],
                    "resources": [me],
                }),
            },
            now,
        )?;
        Ok(id)
    })
}

/// Instead of phone tag: a customer-visible note with my scheduling link.
pub fn post_scheduling_link_note(db: &Db, ticket_id: Uuid, now: DateTime<Utc>) -> Result<Uuid, TicketError> {
    db.write(|tx| {
        let settings = read_settings(tx)?;
        if settings.scheduling_link_template.is_empty() {
            return Err(TicketError::NotPossible(
                "Set your scheduling link in Settings first (for example your TimeZest link).".into(),
            ));
        }
        let (_, number) = ticket_key(tx, ticket_id)?;
        let link = settings.scheduling_link_template.replace("{ticket}", &number);
        let body = format!(
            "To find a time that suits you for ticket {number}, please pick one here: {link}\nThe appointment is then booked on this ticket."
        );
        let note = write_note(tx, ticket_id, &body, true, now)?;
        Ok(note)
    })
}
