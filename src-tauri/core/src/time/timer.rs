//! The technician's one timer. Its state is stored (start of the running
//! segment, seconds of earlier segments), so it keeps counting across app
//! restarts and sleep. Stopping pauses it and hands back a prefilled entry;
//! saving that entry ends the timer, so a closed form loses nothing.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use super::{me, RunningTimer, RunningTimerChoice, TimeEntryDraft, TimeError, TimerStarted, TimerTarget};
use crate::db::{uuid_column, Db};
use crate::picklists::{self, meaning, PicklistKind};

pub fn current_timer(db: &Db, now: DateTime<Utc>) -> Result<Option<RunningTimer>, TimeError> {
    db.read(|connection| {
        let Ok(me) = me(connection) else { return Ok(None) };
        read_timer(connection, me, now)
    })
}

pub(crate) fn read_timer(
    connection: &Connection,
    me: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<RunningTimer>, TimeError> {
    Ok(connection
        .prepare_cached(
            "SELECT t.id, t.number, t.title, x.appointment_id, x.first_started_at, x.running_since, x.accumulated_seconds
             FROM timers x JOIN tickets t ON t.row = x.ticket_row WHERE x.resource_id = ?1",
        )?
        .query_row([me.to_string()], |row| {
            let appointment: Option<String> = row.get(3)?;
            let running_since: Option<DateTime<Utc>> = row.get(5)?;
            let accumulated: i64 = row.get(6)?;
            let running = running_since.map_or(0, |since| (now - since).num_seconds().max(0));
            Ok(RunningTimer {
                ticket_id: uuid_column(row, 0)?,
                ticket_number: row.get(1)?,
                ticket_title: row.get(2)?,
                appointment_id: appointment.and_then(|text| Uuid::parse_str(&text).ok()),
                first_started_at: row.get(4)?,
                running: running_since.is_some(),
                elapsed_seconds: accumulated + running,
            })
        })
        .optional()?)
}

/// Starts a timer on a ticket (and appointment). With a timer already
/// running, `if_running` says what to do with it; without one, that is an error.
pub fn start_timer(
    db: &Db,
    target: &TimerTarget,
    if_running: Option<RunningTimerChoice>,
    now: DateTime<Utc>,
) -> Result<TimerStarted, TimeError> {
    db.write(|tx| start_in(tx, target, if_running, now))
}

/// [`start_timer`] inside the caller's transaction (a visit's arrival).
pub(crate) fn start_in(
    tx: &Transaction<'_>,
    target: &TimerTarget,
    if_running: Option<RunningTimerChoice>,
    now: DateTime<Utc>,
) -> Result<TimerStarted, TimeError> {
    {
        let me = me(tx)?;
        let replaced = match read_timer(tx, me, now)? {
            None => None,
            Some(existing) => match if_running {
                None => return Err(TimeError::TimerRunning(existing.ticket_number)),
                Some(RunningTimerChoice::Discard) => None,
                Some(RunningTimerChoice::Stop) => Some(draft_from(tx, &existing, now)?),
            },
        };
        tx.execute("DELETE FROM timers WHERE resource_id = ?1", [me.to_string()])?;
        let row: i64 = tx
            .query_row("SELECT row FROM tickets WHERE id = ?1", [target.ticket_id.to_string()], |r| r.get(0))
            .optional()?
            .ok_or(TimeError::TicketNotFound(target.ticket_id))?;
        tx.execute(
            "INSERT INTO timers (resource_id, ticket_row, appointment_id, first_started_at, running_since, accumulated_seconds)
             VALUES (?1, ?2, ?3, ?4, ?4, 0)",
            params![me.to_string(), row, target.appointment_id.map(|id| id.to_string()), now],
        )?;
        let timer = read_timer(tx, me, now)?.ok_or(TimeError::NoTimer)?;
        Ok(TimerStarted { timer, replaced })
    }
}

pub fn pause_timer(db: &Db, now: DateTime<Utc>) -> Result<RunningTimer, TimeError> {
    db.write(|tx| {
        let me = me(tx)?;
        pause(tx, me, now)?;
        read_timer(tx, me, now)?.ok_or(TimeError::NoTimer)
    })
}

pub(crate) fn pause(tx: &Transaction<'_>, me: Uuid, now: DateTime<Utc>) -> Result<(), TimeError> {
    let since: Option<Option<DateTime<Utc>>> = tx
        .query_row("SELECT running_since FROM timers WHERE resource_id = ?1", [me.to_string()], |r| r.get(0))
        .optional()?;
    match since {
        None => Err(TimeError::NoTimer),
        Some(None) => Ok(()),
        Some(Some(since)) => {
            tx.execute(
                "UPDATE timers SET running_since = NULL, accumulated_seconds = accumulated_seconds + ?2 WHERE resource_id = ?1",
                params![me.to_string(), (now - since).num_seconds().max(0)],
            )?;
            Ok(())
        }
    }
}

pub fn resume_timer(db: &Db, now: DateTime<Utc>) -> Result<RunningTimer, TimeError> {
    db.write(|tx| {
        let me = me(tx)?;
        let changed = tx.execute(
            "UPDATE timers SET running_since = coalesce(running_since, ?2) WHERE resource_id = ?1",
            params![me.to_string(), now],
        )?;
        if changed == 0 {
            return Err(TimeError::NoTimer);
        }
        read_timer(tx, me, now)?.ok_or(TimeError::NoTimer)
    })
}

/// Pauses the timer and returns its entry, prefilled: the worked time ending
/// now, the ticket's work type. The timer ends when that entry is saved.
pub fn stop_timer(db: &Db, now: DateTime<Utc>) -> Result<TimeEntryDraft, TimeError> {
    db.write(|tx| {
        let me = me(tx)?;
        pause(tx, me, now)?;
        let timer = read_timer(tx, me, now)?.ok_or(TimeError::NoTimer)?;
        draft_from(tx, &timer, now)
    })
}

fn draft_from(tx: &Transaction<'_>, timer: &RunningTimer, now: DateTime<Utc>) -> Result<TimeEntryDraft, TimeError> {
    let on_site = match timer.appointment_id {
        Some(id) => tx
            .query_row("SELECT kind = 'on_site' FROM appointments WHERE id = ?1", [id.to_string()], |r| r.get(0))
            .optional()?
            .unwrap_or(false),
        None => false,
    };
    let (work_type, billable) = default_work_type(tx, on_site)?;
    let elapsed = timer.elapsed_seconds.max(60);
    Ok(TimeEntryDraft {
        id: None,
        ticket_id: timer.ticket_id,
        ticket_number: timer.ticket_number.clone(),
        appointment_id: timer.appointment_id,
        start_at: now - Duration::seconds(elapsed),
        end_at: now,
        work_type,
        billable,
        summary_notes: String::new(),
        internal_notes: String::new(),
        split_at_midnight: false,
        from_timer: true,
    })
}

/// The work type an entry starts with, and whether it is billable: on site,
/// the second billable type ("On-site support") when there is one.
pub(crate) fn default_work_type(connection: &Connection, on_site: bool) -> Result<(i64, bool), TimeError> {
    let work_types = picklists::read_all(connection)?
        .into_iter()
        .filter(|value| value.kind == PicklistKind::WorkType && value.is_active)
        .collect::<Vec<_>>();
    // On site → the second billable type ("On-site support") when there is one.
    let billable: Vec<_> =
        work_types.iter().filter(|v| v.meaning.as_deref() == Some(meaning::WORK_TYPE_BILLABLE)).collect();
    let chosen =
        if on_site { billable.get(1).or(billable.first()) } else { billable.first() }.copied().or(work_types.first());
    Ok((
        chosen.map_or(0, |value| value.value),
        chosen.is_some_and(|value| value.meaning.as_deref() == Some(meaning::WORK_TYPE_BILLABLE)),
    ))
}
