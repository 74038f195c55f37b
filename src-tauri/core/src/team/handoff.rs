//! The shift handoff: at the end of a day, what I touched (tickets with my
//! last note of the day), the running timer, open placeholders, changes not
//! yet sent, and follow-ups promised on today's service reports — composed
//! into a handoff note the technician edits, then posted as an internal
//! note on each ticket that needs the next person and/or to Slack (one
//! transaction, each with its outbox entry), and exportable as Markdown.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;
use uuid::Uuid;

use super::{TeamError, SLACK_ENTITY};
use crate::changes::Exported;
use crate::db::Db;
use crate::outbox::{enqueue, Change};
use crate::validation::FieldErrors;

const MAX_HANDOFF_CHARS: usize = 8_000;

/// A ticket I touched today.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandoffTicket {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    /// My last note of the day on it.
    pub last_note: String,
}

/// What the handoff screen shows, with the note composed from it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandoffOverview {
    pub tickets: Vec<HandoffTicket>,
    /// "T… — title, 1 h 20 min (running)" when a timer is on.
    pub timer: Option<String>,
    pub open_placeholders: Vec<String>,
    pub unsent: Vec<String>,
    pub follow_ups: Vec<String>,
    /// Visits and remote sessions started and not closed.
    pub open_visits: Vec<String>,
    /// The handoff note, plain text, prefilled from the above.
    pub note: String,
}

/// What to post.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct HandoffDraft {
    pub note: String,
    /// Tickets that get the note as an internal note.
    pub ticket_ids: Vec<Uuid>,
    pub to_slack: bool,
}

fn one_line(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 140 {
        format!("{}…", line.chars().take(139).collect::<String>())
    } else {
        line
    }
}

/// The day so far (since midnight in my zone).
pub fn handoff_overview(db: &Db, now: DateTime<Utc>) -> Result<HandoffOverview, TeamError> {
    let (tickets, follow_ups) = db.read(|c| -> rusqlite::Result<_> {
        let zone = crate::settings::read_settings(c)?.zone();
        let midnight = now
            .with_timezone(&zone)
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|m| m.and_local_timezone(zone).earliest())
            .map(|m| m.with_timezone(&Utc))
            .unwrap_or(now - Duration::hours(24));
        let tickets = c
            .prepare(
                "SELECT t.id, t.number, t.title,
                        (SELECT n2.body FROM ticket_notes n2 WHERE n2.ticket_row = t.row
                            AND n2.author_resource_id = s.value ORDER BY n2.created_at DESC LIMIT 1)
                 FROM tickets t JOIN settings s ON s.key = 'me'
                 WHERE t.row IN (SELECT ticket_row FROM ticket_notes WHERE author_resource_id = s.value AND created_at >= ?1)
                 ORDER BY t.number",
            )?
            .query_map([midnight], |r| {
                let id: String = r.get(0)?;
                Ok(HandoffTicket {
                    id: Uuid::parse_str(&id).unwrap_or_default(),
                    number: r.get(1)?,
                    title: r.get(2)?,
                    last_note: one_line(&r.get::<_, Option<String>>(3)?.unwrap_or_default()),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let follow_ups = c
            .prepare(
                "SELECT t.number, r.follow_up_what FROM service_reports r JOIN tickets t ON t.row = r.ticket_row
                 WHERE r.follow_up_needed = 1 AND r.created_at >= ?1 ORDER BY r.created_at",
            )?
            .query_map([midnight], |r| Ok(format!("{}: {}", r.get::<_, String>(0)?, one_line(&r.get::<_, String>(1)?))))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((tickets, follow_ups))
    })?;
    let not_possible = |error: crate::time::TimeError| TeamError::NotPossible(error.to_string());
    let timer = crate::time::current_timer(db, now).map_err(not_possible)?.map(|t| {
        let minutes = t.elapsed_seconds / 60;
        format!(
            "{} — {}, {} h {:02} min{}",
            t.ticket_number,
            one_line(&t.ticket_title),
            minutes / 60,
            minutes % 60,
            if t.running { " (running)" } else { " (paused)" }
        )
    });
    let open_placeholders = crate::time::open_placeholders(db, now)
        .map_err(not_possible)?
        .into_iter()
        .map(|p| format!("{} — {}, {:.2} h", p.ticket_number, one_line(&p.ticket_title), p.hours))
        .collect::<Vec<_>>();
    let unsent = crate::outbox::list_pending(db)?.into_iter().map(|e| e.summary).collect::<Vec<_>>();
    let open_visits = crate::visits::open_visits(db)
        .map_err(|error| TeamError::NotPossible(error.to_string()))?
        .into_iter()
        .map(|v| {
            let kind = if v.kind == crate::tickets::AppointmentKind::Remote { "remote session" } else { "visit" };
            format!("{} — {} ({kind} not closed)", v.ticket_number, one_line(&v.customer_name))
        })
        .collect::<Vec<_>>();
    let mut note = String::from("Handoff\n");
    let mut section = |title: &str, lines: &[String]| {
        if !lines.is_empty() {
            note.push_str(&format!("\n{title}:\n"));
            for line in lines {
                note.push_str(&format!("- {line}\n"));
            }
        }
    };
    let touched: Vec<String> =
        tickets.iter().map(|t| format!("{} — {}: {}", t.number, one_line(&t.title), t.last_note)).collect();
    section("Tickets I worked on today", &touched);
    section("Timer", &timer.iter().cloned().collect::<Vec<_>>());
    section("Time still to enter (placeholders)", &open_placeholders);
    section("Not yet sent to the PSA", &unsent);
    section("Follow-ups promised", &follow_ups);
    section("Visits not closed", &open_visits);
    if touched.is_empty()
        && timer.is_none()
        && open_placeholders.is_empty()
        && unsent.is_empty()
        && follow_ups.is_empty()
        && open_visits.is_empty()
    {
        note.push_str("\nNothing open from my side.\n");
    }
    Ok(HandoffOverview { tickets, timer, open_placeholders, unsent, follow_ups, open_visits, note })
}

/// Posts the note: an internal note on each chosen ticket and/or a Slack
/// message, in one transaction with their outbox entries.
pub fn post_handoff(db: &Db, draft: &HandoffDraft, now: DateTime<Utc>) -> Result<u32, TeamError> {
    let mut errors = FieldErrors::default();
    let note = errors.text("note", &draft.note, true, MAX_HANDOFF_CHARS);
    if draft.ticket_ids.is_empty() && !draft.to_slack {
        errors.add("ticket_ids", "Choose the tickets that get the note, or Slack.");
    }
    errors.into_result().map_err(TeamError::Invalid)?;
    db.write(|tx| -> Result<u32, TeamError> {
        let mut posted = 0;
        for ticket in &draft.ticket_ids {
            crate::tickets::write_note_in(tx, *ticket, &note, false, now)?;
            posted += 1;
        }
        if draft.to_slack {
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO slack_messages (id, kind, text, created_at) VALUES (?1, 'handoff', ?2, ?3)",
                params![id.to_string(), note, now],
            )?;
            enqueue(
                tx,
                Change {
                    entity: SLACK_ENTITY,
                    entity_id: id,
                    operation: "create",
                    summary: "Slack: shift handoff".into(),
                    payload: json!({ "kind": "handoff", "text": note }),
                },
                now,
            )?;
            posted += 1;
        }
        Ok(posted)
    })
}

/// Writes the note into `exports/` as `handoff-<time>.md`.
pub fn export_handoff(folder: &Path, note: &str, now: DateTime<Utc>) -> Result<Exported, TeamError> {
    let text = format!("# Shift handoff — {}\n\n{}\n", now.format("%Y-%m-%d %H:%M UTC"), note.trim());
    let name = format!("handoff-{}.md", now.format("%Y%m%d-%H%M%S"));
    let path = crate::files::write_export(folder, &name, text.as_bytes())
        .map_err(|error| TeamError::NotPossible(error.to_string()))?;
    Ok(Exported { path: path.display().to_string() })
}
