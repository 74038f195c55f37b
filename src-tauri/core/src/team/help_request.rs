//! "Ask for help" from a ticket: a short message in the seeds' shape — who
//! is available to help, the ticket's number and title, the customer, one
//! line of what is needed — prefilled and editable. Sending it writes, in
//! one transaction, the Slack message with its outbox entry and an internal
//! note on the ticket ("Asked for help on Slack: …") with its own.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;
use uuid::Uuid;

use super::slack_messages::{read_message, SlackMessage};
use super::{TeamError, SLACK_ENTITY};
use crate::db::Db;
use crate::outbox::{enqueue, Change};
use crate::validation::FieldErrors;

/// Slack shows up to 40,000 characters; a help request is a few lines.
const MAX_HELP_CHARS: usize = 2_000;

/// The message to send, as the dialog shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HelpRequestDraft {
    pub ticket_id: Uuid,
    pub text: String,
}

/// The prefilled message for a ticket.
pub fn help_request_draft(db: &Db, ticket_id: Uuid) -> Result<HelpRequestDraft, TeamError> {
    let (number, title, customer): (String, String, String) = db
        .read(|c| {
            c.query_row(
                "SELECT t.number, t.title, c.name FROM tickets t JOIN customers c ON c.id = t.customer_id
                 WHERE t.id = ?1",
                [ticket_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
        })?
        .ok_or(TeamError::TicketNotFound)?;
    let title = one_line(&title);
    let text = format!(
        "Who is available to help?\n{number} — {title}\nCustomer: {}\nNeed: a second pair of eyes on this one.",
        one_line(&customer)
    );
    Ok(HelpRequestDraft { ticket_id, text })
}

/// PSA text on one line (a title pasted with a line break stays one line).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Queues the message for Slack and notes it on the ticket, in one transaction.
pub fn ask_for_help(db: &Db, draft: &HelpRequestDraft, now: DateTime<Utc>) -> Result<SlackMessage, TeamError> {
    let mut errors = FieldErrors::default();
    let text = errors.text("text", &draft.text, true, MAX_HELP_CHARS);
    errors.into_result().map_err(TeamError::Invalid)?;
    let id = Uuid::new_v4();
    db.write(|tx| -> Result<(), TeamError> {
        let number: String = tx
            .query_row("SELECT number FROM tickets WHERE id = ?1", [draft.ticket_id.to_string()], |r| r.get(0))
            .optional()?
            .ok_or(TeamError::TicketNotFound)?;
        tx.execute(
            "INSERT INTO slack_messages (id, kind, ticket_id, text, created_at) VALUES (?1, 'help_request', ?2, ?3, ?4)",
            params![id.to_string(), draft.ticket_id.to_string(), text, now],
        )?;
        enqueue(
            tx,
            Change {
                entity: SLACK_ENTITY,
                entity_id: id,
                operation: "create",
                summary: format!("Slack: asked for help on {number}"),
                // Never the webhook: the sender reads it from the vault.
                payload: json!({ "kind": "help_request", "ticket": draft.ticket_id, "text": text }),
            },
            now,
        )?;
        crate::tickets::write_note_in(tx, draft.ticket_id, &format!("Asked for help on Slack: {text}"), false, now)?;
        Ok(())
    })?;
    db.read(|c| read_message(c, id))?.ok_or(TeamError::MessageNotFound)
}
