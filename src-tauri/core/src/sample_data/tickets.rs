//! Sample tickets, notes, devices and appointments for the sample customers,
//! with realistic spreads over queues, statuses, priorities and time: years
//! of closed history, a few percent open, recent activity, this month's
//! backup checks, fresh replies from customers and today's appointments.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use rusqlite::{params, Transaction};
use uuid::Uuid;

use super::Sequence;
use crate::picklists::{default_picklists, upsert_value};
use crate::tickets::search_index::index_new_ticket;
use crate::tickets::store::{insert_note, insert_ticket, NewNote, NewTicket};

/// One sample customer as the ticket generator needs it.
pub(super) struct CustomerRef {
    pub id: Uuid,
    pub name: String,
    pub site_ids: Vec<Uuid>,
    pub contacts: Vec<(Uuid, String)>,
}

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Counts {
    pub devices: u32,
    pub tickets: u32,
    pub notes: u32,
    pub appointments: u32,
}

const DEVICE_KINDS: &[(&str, &str)] = &[
    ("Workstation", "WS"),
    ("Workstation", "WS"),
    ("Laptop", "LT"),
    ("Laptop", "LT"),
    ("Server", "SRV"),
    ("Firewall", "FW"),
    ("Printer", "PRN"),
    ("NAS", "NAS"),
];
const DEVICE_PLACES: &[&str] = &["FRONTDESK", "OFFICE", "RECEPTION", "LAB", "BACKOFFICE", "CONF", "MGR", "SHOP"];

// (issue type value, title templates). {device} and {contact} are filled in.
const TITLES: &[(i64, &[&str])] = &[
    (
        1,
        &[
            "{device} will not power on",
            "Replace failing disk in {device}",
            "Docking station not detected on {device}",
            "Label printer jams at reception",
            "Monitor flickers on {device}",
        ],
    ),
    (
        2,
        &[
            "Outlook keeps asking {contact} for a password",
            "QuickBooks will not open the company file",
            "Install Adobe Acrobat for {contact}",
            "Teams calls drop after a few minutes",
            "Line-of-business app crashes on start",
        ],
    ),
    (
        3,
        &[
            "VPN disconnects every few minutes",
            "Wi-Fi drops in the conference room",
            "Slow internet at the front desk",
            "Firewall {device} reports high CPU",
            "Guest network needs a new password",
        ],
    ),
    (
        4,
        &[
            "Windows updates failing on {device}",
            "Patch {device}: cumulative update KB{kb} stuck",
            "Third-party patching failed for Chrome on {device}",
        ],
    ),
    (
        6,
        &[
            "New user account for {contact}",
            "Reset MFA for {contact}",
            "Disable account of a departed employee",
            "Shared mailbox access for {contact}",
        ],
    ),
];
const DESCRIPTIONS: &[&str] = &[
    "The user reports it started this morning after a restart. Nothing else changed as far as they know.",
    "Happens several times a day. Error 0x{code} appears in the event log around the same time.",
    "Reported by phone. The office is busy, please call before coming on site.",
    "Monitoring raised an alert; the device answered again after a few minutes but the alert keeps coming back.",
    "The customer would like this done before the end of the week if possible.",
];
const NOTE_PHRASES: &[&str] = &[
    "Called the customer and walked through the steps together.",
    "Remoted in and checked the event log; error 0x{code} repeats every hour.",
    "Cleared the print queue and restarted the spooler service.",
    "Rebooted the device after applying the update; it came back normally.",
    "Waiting for the customer to confirm that the issue is gone.",
    "Ordered a replacement part; ETA two business days.",
    "Updated the driver to the current vendor version.",
    "Checked the backup job history: last successful run was yesterday night.",
    "Reset the user's password and confirmed they can sign in.",
    "Firmware on the firewall is current; no drops seen in the logs.",
    "Ran the diagnostics, disk SMART status shows reallocated sectors.",
    "Documented the change in the customer's runbook.",
    "Scheduled an on-site visit to replace the cable in the server room.",
    "Applied KB{kb} manually; the update now installs.",
];
const CUSTOMER_REPLIES: &[&str] = &[
    "Thanks, it works again this morning!",
    "It happened again just now, can someone call me back?",
    "We are closed on Friday, Monday morning would work better.",
    "Which cable do you mean? I found two grey ones behind the printer.",
];

fn fill(template: &str, sequence: &mut Sequence, device: &str, contact: &str) -> String {
    template
        .replace("{device}", device)
        .replace("{contact}", contact)
        .replace("{kb}", &format!("{}", 5_000_000 + sequence.between(0, 99_999)))
        .replace("{code}", &format!("{:08X}", sequence.next() as u32))
}

/// Writes picklists, devices, tickets with notes, and appointments.
pub(super) fn generate(
    tx: &Transaction<'_>,
    sequence: &mut Sequence,
    customers: &[CustomerRef],
    technicians: &[(Uuid, String)],
    ticket_count: u32,
    notes_per_ticket: u32,
    now: DateTime<Utc>,
) -> rusqlite::Result<Counts> {
    let mut counts = Counts::default();
    for value in default_picklists() {
        upsert_value(tx, &value)?;
    }

    // Devices: 3 to 8 per customer.
    let mut devices: Vec<Vec<(Uuid, String, String)>> = Vec::with_capacity(customers.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO devices (id, customer_id, site_id, name, device_type, serial_number, rmm_agent_installed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (index, customer) in customers.iter().enumerate() {
            let mut list = Vec::new();
            for number in 0..sequence.between(3, 8) {
                let (kind, prefix) = *sequence.pick(DEVICE_KINDS);
                let name = format!("{prefix}-{}-{:02}", sequence.pick(DEVICE_PLACES), number + 1);
                let id = Uuid::from_u64_pair(0x5eed_0003_0000_0000 | index as u64, number);
                let serial = format!("SN{:010}", sequence.next() % 10_000_000_000);
                insert.execute(params![
                    id.to_string(),
                    customer.id.to_string(),
                    customer.site_ids.first().map(|s| s.to_string()),
                    name,
                    kind,
                    serial,
                    sequence.between(0, 9) != 0,
                ])?;
                list.push((id, name, serial));
                counts.devices += 1;
            }
            devices.push(list);
        }
    }

    // Tickets over a span that grows with their number: about 60 a day.
    let span_days = i64::from((ticket_count / 60).clamp(21, 5 * 365));
    let start = now - Duration::days(span_days);
    let step_ms = (span_days * 86_400_000) / i64::from(ticket_count.max(1));
    let me = technicians[0].0;
    let mut day_number = (0u32, 0u32);
    for index in 0..ticket_count {
        let created_at =
            start + Duration::milliseconds(step_ms * i64::from(index) + (sequence.next() % 600_000) as i64);
        let age_days = (now - created_at).num_days();
        let customer_index = sequence.between(0, customers.len() as u64 - 1) as usize;
        let customer = &customers[customer_index];
        let roll = sequence.between(0, 99);
        let open = if age_days < 14 { roll < 65 } else { roll < 2 };
        let is_backup_check = sequence.between(0, 99) < 8;
        let (issue_type, title_template) = if is_backup_check {
            (5, "Monthly backup check: {device}")
        } else {
            let (issue_type, titles) = sequence.pick(TITLES);
            (*issue_type, *sequence.pick(titles))
        };
        let device = if sequence.between(0, 1) == 0 || is_backup_check {
            Some(sequence.pick(&devices[customer_index]).clone())
        } else {
            None
        };
        let contact = sequence.pick(&customer.contacts).clone();
        let title = fill(title_template, sequence, device.as_ref().map_or("the PC", |d| d.1.as_str()), &contact.1);
        let description = fill(sequence.pick::<&str>(DESCRIPTIONS), sequence, "", "");
        let priority = match sequence.between(0, 99) {
            0..=2 => 4,
            3..=17 => 1,
            18..=72 => 2,
            _ => 3,
        };
        let status = if !open {
            5
        } else {
            match sequence.between(0, 99) {
                0..=19 => 1,
                20..=49 => 8,
                50..=64 => 7,
                65..=79 => 12,
                _ => 10,
            }
        };
        let queue = if priority == 4 && sequence.between(0, 1) == 0 {
            29684
        } else {
            match sequence.between(0, 99) {
                0..=59 => 29683,
                60..=74 => 29682,
                75..=89 => 29684,
                _ => 29685,
            }
        };
        let primary = if open && status == 1 && sequence.between(0, 1) == 0 {
            None
        } else if sequence.between(0, 3) == 0 {
            Some(me)
        } else {
            Some(sequence.pick(technicians).0)
        };
        let secondary = if sequence.between(0, 9) == 0 {
            vec![sequence.pick(technicians).0].into_iter().filter(|id| Some(*id) != primary).collect()
        } else {
            Vec::new()
        };
        let due_at = if is_backup_check {
            // The last day of the month it was created in.
            let first_of_next = if created_at.month() == 12 {
                Utc.with_ymd_and_hms(created_at.year() + 1, 1, 1, 17, 0, 0)
            } else {
                Utc.with_ymd_and_hms(created_at.year(), created_at.month() + 1, 1, 17, 0, 0)
            };
            first_of_next.single().map(|first| first - Duration::days(1))
        } else if sequence.between(0, 2) == 0 {
            Some(created_at + Duration::days(sequence.between(1, 10) as i64))
        } else {
            None
        };

        // Notes after creation, spread over the following days.
        let note_count = sequence.between(0, u64::from(notes_per_ticket.max(1)) * 2) as u32;
        let horizon = if open { (now - created_at).num_minutes().max(10) } else { 7 * 24 * 60 };
        let mut note_times: Vec<DateTime<Utc>> = (0..note_count)
            .map(|_| created_at + Duration::minutes(sequence.between(5, horizon as u64) as i64))
            .filter(|time| *time < now)
            .collect();
        note_times.sort();
        let fresh_reply = open && sequence.between(0, 9) == 0;
        if fresh_reply {
            note_times.push(now - Duration::minutes(sequence.between(10, 600) as i64));
        }
        let mut first_response_at = None;
        let mut last_visible = None;
        let mut last_activity = created_at;
        let mut bodies = String::new();
        let mut notes = Vec::with_capacity(note_times.len());
        for (note_index, time) in note_times.iter().enumerate() {
            let from_customer = fresh_reply && note_index + 1 == note_times.len() || sequence.between(0, 11) == 0;
            let visible = from_customer || sequence.between(0, 2) == 0;
            let body = if from_customer {
                sequence.pick(CUSTOMER_REPLIES).to_string()
            } else {
                let first = fill(sequence.pick::<&str>(NOTE_PHRASES), sequence, "", "");
                let second = fill(sequence.pick::<&str>(NOTE_PHRASES), sequence, "", "");
                format!("{first} {second}")
            };
            if visible && !from_customer {
                first_response_at.get_or_insert(*time);
                last_visible = Some(*time);
            }
            if from_customer {
                last_visible = Some(*time);
            }
            last_activity = last_activity.max(*time);
            if !bodies.is_empty() {
                bodies.push('\n');
            }
            bodies.push_str(&body);
            let author = if from_customer { contact.1.clone() } else { sequence.pick(technicians).1.clone() };
            notes.push((*time, body, visible, from_customer, author));
        }
        let completed_at = (!open).then(|| last_activity + Duration::minutes(30));

        let day = created_at.year() as u32 * 10_000 + created_at.month() * 100 + created_at.day();
        day_number = if day_number.0 == day { (day, day_number.1 + 1) } else { (day, 1) };
        let number = format!("T{day}.{:04}", day_number.1);
        let id = Uuid::from_u64_pair(0x5eed_0004_0000_0000, u64::from(index));
        let row = insert_ticket(
            tx,
            &NewTicket {
                id,
                psa_id: Some(100_000 + i64::from(index)),
                number: number.clone(),
                title: title.clone(),
                description: description.clone(),
                status,
                priority,
                queue: Some(queue),
                issue_type: Some(issue_type),
                source: Some(*sequence.pick(&[2, 4, 8, 6])),
                customer_id: customer.id,
                site_id: customer.site_ids.first().copied(),
                contact_id: Some(contact.0),
                device_id: device.as_ref().map(|d| d.0),
                primary_resource_id: primary,
                secondary_resource_ids: secondary,
                due_at,
                created_at,
                last_activity_at: completed_at.unwrap_or(last_activity),
                last_customer_visible_at: last_visible,
                first_response_at,
                completed_at,
                noticed_on_row: None,
            },
        )?;
        for (time, body, visible, from_customer, author) in &notes {
            insert_note(
                tx,
                &NewNote {
                    id: Uuid::from_u64_pair(0x5eed_0005_0000_0000, u64::from(counts.notes)),
                    // Sample notes stand for notes that came from the PSA.
                    psa_id: Some(1_000_000 + i64::from(counts.notes)),
                    ticket_row: row,
                    note_type: Some(3),
                    title: "",
                    body,
                    is_customer_visible: *visible,
                    from_customer: *from_customer,
                    author_resource_id: None,
                    author_name: author,
                    created_at: *time,
                },
            )?;
            counts.notes += 1;
        }
        // The same words `reindex_ticket` indexes.
        let related = format!(
            "{} {} {}",
            customer.name,
            contact.1,
            device.as_ref().map_or(String::new(), |d| format!("{} {}", d.1, d.2))
        );
        index_new_ticket(tx, row, &number, &title, &description, &bodies, &related)?;
        counts.tickets += 1;

        // Scheduled open tickets of mine get an appointment; a few today.
        if open && status == 10 && primary.is_some() {
            let hour_start = now.with_minute(0).and_then(|t| t.with_second(0)).and_then(|t| t.with_nanosecond(0));
            let base = hour_start.unwrap_or(now) + Duration::hours(1);
            let today = primary == Some(me) && counts.appointments < 3;
            let start_at = if today {
                let later = base + Duration::hours(2 * i64::from(counts.appointments));
                // Late in the day the later slots would fall tomorrow: they stay
                // today, still ahead of now (a started one would count as untimed).
                if later.date_naive() == now.date_naive() {
                    later
                } else {
                    let midnight = (now.date_naive() + Duration::days(1)).and_time(chrono::NaiveTime::MIN).and_utc();
                    now + (midnight - now) * (i32::try_from(counts.appointments).unwrap_or(0) + 1) / 4
                }
            } else {
                base + Duration::hours(sequence.between(20, 24 * 10) as i64)
            };
            // Today: one visit on site and one remote session, then as drawn.
            let drawn = if sequence.between(0, 1) == 0 { "on_site" } else { "remote" };
            let kind = match (today, counts.appointments) {
                (true, 0) => "on_site",
                (true, 1) => "remote",
                _ => drawn,
            };
            let appointment = Uuid::from_u64_pair(0x5eed_0006_0000_0000, u64::from(counts.appointments));
            tx.execute(
                "INSERT INTO appointments (id, customer_id, site_id, kind, start_at, end_at, description, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    appointment.to_string(),
                    customer.id.to_string(),
                    customer.site_ids.first().map(|s| s.to_string()),
                    kind,
                    start_at,
                    start_at + Duration::minutes(90),
                    title,
                    created_at
                ],
            )?;
            tx.execute(
                "INSERT INTO appointment_tickets (appointment_id, ticket_row) VALUES (?1, ?2)",
                params![appointment.to_string(), row],
            )?;
            tx.execute(
                "INSERT INTO appointment_resources (appointment_id, resource_id) VALUES (?1, ?2)",
                params![appointment.to_string(), primary.map(|p| p.to_string())],
            )?;
            counts.appointments += 1;
        }
    }
    add_checklists(tx, now)?;
    Ok(counts)
}

/// Checklists the MSP's templates put on tickets (Autotask `TicketChecklistItems`).
const CHECKLISTS: &[&[(&str, bool)]] = &[
    &[
        ("Confirm the issue with the contact", false),
        ("Check the backup ran last night", true),
        ("Apply pending Windows updates", false),
        ("Confirm the fix with the user", true),
    ],
    &[
        ("Label the device with its asset tag", false),
        ("Verify the RMM agent reports in", true),
        ("Document any password change", true),
    ],
    &[("Photograph the network cabinet", false), ("Test the UPS self-test", false), ("Tidy and label cables", false)],
];

/// Two open tickets in three get a checklist, kept apart from the random
/// sequence so the rest of the sample stays as it was. Sample items stand
/// for items that came from the PSA; the first is ticked on every other list.
fn add_checklists(tx: &Transaction<'_>, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let rows: Vec<i64> = tx
        .prepare("SELECT row FROM tickets WHERE completed_at IS NULL AND row % 3 != 2 ORDER BY row")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO checklist_items (id, psa_id, ticket_row, name, position, is_important, is_completed, completed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut n: u64 = 0;
    for row in rows {
        let list = CHECKLISTS[(row as usize) % CHECKLISTS.len()];
        for (position, (name, important)) in list.iter().enumerate() {
            let ticked = position == 0 && row % 2 == 0;
            insert.execute(params![
                Uuid::from_u64_pair(0x5eed_0007_0000_0000, n).to_string(),
                900_000 + n as i64,
                row,
                name,
                position as i64,
                important,
                ticked,
                ticked.then(|| now - Duration::hours(2)),
            ])?;
            n += 1;
        }
    }
    Ok(())
}
