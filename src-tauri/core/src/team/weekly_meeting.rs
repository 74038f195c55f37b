//! My questions for the weekly meeting with the senior technician: "Add to
//! my questions for the weekly meeting" on a ticket, a change or a report
//! (one line of text), a list per week, marked answered with the answer
//! kept, and the week exported as Markdown for the meeting. Local only: the
//! PSA never sees them.

use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::TeamError;
use crate::changes::Exported;
use crate::db::{uuid_column, Db};
use crate::validation::FieldErrors;

/// One line; the meeting is short.
const MAX_QUESTION_CHARS: usize = 500;
const MAX_ANSWER_CHARS: usize = 4_000;

/// A question to add.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MeetingQuestionDraft {
    /// `ticket`, `change`, `report` or `none`.
    pub subject_kind: String,
    /// The ticket's, change record's (`record_id`) or report's id.
    pub subject_id: Option<Uuid>,
    pub question: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MeetingQuestion {
    pub id: Uuid,
    /// The Monday of its week (the technician's zone), `2026-11-30`.
    pub week: NaiveDate,
    pub subject_kind: String,
    pub subject_id: Option<Uuid>,
    /// "T20261120.0042 — Printer offline", as it read when the question was added.
    pub subject_label: String,
    pub question: String,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, week, subject_kind, subject_id, subject_label, question, answer, answered_at, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<MeetingQuestion> {
    let subject: Option<String> = row.get(3)?;
    Ok(MeetingQuestion {
        id: uuid_column(row, 0)?,
        week: row.get(1)?,
        subject_kind: row.get(2)?,
        subject_id: subject.and_then(|s| Uuid::parse_str(&s).ok()),
        subject_label: row.get(4)?,
        question: row.get(5)?,
        answer: row.get(6)?,
        answered_at: row.get(7)?,
        created_at: row.get(8)?,
    })
}

/// The Monday of `now`'s week in the technician's zone.
fn week_of(connection: &Connection, now: DateTime<Utc>) -> rusqlite::Result<NaiveDate> {
    let zone = crate::settings::read_settings(connection)?.zone();
    let day = now.with_timezone(&zone).date_naive();
    Ok(day - Duration::days(i64::from(day.weekday().num_days_from_monday())))
}

/// What the question is about, as a label; `None` when the record is not here.
fn subject_label(connection: &Connection, kind: &str, id: Uuid) -> rusqlite::Result<Option<String>> {
    let sql = match kind {
        "ticket" => "SELECT number || ' — ' || title FROM tickets WHERE id = ?1",
        "change" => {
            "SELECT 'Change: ' || summary FROM change_records WHERE record_id = ?1 ORDER BY revision DESC LIMIT 1"
        }
        "report" => {
            "SELECT 'Service report for ' || coalesce(nullif(customer_name, ''), 'a customer') FROM service_reports
             WHERE id = ?1"
        }
        _ => return Ok(None),
    };
    connection.query_row(sql, [id.to_string()], |r| r.get(0)).optional()
}

/// Adds a question to this week's list.
pub fn add_meeting_question(
    db: &Db,
    draft: &MeetingQuestionDraft,
    now: DateTime<Utc>,
) -> Result<MeetingQuestion, TeamError> {
    let mut errors = FieldErrors::default();
    let question = errors.text("question", &draft.question, true, MAX_QUESTION_CHARS);
    if question.contains(['\n', '\r']) {
        errors.add("question", "One line: the meeting is short.");
    }
    if !matches!(draft.subject_kind.as_str(), "ticket" | "change" | "report" | "none") {
        errors.add("subject_kind", "A question is about a ticket, a change or a report.");
    }
    errors.into_result().map_err(TeamError::Invalid)?;
    let id = Uuid::new_v4();
    db.write(|tx| -> Result<(), TeamError> {
        let label = match (draft.subject_kind.as_str(), draft.subject_id) {
            ("none", _) => String::new(),
            (kind, Some(subject)) => subject_label(tx, kind, subject)?
                .ok_or_else(|| TeamError::NotPossible(format!("That {kind} is not here any more.")))?,
            (kind, None) => return Err(TeamError::NotPossible(format!("Choose the {kind} the question is about."))),
        };
        tx.execute(
            "INSERT INTO meeting_questions (id, week, subject_kind, subject_id, subject_label, question, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id.to_string(),
                week_of(tx, now)?,
                draft.subject_kind,
                draft.subject_id.filter(|_| draft.subject_kind != "none").map(|s| s.to_string()),
                label,
                question,
                now
            ],
        )?;
        Ok(())
    })?;
    db.read(|c| {
        c.query_row(&format!("SELECT {COLUMNS} FROM meeting_questions WHERE id = ?1"), [id.to_string()], from_row)
    })
    .map_err(TeamError::from)
}

/// Every question, newest week first, in the order they were added.
pub fn list_meeting_questions(db: &Db) -> Result<Vec<MeetingQuestion>, TeamError> {
    Ok(db.read(|c| {
        c.prepare(&format!("SELECT {COLUMNS} FROM meeting_questions ORDER BY week DESC, created_at, rowid"))?
            .query_map([], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
    })?)
}

/// Marks a question answered, keeping the answer (answering again replaces it).
pub fn answer_meeting_question(
    db: &Db,
    id: Uuid,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<MeetingQuestion, TeamError> {
    let mut errors = FieldErrors::default();
    let answer = errors.text("answer", answer, true, MAX_ANSWER_CHARS);
    errors.into_result().map_err(TeamError::Invalid)?;
    let changed = db.write(|tx| {
        tx.execute(
            "UPDATE meeting_questions SET answer = ?2, answered_at = ?3 WHERE id = ?1",
            params![id.to_string(), answer, now],
        )
    })?;
    if changed == 0 {
        return Err(TeamError::NotPossible("That question is not here any more.".into()));
    }
    db.read(|c| {
        c.query_row(&format!("SELECT {COLUMNS} FROM meeting_questions WHERE id = ?1"), [id.to_string()], from_row)
    })
    .map_err(TeamError::from)
}

/// Markdown text: `<`, `>` and line breaks of PSA text made harmless.
fn md(text: &str) -> String {
    text.replace('\\', "\\\\").replace(['\n', '\r'], " ").replace('<', "&lt;").replace('>', "&gt;")
}

/// A week's questions as Markdown for the meeting: open ones first.
pub fn meeting_questions_markdown(db: &Db, week: NaiveDate) -> Result<String, TeamError> {
    let questions: Vec<MeetingQuestion> = list_meeting_questions(db)?.into_iter().filter(|q| q.week == week).collect();
    let mut out = format!("# Questions for the weekly meeting — week of {week}\n\n");
    let line = |q: &MeetingQuestion| {
        let about = if q.subject_label.is_empty() { String::new() } else { format!(" ({})", md(&q.subject_label)) };
        format!("{}{about}", md(&q.question))
    };
    let (answered, open): (Vec<_>, Vec<_>) = questions.iter().partition(|q| q.answer.is_some());
    out.push_str("## Open\n\n");
    if open.is_empty() {
        out.push_str("None.\n");
    }
    for q in &open {
        out.push_str(&format!("- [ ] {}\n", line(q)));
    }
    out.push_str("\n## Answered\n\n");
    if answered.is_empty() {
        out.push_str("None.\n");
    }
    for q in &answered {
        out.push_str(&format!("- [x] {}\n  - Answer: {}\n", line(q), md(q.answer.as_deref().unwrap_or_default())));
    }
    Ok(out)
}

/// Writes a week's Markdown into `exports/` as `weekly-questions-<week>.md`.
pub fn export_meeting_questions(db: &Db, folder: &Path, week: NaiveDate) -> Result<Exported, TeamError> {
    let text = meeting_questions_markdown(db, week)?;
    let path = crate::files::write_export(folder, &format!("weekly-questions-{week}.md"), text.as_bytes())
        .map_err(|error| TeamError::NotPossible(error.to_string()))?;
    Ok(Exported { path: path.display().to_string() })
}
