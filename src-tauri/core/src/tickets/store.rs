//! Reading and writing ticket rows: the list-row shape shared by views,
//! search and detail, and the insert used by sample data and new tickets.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use uuid::Uuid;

use super::clock::{response_clock, ClockInput};
use super::{Label, TicketError, TicketSummary};
use crate::db::uuid_column;
use crate::settings::Settings;

/// The columns of [`summary_from_row`], selected from `tickets t` joined as below.
pub(crate) const SUMMARY_SELECT: &str = "SELECT t.id, t.number, t.title,
        t.status, ps.label, ps.meaning, t.priority, pp.label, pp.meaning,
        t.customer_id, c.name, c.is_msa,
        coalesce(ct.first_name || ' ' || ct.last_name, ''), coalesce(nullif(ct.phone, ''), ct.mobile, ''),
        coalesce(r.first_name || ' ' || r.last_name, ''),
        t.due_at, t.created_at, t.last_activity_at, t.completed_at, t.first_response_at, t.last_customer_visible_at
    FROM tickets t
    JOIN customers c ON c.id = t.customer_id
    LEFT JOIN contacts ct ON ct.id = t.contact_id
    LEFT JOIN resources r ON r.id = t.primary_resource_id
    LEFT JOIN picklist_values ps ON ps.kind = 'status' AND ps.value = t.status
    LEFT JOIN picklist_values pp ON pp.kind = 'priority' AND pp.value = t.priority";

fn label(row: &Row<'_>, value: usize) -> rusqlite::Result<Label> {
    let raw: i64 = row.get(value)?;
    let text: Option<String> = row.get(value + 1)?;
    Ok(Label { value: raw, label: text.unwrap_or_else(|| raw.to_string()), meaning: row.get(value + 2)? })
}

pub(crate) fn summary_from_row(
    row: &Row<'_>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> rusqlite::Result<TicketSummary> {
    let priority = label(row, 6)?;
    let customer_is_msa: bool = row.get(11)?;
    let created_at: DateTime<Utc> = row.get(16)?;
    let completed_at: Option<DateTime<Utc>> = row.get(18)?;
    let clock = response_clock(
        &ClockInput {
            created_at,
            completed: completed_at.is_some(),
            first_response_at: row.get(19)?,
            last_customer_visible_at: row.get(20)?,
            priority_meaning: priority.meaning.as_deref(),
            customer_is_msa,
        },
        settings,
        now,
    );
    Ok(TicketSummary {
        id: uuid_column(row, 0)?,
        number: row.get(1)?,
        title: row.get(2)?,
        status: label(row, 3)?,
        priority,
        customer_id: uuid_column(row, 9)?,
        customer_name: row.get(10)?,
        customer_is_msa,
        contact_name: row.get(12)?,
        contact_phone: row.get(13)?,
        primary_resource_name: row.get(14)?,
        due_at: row.get(15)?,
        created_at,
        last_activity_at: row.get(17)?,
        completed_at,
        clock,
    })
}

/// A ticket row to insert.
pub(crate) struct NewTicket {
    pub id: Uuid,
    pub psa_id: Option<i64>,
    pub number: String,
    pub title: String,
    pub description: String,
    pub status: i64,
    pub priority: i64,
    pub queue: Option<i64>,
    pub issue_type: Option<i64>,
    pub source: Option<i64>,
    pub customer_id: Uuid,
    pub site_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub primary_resource_id: Option<Uuid>,
    pub secondary_resource_ids: Vec<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub last_customer_visible_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub noticed_on_row: Option<i64>,
}

/// Inserts the ticket and its secondary resources; returns its row key.
/// The caller indexes it for search once its notes are written.
pub(crate) fn insert_ticket(tx: &Transaction<'_>, ticket: &NewTicket) -> rusqlite::Result<i64> {
    let text = |id: Option<Uuid>| id.map(|id| id.to_string());
    tx.prepare_cached(
        "INSERT INTO tickets (id, psa_id, number, title, description, status, priority, queue, issue_type, source,
             customer_id, site_id, contact_id, device_id, primary_resource_id, due_at, created_at, last_activity_at,
             last_customer_visible_at, first_response_at, completed_at, noticed_on_row)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    )?
    .execute(params![
        ticket.id.to_string(),
        ticket.psa_id,
        ticket.number,
        ticket.title,
        ticket.description,
        ticket.status,
        ticket.priority,
        ticket.queue,
        ticket.issue_type,
        ticket.source,
        ticket.customer_id.to_string(),
        text(ticket.site_id),
        text(ticket.contact_id),
        text(ticket.device_id),
        text(ticket.primary_resource_id),
        ticket.due_at,
        ticket.created_at,
        ticket.last_activity_at,
        ticket.last_customer_visible_at,
        ticket.first_response_at,
        ticket.completed_at,
        ticket.noticed_on_row,
    ])?;
    let row = tx.last_insert_rowid();
    let mut secondary = tx.prepare_cached(
        "INSERT OR IGNORE INTO ticket_secondary_resources (ticket_row, resource_id, is_open) VALUES (?1, ?2, ?3)",
    )?;
    for resource in &ticket.secondary_resource_ids {
        secondary.execute(params![row, resource.to_string(), ticket.completed_at.is_none()])?;
    }
    Ok(row)
}

/// A note row to insert.
pub(crate) struct NewNote<'a> {
    pub id: Uuid,
    pub psa_id: Option<i64>,
    pub ticket_row: i64,
    pub note_type: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    pub is_customer_visible: bool,
    pub from_customer: bool,
    pub author_resource_id: Option<Uuid>,
    pub author_name: &'a str,
    pub created_at: DateTime<Utc>,
}

pub(crate) fn insert_note(tx: &Connection, note: &NewNote<'_>) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO ticket_notes (id, psa_id, ticket_row, note_type, title, body, is_customer_visible, from_customer,
             author_resource_id, author_name, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        note.id.to_string(),
        note.psa_id,
        note.ticket_row,
        note.note_type,
        note.title,
        note.body,
        note.is_customer_visible,
        note.from_customer,
        note.author_resource_id.map(|id| id.to_string()),
        note.author_name,
        note.created_at,
    ])?;
    Ok(tx.last_insert_rowid())
}

/// The row key and number of a ticket, or `NotFound`.
pub(crate) fn ticket_key(connection: &Connection, id: Uuid) -> Result<(i64, String), TicketError> {
    connection
        .query_row("SELECT row, number FROM tickets WHERE id = ?1", [id.to_string()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?
        .ok_or(TicketError::NotFound(id))
}
