//! One ticket with its notes timeline, people, device and appointments.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::store::{summary_from_row, SUMMARY_SELECT};
use super::{
    AppointmentKind, Label, TicketAppointment, TicketContact, TicketDetail, TicketDevice, TicketError, TicketLink,
    TicketNote, TicketPerson, TicketSite,
};
use crate::db::{uuid_column, Db};
use crate::resources::ResourceRole;
use crate::settings::read_settings;

pub fn get_ticket(db: &Db, id: Uuid, now: DateTime<Utc>) -> Result<TicketDetail, TicketError> {
    db.read(|connection| read_ticket(connection, id, now))
}

pub(crate) fn read_ticket(connection: &Connection, id: Uuid, now: DateTime<Utc>) -> Result<TicketDetail, TicketError> {
    let settings = read_settings(connection)?;
    let key = id.to_string();
    let summary = connection
        .prepare_cached(&format!("{SUMMARY_SELECT} WHERE t.id = ?1"))?
        .query_row([&key], |row| summary_from_row(row, &settings, now))
        .optional()?
        .ok_or(TicketError::NotFound(id))?;

    #[allow(clippy::type_complexity)]
    let (row, psa_id, description, site_id, contact_id, device_id, primary, noticed_on_row): (
        i64,
        Option<i64>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
    ) = connection
        .prepare_cached(
            "SELECT row, psa_id, description, site_id, contact_id, device_id, primary_resource_id, noticed_on_row
         FROM tickets WHERE id = ?1",
        )?
        .query_row([&key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })?;

    let picklist = |column: &str, kind: &str| -> rusqlite::Result<Option<Label>> {
        connection
            .prepare_cached(&format!(
                "SELECT t.{column}, p.label, p.meaning FROM tickets t
                 LEFT JOIN picklist_values p ON p.kind = '{kind}' AND p.value = t.{column}
                 WHERE t.row = ?1 AND t.{column} IS NOT NULL"
            ))?
            .query_row([row], |r| {
                let value: i64 = r.get(0)?;
                let label: Option<String> = r.get(1)?;
                Ok(Label { value, label: label.unwrap_or_else(|| value.to_string()), meaning: r.get(2)? })
            })
            .optional()
    };

    let site = match site_id {
        Some(site_id) => connection
            .query_row(
                "SELECT id, name, concat_ws(', ', nullif(address1, ''), nullif(address2, ''), nullif(city, ''),
                        nullif(trim(state || ' ' || postal_code), ''))
                 FROM sites WHERE id = ?1",
                [site_id],
                |r| Ok(TicketSite { id: uuid_column(r, 0)?, name: r.get(1)?, address: r.get(2)? }),
            )
            .optional()?,
        None => None,
    };
    let contact = match contact_id {
        Some(contact_id) => connection
            .query_row(
                "SELECT id, first_name || ' ' || last_name, title, phone, mobile, email FROM contacts WHERE id = ?1",
                [contact_id],
                |r| {
                    Ok(TicketContact {
                        id: uuid_column(r, 0)?,
                        name: r.get(1)?,
                        title: r.get(2)?,
                        phone: r.get(3)?,
                        mobile: r.get(4)?,
                        email: r.get(5)?,
                    })
                },
            )
            .optional()?,
        None => None,
    };
    let device = match device_id {
        Some(device_id) => connection
            .query_row(
                "SELECT id, name, device_type, serial_number, rmm_agent_installed FROM devices WHERE id = ?1",
                [device_id],
                |r| {
                    Ok(TicketDevice {
                        id: uuid_column(r, 0)?,
                        name: r.get(1)?,
                        device_type: r.get(2)?,
                        serial_number: r.get(3)?,
                        rmm_agent_installed: r.get(4)?,
                    })
                },
            )
            .optional()?,
        None => None,
    };

    let secondary_resources = connection
        .prepare_cached(
            "SELECT r.id, r.first_name || ' ' || r.last_name, r.role FROM ticket_secondary_resources s
             JOIN resources r ON r.id = s.resource_id WHERE s.ticket_row = ?1 ORDER BY r.last_name",
        )?
        .query_map([row], |r| {
            let role: String = r.get(2)?;
            Ok(TicketPerson { id: uuid_column(r, 0)?, name: r.get(1)?, role: ResourceRole::parse_or_default(&role) })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let notes = connection
        .prepare_cached(
            "SELECT n.id, n.title, n.body, n.is_customer_visible, n.from_customer, n.author_name, n.created_at,
                    n.psa_id IS NULL
             FROM ticket_notes n WHERE n.ticket_row = ?1 ORDER BY n.created_at DESC, n.row DESC",
        )?
        .query_map([row], |r| {
            Ok(TicketNote {
                id: uuid_column(r, 0)?,
                title: r.get(1)?,
                body: r.get(2)?,
                is_customer_visible: r.get(3)?,
                from_customer: r.get(4)?,
                author_name: r.get(5)?,
                created_at: r.get(6)?,
                is_local: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let appointments = connection
        .prepare_cached(
            "SELECT a.id, a.kind, a.start_at, a.end_at,
                    (SELECT group_concat(r.first_name || ' ' || r.last_name, ', ') FROM appointment_resources ar
                     JOIN resources r ON r.id = ar.resource_id WHERE ar.appointment_id = a.id)
             FROM appointment_tickets at JOIN appointments a ON a.id = at.appointment_id
             WHERE at.ticket_row = ?1 ORDER BY a.start_at",
        )?
        .query_map([row], |r| {
            let kind: String = r.get(1)?;
            let names: Option<String> = r.get(4)?;
            Ok(TicketAppointment {
                id: uuid_column(r, 0)?,
                kind: AppointmentKind::parse(&kind),
                start_at: r.get(2)?,
                end_at: r.get(3)?,
                resource_names: names.map(|n| n.split(", ").map(String::from).collect()).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let noticed_on = match noticed_on_row {
        Some(other) => connection
            .query_row("SELECT id, number, title FROM tickets WHERE row = ?1", [other], |r| {
                Ok(TicketLink { id: uuid_column(r, 0)?, number: r.get(1)?, title: r.get(2)? })
            })
            .optional()?,
        None => None,
    };

    let primary_resource_id = primary.and_then(|text| Uuid::parse_str(&text).ok());
    Ok(TicketDetail {
        is_mine: primary_resource_id.is_some() && primary_resource_id == settings.me,
        summary,
        psa_id,
        description,
        queue: picklist("queue", "queue")?,
        issue_type: picklist("issue_type", "issue_type")?,
        source: picklist("source", "source")?,
        site,
        contact,
        device,
        primary_resource_id,
        secondary_resources,
        notes,
        appointments,
        noticed_on,
    })
}
