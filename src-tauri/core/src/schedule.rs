//! The schedule: my appointments (service calls) of a day, each with its
//! one-hour arrival window (aim for its earliest part), and what is due.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::{uuid_column, Db};
use crate::settings::read_settings;
use crate::tickets::store::{summary_from_row, SUMMARY_SELECT};
use crate::tickets::{AppointmentKind, TicketError, TicketLink, TicketSummary};

/// The day to show, as the UI's local midnight-to-midnight in UTC.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct DayQuery {
    pub day_start: DateTime<Utc>,
    pub day_end: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Agenda {
    /// My appointments that day, in time order.
    pub appointments: Vec<AgendaAppointment>,
    /// My open tickets due by the end of that day (overdue included), earliest first.
    pub due: Vec<TicketSummary>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AgendaAppointment {
    pub id: Uuid,
    pub kind: AppointmentKind,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    /// The arrival window is one hour from the start; aim for its earliest part.
    pub arrival_window_end: DateTime<Utc>,
    pub customer_name: String,
    pub site_name: String,
    pub site_address: String,
    pub description: String,
    pub tickets: Vec<TicketLink>,
}

pub fn agenda(db: &Db, day: &DayQuery, now: DateTime<Utc>) -> Result<Agenda, TicketError> {
    db.read(|connection| {
        let settings = read_settings(connection)?;
        let me = settings.me.map(|id| id.to_string()).unwrap_or_default();
        let mut appointments = connection
            .prepare_cached(
                "SELECT a.id, a.kind, a.start_at, a.end_at, c.name, coalesce(s.name, ''),
                        coalesce(concat_ws(', ', nullif(s.address1, ''), nullif(s.city, '')), ''), a.description
                 FROM appointment_resources ar
                 JOIN appointments a ON a.id = ar.appointment_id
                 JOIN customers c ON c.id = a.customer_id
                 LEFT JOIN sites s ON s.id = a.site_id
                 WHERE ar.resource_id = ?1 AND a.start_at >= ?2 AND a.start_at < ?3
                 ORDER BY a.start_at",
            )?
            .query_map(params![me, day.day_start, day.day_end], |r| {
                let kind: String = r.get(1)?;
                let start_at: DateTime<Utc> = r.get(2)?;
                Ok(AgendaAppointment {
                    id: uuid_column(r, 0)?,
                    kind: AppointmentKind::parse(&kind),
                    start_at,
                    end_at: r.get(3)?,
                    arrival_window_end: start_at + Duration::hours(1),
                    customer_name: r.get(4)?,
                    site_name: r.get(5)?,
                    site_address: r.get(6)?,
                    description: r.get(7)?,
                    tickets: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut tickets = connection.prepare_cached(
            "SELECT t.id, t.number, t.title FROM appointment_tickets at JOIN tickets t ON t.row = at.ticket_row
             WHERE at.appointment_id = ?1 ORDER BY t.number",
        )?;
        for appointment in &mut appointments {
            appointment.tickets = tickets
                .query_map([appointment.id.to_string()], |r| {
                    Ok(TicketLink { id: uuid_column(r, 0)?, number: r.get(1)?, title: r.get(2)? })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
        }
        let due = connection
            .prepare_cached(&format!(
                // Mine first (by index: my open tickets, my open secondary
                // assignments), then the rest of the filter: a scan of every
                // open ticket took three times as long at 100,000 tickets.
                "{SUMMARY_SELECT}
                 WHERE t.row IN (SELECT row FROM tickets
                                 WHERE primary_resource_id = ?1 AND completed_at IS NULL AND due_at < ?2
                                 UNION
                                 SELECT ticket_row FROM ticket_secondary_resources WHERE resource_id = ?1 AND is_open = 1)
                   AND t.completed_at IS NULL AND t.due_at < ?2
                 ORDER BY t.due_at, t.number LIMIT 100"
            ))?
            .query_map(params![me, day.day_end], |row| summary_from_row(row, &settings, now))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Agenda { appointments, due })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample_data::load_sample_data;
    use chrono::TimeZone;

    #[test]
    fn the_days_due_list_is_my_open_tickets_primary_or_secondary_earliest_first() {
        let db = Db::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        load_sample_data(&db, 20, now).unwrap();
        let me = crate::settings::get_settings(&db).unwrap().me.unwrap().to_string();
        // Me as a second resource on tickets others lead, some of them closed.
        db.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO ticket_secondary_resources (ticket_row, resource_id, is_open)
                 SELECT row, ?1, completed_at IS NULL FROM tickets WHERE primary_resource_id <> ?1 AND row % 7 = 0",
                [&me],
            )
        })
        .unwrap();
        for day_end in [now - Duration::days(400), now + Duration::hours(15), now + Duration::days(400)] {
            let day = DayQuery { day_start: day_end - Duration::days(1), day_end };
            let due: Vec<String> =
                agenda(&db, &day, now).unwrap().due.into_iter().map(|ticket| ticket.number).collect();
            // The plain statement of the rule, scanning every ticket.
            let expected: Vec<String> = db
                .read(|connection| {
                    connection
                        .prepare(
                            "SELECT number FROM tickets t WHERE completed_at IS NULL AND due_at < ?2
                               AND (primary_resource_id = ?1 OR EXISTS (SELECT 1 FROM ticket_secondary_resources s
                                    WHERE s.ticket_row = t.row AND s.resource_id = ?1))
                             ORDER BY due_at, number LIMIT 100",
                        )?
                        .query_map(params![me, day_end], |row| row.get(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .unwrap();
            assert_eq!(due, expected, "day ending {day_end}");
            assert_eq!(due.is_empty(), day_end < now, "the sample has tickets due for me, none 400 days ago");
        }
    }
}
