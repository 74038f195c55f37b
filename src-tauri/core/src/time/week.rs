//! My week (entries and totals per local day) and the weekly check (service
//! calls without time, placeholders still open).

use crate::validation::Invalid;
use chrono::{DateTime, Utc};
use rusqlite::params;
use uuid::Uuid;

use super::entries::{entry_from_row, ENTRY_SELECT};
use super::zone::{day_bounds, local_date};
use super::{me, DayTotal, MyWeek, TimeError, UntimedAppointment, WeekQuery, WeeklyCheck};
use crate::db::{uuid_column, Db};
use crate::settings::read_settings;

fn range(query: &WeekQuery, zone: chrono_tz::Tz) -> Result<(DateTime<Utc>, DateTime<Utc>), TimeError> {
    if query.last < query.first || (query.last - query.first).num_days() > 62 {
        return Err(TimeError::invalid("last", "Choose up to two months, the last day after the first."));
    }
    Ok((day_bounds(zone, query.first).0, day_bounds(zone, query.last).1))
}

pub fn my_week(db: &Db, query: &WeekQuery, now: DateTime<Utc>) -> Result<MyWeek, TimeError> {
    db.read(|connection| {
        let me = me(connection)?;
        let zone = read_settings(connection)?.zone();
        let (start, end) = range(query, zone)?;
        let entries = connection
            .prepare_cached(&format!(
                "{ENTRY_SELECT} WHERE e.resource_id = ?1 AND e.start_at >= ?2 AND e.start_at < ?3 ORDER BY e.start_at"
            ))?
            .query_map(params![me.to_string(), start, end], |row| entry_from_row(row, now))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut days: Vec<DayTotal> = query
            .first
            .iter_days()
            .take_while(|day| *day <= query.last)
            .map(|date| DayTotal { date, billable_hours: 0.0, non_billable_hours: 0.0 })
            .collect();
        for entry in &entries {
            let date = local_date(zone, entry.start_at);
            if let Some(day) = days.iter_mut().find(|day| day.date == date) {
                if entry.billable {
                    day.billable_hours += entry.hours;
                } else {
                    day.non_billable_hours += entry.hours;
                }
            }
        }
        let billable_hours = days.iter().map(|d| d.billable_hours).sum();
        let non_billable_hours = days.iter().map(|d| d.non_billable_hours).sum();
        Ok(MyWeek { days, entries, billable_hours, non_billable_hours })
    })
}

pub fn weekly_check(db: &Db, query: &WeekQuery, now: DateTime<Utc>) -> Result<WeeklyCheck, TimeError> {
    db.read(|connection| {
        let me = me(connection)?;
        let zone = read_settings(connection)?.zone();
        let (start, end) = range(query, zone)?;
        let appointments_without_time = connection
            .prepare_cached(
                "SELECT a.id, a.start_at, a.end_at, c.name,
                        (SELECT t.id FROM appointment_tickets at JOIN tickets t ON t.row = at.ticket_row
                         WHERE at.appointment_id = a.id ORDER BY t.number LIMIT 1),
                        coalesce((SELECT t.number FROM appointment_tickets at JOIN tickets t ON t.row = at.ticket_row
                         WHERE at.appointment_id = a.id ORDER BY t.number LIMIT 1), '')
                 FROM appointment_resources ar
                 JOIN appointments a ON a.id = ar.appointment_id
                 JOIN customers c ON c.id = a.customer_id
                 WHERE ar.resource_id = ?1 AND a.start_at >= ?2 AND a.start_at < ?3 AND a.start_at <= ?4
                   AND NOT EXISTS (SELECT 1 FROM time_entries e WHERE e.appointment_id = a.id AND e.resource_id = ?1)
                 ORDER BY a.start_at",
            )?
            .query_map(params![me.to_string(), start, end, now], |row| {
                let ticket: Option<String> = row.get(4)?;
                Ok(UntimedAppointment {
                    id: uuid_column(row, 0)?,
                    start_at: row.get(1)?,
                    end_at: row.get(2)?,
                    customer_name: row.get(3)?,
                    ticket_id: ticket.and_then(|text| Uuid::parse_str(&text).ok()),
                    ticket_number: row.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let open_placeholders = connection
            .prepare_cached(&format!(
                "{ENTRY_SELECT} WHERE e.resource_id = ?1 AND e.is_placeholder = 1 ORDER BY e.placeholder_due_at"
            ))?
            .query_map([me.to_string()], |row| entry_from_row(row, now))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(WeeklyCheck { appointments_without_time, open_placeholders })
    })
}
