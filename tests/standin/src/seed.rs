//! Seeding from Fieldkit's own sample generator: the sample MSP is loaded
//! into an in-memory Fieldkit database, read back with SQL and turned into
//! PSA records with integer ids (deterministic for a given size and `now`),
//! local UUID references becoming those ids.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fieldkit_core::sample_data::{load_sample_data_sized, SampleSize};
use fieldkit_core::Db;
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::store::{normalize, stamp, Store};

/// What to seed the stand-in with.
pub struct Seed {
    pub size: SampleSize,
    pub now: DateTime<Utc>,
}

impl Seed {
    /// The sample MSP at `scale` (10 customers and 60 tickets per unit), as of now.
    pub fn scaled(scale: u32) -> Seed {
        let mut size = SampleSize::scaled(scale);
        // Stock is not part of the PSA.
        size.stock_movements = 0;
        Seed { size, now: Utc::now() }
    }

    /// Only the people (resources); picklists are always served. No
    /// companies, tickets or anything else.
    pub fn empty() -> Seed {
        let mut size = SampleSize::scaled(1);
        size.customers = 0;
        size.tickets = 0;
        size.stock_movements = 0;
        Seed { size, now: Utc::now() }
    }
}

/// Adds a seeded record in the contract's spelling and types; a value the
/// contract cannot take is a bug in this mapping, reported as such.
fn put(store: &mut Store, entity: &str, record: Value) -> rusqlite::Result<()> {
    let record = record.as_object().cloned().unwrap_or_default();
    match normalize(entity, &record, false) {
        Ok(record) => {
            store.seed(entity, record);
            Ok(())
        }
        Err(message) => Err(rusqlite::Error::ToSqlConversionFailure(format!("seeding {entity}: {message}").into())),
    }
}

type Ids = HashMap<String, i64>;

fn rows<T>(
    c: &Connection,
    sql: &str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut statement = c.prepare(sql)?;
    let rows = statement.query_map([], map)?;
    rows.collect()
}

/// The records of `seed`.
pub fn seed(seed: &Seed) -> Result<Store, String> {
    let db = Db::open_in_memory().map_err(|e| e.to_string())?;
    let only_people = seed.size.customers == 0;
    let mut size = seed.size.clone();
    if only_people {
        // The generator always makes one customer; only its people are kept.
        size.customers = 1;
        size.tickets = 1;
        size.time_days = 0;
    }
    load_sample_data_sized(&db, &size, seed.now).map_err(|e| e.to_string())?;
    let mut store = Store::default();
    db.read(|c| fill(&mut store, c, seed.now, only_people)).map_err(|e: rusqlite::Error| e.to_string())?;
    if !only_people {
        // Company 0 is the MSP itself, as in every Autotask database.
        let since = stamp(seed.now - chrono::Duration::days(365));
        let msp = json!({ "id": 0, "companyName": "Fieldkit MSP", "companyType": 5, "isActive": true, "lastActivityDate": since });
        put(&mut store, "Companies", msp).map_err(|e| e.to_string())?;
    }
    store.after_seeding();
    Ok(store)
}

fn fill(store: &mut Store, c: &Connection, now: DateTime<Utc>, only_people: bool) -> rusqlite::Result<()> {
    let mut resources = Ids::new();
    for (n, (id, first, last, email, role, active)) in
        rows(c, "SELECT id, first_name, last_name, email, role, is_active FROM resources ORDER BY rowid", |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })?
        .into_iter()
        .enumerate()
    {
        let psa = 29_682_885 + n as i64;
        let title = match role.as_str() {
            "office_admin" => "Office Admin",
            "senior_technician" => "Senior Technician",
            _ => "Technician",
        };
        put(
            store,
            "Resources",
            json!({ "id": psa, "firstName": first, "lastName": last, "email": email, "title": title, "isActive": active,
                           "userName": email.split('@').next().unwrap_or_default(), "resourceType": "Employee" }),
        )?;
        // Autotask's service desk roles: the role a resource's time and
        // assignments are made under.
        let role = match role.as_str() {
            "office_admin" => 29_683_463,
            "senior_technician" => 29_683_462,
            _ => 29_683_461,
        };
        put(
            store,
            "ResourceServiceDeskRoles",
            json!({ "id": 200_000 + n as i64, "resourceID": psa, "roleID": role, "isDefault": true, "isActive": true }),
        )?;
        resources.insert(id, psa);
    }
    if only_people {
        return Ok(());
    }
    let mut companies = Ids::new();
    for (n, (id, name, phone, website, msa, updated)) in
        rows(c, "SELECT id, name, phone, website, is_msa, updated_at FROM customers ORDER BY name", |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, DateTime<Utc>>(5)?,
            ))
        })?
        .into_iter()
        .enumerate()
    {
        let psa = 1_000 + n as i64;
        put(
            store,
            "Companies",
            json!({ "id": psa, "companyName": name, "phone": phone, "webAddress": website, "isActive": true,
                           "companyType": 1, "lastActivityDate": stamp(updated),
                           "userDefinedFields": [{ "name": "MSA", "value": if msa { "Yes" } else { "No" } }] }),
        )?;
        companies.insert(id, psa);
    }
    let mut sites = Ids::new();
    for (n, (id, customer, name, a1, a2, city, state, postal, phone, primary)) in rows(
        c,
        "SELECT id, customer_id, name, address1, address2, city, state, postal_code, phone, is_primary FROM sites ORDER BY rowid",
        |r| {
            Ok((
                r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?,
                r.get::<_, String>(5)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?, r.get::<_, String>(8)?, r.get::<_, bool>(9)?,
            ))
        },
    )?
    .into_iter()
    .enumerate()
    {
        let psa = 5_000 + n as i64;
        put(
            store,
            "CompanyLocations",
            json!({ "id": psa, "companyID": companies.get(&customer), "name": name, "address1": a1, "address2": a2,
                           "city": city, "state": state, "postalCode": postal, "phone": phone, "isPrimary": primary, "isActive": true }),
        )?;
        sites.insert(id, psa);
    }
    let mut contacts = Ids::new();
    for (n, (id, customer, site, first, last, title, phone, mobile, email)) in rows(
        c,
        "SELECT id, customer_id, site_id, first_name, last_name, title, phone, mobile, email FROM contacts ORDER BY rowid",
        |r| {
            Ok((
                r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?,
                r.get::<_, String>(4)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?, r.get::<_, String>(8)?,
            ))
        },
    )?
    .into_iter()
    .enumerate()
    {
        let psa = 30_000 + n as i64;
        put(
            store,
            "Contacts",
            json!({ "id": psa, "companyID": companies.get(&customer), "companyLocationID": site.and_then(|s| sites.get(&s).copied()),
                           "firstName": first, "lastName": last, "title": title, "phone": phone, "mobilePhone": mobile,
                           "emailAddress": email, "isActive": 1, "lastActivityDate": stamp(now - chrono::Duration::days(30) + chrono::Duration::seconds(n as i64)) }),
        )?;
        contacts.insert(id, psa);
    }
    let mut devices = Ids::new();
    for (n, (id, customer, site, name, serial, agent)) in rows(
        c,
        "SELECT id, customer_id, site_id, name, serial_number, rmm_agent_installed FROM devices ORDER BY rowid",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
            ))
        },
    )?
    .into_iter()
    .enumerate()
    {
        let psa = 60_000 + n as i64;
        let mut item = json!({ "id": psa, "companyID": companies.get(&customer), "companyLocationID": site.and_then(|s| sites.get(&s).copied()),
                           "referenceTitle": name, "rmmDeviceAuditHostname": name, "serialNumber": serial, "isActive": true,
                           "lastModifiedTime": stamp(now - chrono::Duration::days(60) + chrono::Duration::seconds(n as i64)) });
        // A device with an RMM agent carries the RMM's ids, as Autotask shows them.
        if agent {
            item["rmmDeviceID"] = json!(880_000 + n as i64);
            item["rmmDeviceUID"] = json!(format!("{:08x}-rmm-{n}", 0x5eed_0000u32 + n as u32));
        }
        put(store, "ConfigurationItems", item)?;
        devices.insert(id, psa);
    }
    let mut tickets: HashMap<i64, i64> = HashMap::new();
    #[allow(clippy::type_complexity)]
    let ticket_rows: Vec<(i64, String, String, String, i64, i64, Option<i64>, Option<i64>, Option<i64>, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<DateTime<Utc>>, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<DateTime<Utc>>)> = rows(
        c,
        "SELECT row, number, title, description, status, priority, queue, issue_type, source, customer_id, site_id, contact_id,
                device_id, primary_resource_id, due_at, created_at, last_activity_at, last_customer_visible_at, first_response_at, completed_at
         FROM tickets ORDER BY row",
        |r| {
            Ok((
                r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?,
                r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?, r.get(14)?, r.get(15)?, r.get(16)?, r.get(17)?, r.get(18)?, r.get(19)?,
            ))
        },
    )?;
    for (n, t) in ticket_rows.into_iter().enumerate() {
        let psa = 100_000 + n as i64;
        let lookup = |ids: &Ids, key: &Option<String>| key.as_ref().and_then(|k| ids.get(k).copied());
        put(
            store,
            "Tickets",
            json!({
                "id": psa, "ticketNumber": t.1, "title": t.2, "description": t.3, "status": t.4, "priority": t.5,
                "queueID": t.6, "issueType": t.7, "source": t.8, "companyID": companies.get(&t.9),
                "companyLocationID": lookup(&sites, &t.10), "contactID": lookup(&contacts, &t.11),
                "configurationItemID": lookup(&devices, &t.12), "assignedResourceID": lookup(&resources, &t.13),
                "assignedResourceRoleID": t.13.as_ref().map(|_| 29683),
                "dueDateTime": t.14.map(stamp), "createDate": stamp(t.15), "lastActivityDate": stamp(t.16),
                "lastCustomerVisibleActivityDateTime": t.17.map(stamp), "firstResponseDateTime": t.18.map(stamp),
                "completedDate": t.19.map(stamp), "externalID": null, "ticketType": 1,
            }),
        )?;
        tickets.insert(t.0, psa);
    }
    for (n, (row, resource)) in rows(
        c,
        "SELECT ticket_row, resource_id FROM ticket_secondary_resources ORDER BY ticket_row, resource_id",
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    )?
    .into_iter()
    .enumerate()
    {
        put(
            store,
            "TicketSecondaryResources",
            json!({ "id": 700_000 + n as i64, "ticketID": tickets.get(&row), "resourceID": resources.get(&resource), "roleID": 29683 }),
        )?;
    }
    // The tickets' checklists; a ticked item names whoever ticked it.
    for (n, (row, name, position, important, completed, by, at)) in rows(
        c,
        "SELECT ticket_row, name, position, is_important, is_completed, completed_by_resource_id, completed_at
         FROM checklist_items ORDER BY row",
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<DateTime<Utc>>>(6)?,
            ))
        },
    )?
    .into_iter()
    .enumerate()
    {
        let Some(ticket) = tickets.get(&row) else { continue };
        let by = by
            .and_then(|b| resources.get(&b).copied())
            .or_else(|| completed.then(|| resources.values().min().copied()).flatten());
        put(
            store,
            "TicketChecklistItems",
            json!({ "id": 900_000 + n as i64, "ticketID": ticket, "itemName": name, "position": position,
                           "isImportant": important, "isCompleted": completed,
                           "completedByResourceID": if completed { by } else { None },
                           "completedDateTime": at.map(stamp) }),
        )?;
    }
    for (n, (row, note_type, title, body, visible, author, created)) in rows(
        c,
        "SELECT ticket_row, note_type, title, body, is_customer_visible, author_resource_id, created_at FROM ticket_notes ORDER BY row",
        |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, bool>(4)?,
                r.get::<_, Option<String>>(5)?, r.get::<_, DateTime<Utc>>(6)?))
        },
    )?
    .into_iter()
    .enumerate()
    {
        put(
            store,
            "TicketNotes",
            json!({ "id": 1_000_000 + n as i64, "ticketID": tickets.get(&row), "noteType": note_type.unwrap_or(1), "title": title,
                           "description": body, "publish": if visible { 1 } else { 2 },
                           "creatorResourceID": author.and_then(|a| resources.get(&a).copied()),
                           "createDateTime": stamp(created), "lastActivityDate": stamp(created) }),
        )?;
    }
    for (n, (resource, row, start, end, work, billable, summary, internal, updated)) in rows(
        c,
        "SELECT resource_id, ticket_row, start_at, end_at, work_type, billable, summary_notes, internal_notes, updated_at FROM time_entries ORDER BY start_at",
        |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, DateTime<Utc>>(2)?, r.get::<_, DateTime<Utc>>(3)?, r.get::<_, i64>(4)?,
                r.get::<_, bool>(5)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?, r.get::<_, DateTime<Utc>>(8)?))
        },
    )?
    .into_iter()
    .enumerate()
    {
        put(
            store,
            "TimeEntries",
            json!({ "id": 3_000_000 + n as i64, "ticketID": tickets.get(&row), "resourceID": resources.get(&resource), "roleID": 29683,
                           "billingCodeID": work, "dateWorked": stamp(start.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
                           "startDateTime": stamp(start), "endDateTime": stamp(end),
                           "hoursWorked": ((end - start).num_minutes() as f64 / 60.0 * 100.0).round() / 100.0,
                           "summaryNotes": summary, "internalNotes": internal, "isNonBillable": !billable,
                           "lastModifiedDateTime": stamp(updated) }),
        )?;
    }
    let mut calls = HashMap::new();
    for (n, (id, customer, site, start, end, description, created)) in rows(
        c,
        "SELECT id, customer_id, site_id, start_at, end_at, description, created_at FROM appointments ORDER BY start_at",
        |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, DateTime<Utc>>(3)?,
                r.get::<_, DateTime<Utc>>(4)?, r.get::<_, String>(5)?, r.get::<_, DateTime<Utc>>(6)?))
        },
    )?
    .into_iter()
    .enumerate()
    {
        let psa = 400_000 + n as i64;
        put(
            store,
            "ServiceCalls",
            json!({ "id": psa, "companyID": companies.get(&customer), "companyLocationID": site.and_then(|s| sites.get(&s).copied()),
                           "startDateTime": stamp(start), "endDateTime": stamp(end), "description": description, "status": 1,
                           "isComplete": 0, "createDateTime": stamp(created), "lastModifiedDateTime": stamp(created) }),
        )?;
        calls.insert(id, psa);
    }
    let links = rows(
        c,
        "SELECT appointment_id, ticket_row FROM appointment_tickets ORDER BY appointment_id, ticket_row",
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )?;
    let people = rows(
        c,
        "SELECT appointment_id, resource_id FROM appointment_resources ORDER BY appointment_id, resource_id",
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )?;
    let mut next_resource_link = 500_000;
    for (n, (call, row)) in links.into_iter().enumerate() {
        let link = 450_000 + n as i64;
        put(
            store,
            "ServiceCallTickets",
            json!({ "id": link, "serviceCallID": calls.get(&call), "ticketID": tickets.get(&row) }),
        )?;
        for (_, resource) in people.iter().filter(|(appointment, _)| *appointment == call) {
            put(
                store,
                "ServiceCallTicketResources",
                json!({ "id": next_resource_link, "serviceCallTicketID": link, "resourceID": resources.get(resource) }),
            )?;
            next_resource_link += 1;
        }
    }
    Ok(())
}
