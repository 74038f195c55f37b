//! Writing pulled records into the cache, one page per transaction. Records
//! are matched by their PSA id; a record seen for the first time gets a
//! local UUID. References the cache does not hold yet (a ticket's company)
//! are reported so the engine can fetch them first: a page is applied whole
//! or not at all.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;
use uuid::Uuid;

use super::autotask::field;
use super::conflicts::merge_ticket;
use super::connector::Kind;
use super::SyncError;
use crate::picklists::{meaning, PicklistKind, PicklistValue};
use crate::tickets::search_index::reindex_ticket;

pub(crate) fn text(record: &Value, name: &str) -> String {
    match field(record, name) {
        Some(Value::String(text)) => text.replace('\0', ""),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

pub(crate) fn int(record: &Value, name: &str) -> Option<i64> {
    match field(record, name)? {
        Value::Number(number) => number.as_i64().or_else(|| number.as_f64().map(|f| f as i64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// `execute` through the statement cache: a pull runs the same few
/// statements a hundred thousand times, and parsing them each time costs more
/// than running them.
pub(crate) fn exec<P: rusqlite::Params>(tx: &Transaction<'_>, sql: &str, params: P) -> rusqlite::Result<usize> {
    tx.prepare_cached(sql)?.execute(params)
}

/// `query_row` through the statement cache.
pub(crate) fn one<T, P: rusqlite::Params>(
    tx: &Transaction<'_>,
    sql: &str,
    params: P,
    map: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    tx.prepare_cached(sql)?.query_row(params, map)
}

fn boolean(record: &Value, name: &str) -> Option<bool> {
    match field(record, name)? {
        Value::Bool(value) => Some(*value),
        Value::Number(number) => Some(number.as_i64() != Some(0)),
        Value::String(text) => Some(matches!(text.to_ascii_lowercase().as_str(), "true" | "1" | "yes")),
        _ => None,
    }
}

/// A PSA time (UTC; with or without an offset).
pub(crate) fn time(record: &Value, name: &str) -> Option<DateTime<Utc>> {
    let text = field(record, name)?.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc()))
}

fn psa_id(record: &Value) -> Result<i64, SyncError> {
    int(record, "id").ok_or_else(|| SyncError::Malformed("a record without an id".into()))
}

fn local_id(tx: &Transaction<'_>, table: &str, psa: Option<i64>) -> rusqlite::Result<Option<String>> {
    let Some(psa) = psa else { return Ok(None) };
    tx.prepare_cached(&format!("SELECT id FROM {table} WHERE psa_id = ?1"))?.query_row([psa], |r| r.get(0)).optional()
}

fn ticket_row(tx: &Transaction<'_>, psa: Option<i64>) -> rusqlite::Result<Option<i64>> {
    let Some(psa) = psa else { return Ok(None) };
    tx.prepare_cached("SELECT row FROM tickets WHERE psa_id = ?1")?.query_row([psa], |r| r.get(0)).optional()
}

/// What a page needed that the cache lacks.
#[derive(Debug, Default)]
pub(crate) struct Missing {
    pub companies: BTreeSet<i64>,
}

/// The newest change time on a page, for the watermark.
pub(crate) fn newest(kind: Kind, records: &[Value]) -> Option<DateTime<Utc>> {
    let name = kind.change_field()?;
    records.iter().filter_map(|record| time(record, name)).max()
}

/// Picklists: labels, order and activity follow the PSA; a value's meaning
/// is kept, or guessed from its label the first time it is seen.
pub(crate) fn apply_picklists(tx: &Transaction<'_>, values: &[PicklistValue]) -> Result<(), SyncError> {
    for value in values {
        let guessed = guess_meaning(value.kind, &value.label);
        tx.prepare_cached(
            "INSERT INTO picklist_values (kind, value, label, meaning, is_active, sort_order) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (kind, value) DO UPDATE SET label = excluded.label, is_active = excluded.is_active,
                 sort_order = excluded.sort_order, meaning = coalesce(picklist_values.meaning, excluded.meaning)",
        )?
        .execute(params![value.kind.as_str(), value.value, value.label, guessed, value.is_active, value.sort_order])?;
    }
    Ok(())
}

fn guess_meaning(kind: PicklistKind, label: &str) -> Option<&'static str> {
    let label = label.to_ascii_lowercase();
    let label = label.trim();
    match kind {
        PicklistKind::Status if label == "new" => Some(meaning::STATUS_NEW),
        PicklistKind::Status if label == "complete" || label == "completed" => Some(meaning::STATUS_COMPLETE),
        PicklistKind::Status if label == "in progress" => Some(meaning::STATUS_IN_PROGRESS),
        PicklistKind::Status if label.starts_with("follow") => Some(meaning::STATUS_FOLLOW_UP_NEEDED),
        PicklistKind::Priority if label == "critical" => Some(meaning::PRIORITY_CRITICAL),
        PicklistKind::Priority if label == "high" => Some(meaning::PRIORITY_HIGH),
        PicklistKind::Priority if label == "medium" => Some(meaning::PRIORITY_MEDIUM),
        PicklistKind::Queue if label.contains("technician") => Some(meaning::QUEUE_TECHNICIANS),
        PicklistKind::IssueType if label.contains("backup") => Some(meaning::ISSUE_TYPE_BACKUP_CHECK),
        PicklistKind::IssueType if label.contains("discrepanc") => Some(meaning::ISSUE_TYPE_DISCREPANCY),
        PicklistKind::Source if label.contains("field") => Some(meaning::SOURCE_FIELD),
        PicklistKind::WorkType if !label.contains("internal") && !label.contains("travel") => {
            Some(meaning::WORK_TYPE_BILLABLE)
        }
        _ => None,
    }
}

/// Applies one page of `kind`. `Err(SyncError::NeedsParents)` when it refers
/// to companies not cached yet (nothing is written then).
pub(crate) fn apply_page(
    tx: &Transaction<'_>,
    kind: Kind,
    records: &[Value],
    now: DateTime<Utc>,
) -> Result<Missing, SyncError> {
    let mut missing = Missing::default();
    if matches!(kind, Kind::Tickets | Kind::ServiceCalls) {
        for record in records {
            if let Some(company) = int(record, "companyID") {
                if local_id(tx, "customers", Some(company))?.is_none() {
                    missing.companies.insert(company);
                }
            }
        }
        if !missing.companies.is_empty() {
            return Ok(missing);
        }
    }
    let mut touched_tickets = BTreeSet::new();
    let mut touched_customers = BTreeSet::new();
    let mut notes = if kind == Kind::Notes { Some(NotePage::read(tx)?) } else { None };
    for record in records {
        match kind {
            Kind::Resources => _ = resource(tx, record)?,
            Kind::Roles => role(tx, record)?,
            Kind::Companies => _ = touched_customers.insert(company(tx, record, now)?),
            Kind::Locations => touched_customers.extend(location(tx, record)?),
            Kind::Contacts => touched_customers.extend(contact(tx, record)?),
            Kind::Devices => _ = device(tx, record)?,
            Kind::Tickets => touched_tickets.extend(ticket(tx, record, now)?),
            Kind::SecondaryResources => _ = secondary(tx, record)?,
            Kind::Notes => touched_tickets.extend(note(tx, notes.as_mut().expect("read above"), record, now)?),
            Kind::ServiceCalls => _ = service_call(tx, record, now)?,
            Kind::ServiceCallTickets => _ = call_ticket(tx, record)?,
            Kind::ServiceCallResources => _ = call_resource(tx, record)?,
            Kind::TimeEntries => _ = time_entry(tx, record, now)?,
        }
    }
    // Search documents are rebuilt once per ticket after the kind is pulled
    // (a page of notes touches hundreds of tickets; a pull touches them again).
    for row in touched_tickets {
        tx.prepare_cached("INSERT OR IGNORE INTO sync_reindex (ticket_row) VALUES (?1)")?.execute([row])?;
    }
    for customer in touched_customers {
        reindex_customer(tx, &customer)?;
    }
    Ok(missing)
}

fn resource(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let title = text(record, "title").to_ascii_lowercase();
    let role = if title.contains("office") || title.contains("admin") {
        "office_admin"
    } else if title.contains("senior") || title.contains("lead") {
        "senior_technician"
    } else {
        "technician"
    };
    let active = boolean(record, "isActive").unwrap_or(true);
    match local_id(tx, "resources", Some(psa))? {
        Some(id) => exec(tx,
            "UPDATE resources SET first_name = ?2, last_name = ?3, email = ?4, role = ?5, is_active = ?6 WHERE id = ?1",
            params![id, text(record, "firstName"), text(record, "lastName"), text(record, "email"), role, active],
        )?,
        None => exec(tx,
            "INSERT INTO resources (id, psa_id, first_name, last_name, email, role, is_active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![Uuid::now_v7().to_string(), psa, text(record, "firstName"), text(record, "lastName"), text(record, "email"), role, active],
        )?,
    };
    Ok(true)
}

/// A service desk role of a resource: the default one is the role Fieldkit
/// sends with that resource's time and assignments; another active role
/// stands in until a default is seen.
fn role(tx: &Transaction<'_>, record: &Value) -> Result<(), SyncError> {
    let (Some(resource), Some(role)) = (int(record, "resourceID"), int(record, "roleID")) else { return Ok(()) };
    if boolean(record, "isActive") == Some(false) {
        return Ok(());
    }
    let sql = if boolean(record, "isDefault").unwrap_or(false) {
        "UPDATE resources SET psa_role_id = ?2 WHERE psa_id = ?1"
    } else {
        "UPDATE resources SET psa_role_id = coalesce(psa_role_id, ?2) WHERE psa_id = ?1"
    };
    exec(tx, sql, params![resource, role])?;
    Ok(())
}

fn is_msa(record: &Value) -> bool {
    field(record, "userDefinedFields").and_then(Value::as_array).into_iter().flatten().any(|udf| {
        text(udf, "name").eq_ignore_ascii_case("MSA")
            && matches!(text(udf, "value").to_ascii_lowercase().as_str(), "yes" | "true" | "1")
    })
}

fn company(tx: &Transaction<'_>, record: &Value, now: DateTime<Utc>) -> Result<String, SyncError> {
    let psa = psa_id(record)?;
    let name = match text(record, "companyName") {
        name if name.trim().is_empty() => format!("Company {psa}"),
        name => name,
    };
    Ok(match local_id(tx, "customers", Some(psa))? {
        Some(id) => {
            exec(
                tx,
                "UPDATE customers SET name = ?2, phone = ?3, website = ?4, is_msa = ?5, updated_at = ?6 WHERE id = ?1",
                params![id, name, text(record, "phone"), text(record, "webAddress"), is_msa(record), now],
            )?;
            id
        }
        None => {
            let id = Uuid::now_v7().to_string();
            exec(tx,
                "INSERT INTO customers (id, psa_id, name, phone, website, is_msa, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![id, psa, name, text(record, "phone"), text(record, "webAddress"), is_msa(record), now],
            )?;
            id
        }
    })
}

fn location(tx: &Transaction<'_>, record: &Value) -> Result<Option<String>, SyncError> {
    let psa = psa_id(record)?;
    let Some(customer) = local_id(tx, "customers", int(record, "companyID"))? else { return Ok(None) };
    let values = (
        text(record, "name"),
        text(record, "address1"),
        text(record, "address2"),
        text(record, "city"),
        text(record, "state"),
        text(record, "postalCode"),
        text(record, "phone"),
        boolean(record, "isPrimary").unwrap_or(false),
    );
    match local_id(tx, "sites", Some(psa))? {
        Some(id) => exec(tx,
            "UPDATE sites SET customer_id = ?2, name = ?3, address1 = ?4, address2 = ?5, city = ?6, state = ?7, postal_code = ?8,
                 phone = ?9, is_primary = ?10 WHERE id = ?1",
            params![id, customer, values.0, values.1, values.2, values.3, values.4, values.5, values.6, values.7],
        )?,
        None => exec(tx,
            "INSERT INTO sites (id, psa_id, customer_id, name, address1, address2, city, state, postal_code, phone, is_primary, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, (SELECT count(*) FROM sites WHERE customer_id = ?3))",
            params![Uuid::now_v7().to_string(), psa, customer, values.0, values.1, values.2, values.3, values.4, values.5, values.6, values.7],
        )?,
    };
    Ok(Some(customer))
}

fn contact(tx: &Transaction<'_>, record: &Value) -> Result<Option<String>, SyncError> {
    let psa = psa_id(record)?;
    let Some(customer) = local_id(tx, "customers", int(record, "companyID"))? else { return Ok(None) };
    let site = local_id(tx, "sites", int(record, "companyLocationID"))?;
    let (first, last, title, phone, mobile, email) = (
        text(record, "firstName"),
        text(record, "lastName"),
        text(record, "title"),
        text(record, "phone"),
        text(record, "mobilePhone"),
        text(record, "emailAddress"),
    );
    match local_id(tx, "contacts", Some(psa))? {
        Some(id) => exec(tx,
            "UPDATE contacts SET customer_id = ?2, site_id = ?3, first_name = ?4, last_name = ?5, title = ?6, phone = ?7,
                 mobile = ?8, email = ?9 WHERE id = ?1",
            params![id, customer, site, first, last, title, phone, mobile, email],
        )?,
        None => exec(tx,
            "INSERT INTO contacts (id, psa_id, customer_id, site_id, first_name, last_name, title, phone, mobile, email, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT count(*) FROM contacts WHERE customer_id = ?3))",
            params![Uuid::now_v7().to_string(), psa, customer, site, first, last, title, phone, mobile, email],
        )?,
    };
    Ok(Some(customer))
}

fn device(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let Some(customer) = local_id(tx, "customers", int(record, "companyID"))? else { return Ok(false) };
    let site = local_id(tx, "sites", int(record, "companyLocationID"))?;
    let name = [text(record, "referenceTitle"), text(record, "rmmDeviceAuditHostname")]
        .into_iter()
        .find(|name| !name.trim().is_empty())
        .unwrap_or_else(|| format!("Device {psa}"));
    let serial = text(record, "serialNumber");
    match local_id(tx, "devices", Some(psa))? {
        Some(id) => exec(tx,
            "UPDATE devices SET customer_id = ?2, site_id = ?3, name = ?4, serial_number = ?5 WHERE id = ?1",
            params![id, customer, site, name, serial],
        )?,
        None => exec(tx,
            "INSERT INTO devices (id, psa_id, customer_id, site_id, name, serial_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![Uuid::now_v7().to_string(), psa, customer, site, name, serial],
        )?,
    };
    Ok(true)
}

fn ticket(tx: &Transaction<'_>, record: &Value, now: DateTime<Utc>) -> Result<Option<i64>, SyncError> {
    let psa = psa_id(record)?;
    let Some(customer) = local_id(tx, "customers", int(record, "companyID"))? else { return Ok(None) };
    let site = local_id(tx, "sites", int(record, "companyLocationID"))?;
    let contact = local_id(tx, "contacts", int(record, "contactID"))?;
    let device = local_id(tx, "devices", int(record, "configurationItemID"))?;
    let resource = local_id(tx, "resources", int(record, "assignedResourceID"))?;
    let number = match text(record, "ticketNumber") {
        number if number.is_empty() => format!("PSA-{psa}"),
        number => number,
    };
    let status = int(record, "status").unwrap_or(1);
    let priority = int(record, "priority").unwrap_or(2);
    let created = time(record, "createDate").unwrap_or(now);
    let activity = time(record, "lastActivityDate").unwrap_or(created);
    let row = match ticket_row(tx, Some(psa))? {
        Some(row) => Some(row),
        None => adopt_ticket(tx, record, psa)?,
    };
    let row = match row {
        Some(row) => {
            // Status and primary resource can be changed here too: merge them.
            let (status, resource) = merge_ticket(tx, row, status, resource.clone(), now)?;
            exec(
                tx,
                "UPDATE tickets SET number = ?2, title = ?3, description = ?4, status = ?5, priority = ?6, queue = ?7,
                     issue_type = ?8, source = ?9, customer_id = ?10, site_id = ?11, contact_id = ?12, device_id = ?13,
                     primary_resource_id = ?14, due_at = ?15, created_at = ?16, last_activity_at = ?17,
                     last_customer_visible_at = ?18, first_response_at = ?19, completed_at = ?20
                 WHERE row = ?1",
                params![
                    row,
                    number,
                    text(record, "title"),
                    text(record, "description"),
                    status,
                    priority,
                    int(record, "queueID"),
                    int(record, "issueType"),
                    int(record, "source"),
                    customer,
                    site,
                    contact,
                    device,
                    resource,
                    time(record, "dueDateTime"),
                    created,
                    activity,
                    time(record, "lastCustomerVisibleActivityDateTime"),
                    time(record, "firstResponseDateTime"),
                    time(record, "completedDate"),
                ],
            )?;
            row
        }
        None => {
            exec(tx,
                "INSERT INTO tickets (id, psa_id, number, title, description, status, priority, queue, issue_type, source,
                     customer_id, site_id, contact_id, device_id, primary_resource_id, due_at, created_at, last_activity_at,
                     last_customer_visible_at, first_response_at, completed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
                params![
                    Uuid::now_v7().to_string(),
                    psa,
                    number,
                    text(record, "title"),
                    text(record, "description"),
                    status,
                    priority,
                    int(record, "queueID"),
                    int(record, "issueType"),
                    int(record, "source"),
                    customer,
                    site,
                    contact,
                    device,
                    resource,
                    time(record, "dueDateTime"),
                    created,
                    activity,
                    time(record, "lastCustomerVisibleActivityDateTime"),
                    time(record, "firstResponseDateTime"),
                    time(record, "completedDate"),
                ],
            )?;
            let row = tx.last_insert_rowid();
            super::conflicts::set_base(tx, row, status, resource.as_deref())?;
            row
        }
    };
    Ok(Some(row))
}

/// A ticket made here whose create reached the PSA although its answer was
/// lost: the PSA returns it with our outbox key in `externalID`. The local
/// ticket takes its PSA id instead of a second copy being made.
fn adopt_ticket(tx: &Transaction<'_>, record: &Value, psa: i64) -> Result<Option<i64>, SyncError> {
    let key = text(record, "externalID");
    if key.is_empty() {
        return Ok(None);
    }
    let row: Option<i64> = tx
        .query_row(
            "SELECT t.row FROM outbox o JOIN tickets t ON t.id = o.entity_id
             WHERE o.id = ?1 AND o.entity = 'Ticket' AND o.operation = 'create' AND t.psa_id IS NULL",
            [&key],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(row) = row {
        exec(tx, "UPDATE tickets SET psa_id = ?2 WHERE row = ?1", params![row, psa])?;
    }
    Ok(row)
}

fn secondary(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let (Some(row), Some(resource)) =
        (ticket_row(tx, int(record, "ticketID"))?, local_id(tx, "resources", int(record, "resourceID"))?)
    else {
        return Ok(false);
    };
    exec(
        tx,
        "INSERT OR IGNORE INTO ticket_secondary_resources (ticket_row, resource_id, is_open)
         SELECT ?1, ?2, completed_at IS NULL FROM tickets WHERE row = ?1",
        params![row, resource],
    )?;
    Ok(true)
}

/// Replaces the secondary resources of these tickets before their fresh set is applied.
pub(crate) fn clear_secondary(tx: &Transaction<'_>, tickets: &[i64]) -> Result<(), SyncError> {
    for psa in tickets {
        if let Some(row) = ticket_row(tx, Some(*psa))? {
            exec(tx, "DELETE FROM ticket_secondary_resources WHERE ticket_row = ?1", [row])?;
        }
    }
    Ok(())
}

/// What every note of a page looks up, read once per page: the resources
/// (authors), whether any note written here is still unsent (only then can a
/// pulled note be one of ours whose answer was lost), and the last ticket
/// (a ticket's notes arrive together).
struct NotePage {
    authors: HashMap<i64, (String, String)>,
    unsent: bool,
    ticket: Option<(i64, Option<i64>)>,
}

impl NotePage {
    fn read(tx: &Transaction<'_>) -> rusqlite::Result<NotePage> {
        let authors = tx
            .prepare_cached(
                "SELECT psa_id, id, first_name || ' ' || last_name FROM resources WHERE psa_id IS NOT NULL",
            )?
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<rusqlite::Result<_>>()?;
        let unsent = one(tx, "SELECT EXISTS (SELECT 1 FROM ticket_notes WHERE psa_id IS NULL)", [], |r| r.get(0))?;
        Ok(NotePage { authors, unsent, ticket: None })
    }

    fn ticket_row(&mut self, tx: &Transaction<'_>, psa: Option<i64>) -> rusqlite::Result<Option<i64>> {
        let Some(psa) = psa else { return Ok(None) };
        match self.ticket {
            Some((known, row)) if known == psa => Ok(row),
            _ => {
                let row = ticket_row(tx, Some(psa))?;
                self.ticket = Some((psa, row));
                Ok(row)
            }
        }
    }
}

fn note(
    tx: &Transaction<'_>,
    page: &mut NotePage,
    record: &Value,
    now: DateTime<Utc>,
) -> Result<Option<i64>, SyncError> {
    let psa = psa_id(record)?;
    let Some(row) = page.ticket_row(tx, int(record, "ticketID"))? else { return Ok(None) };
    let author_psa = int(record, "creatorResourceID");
    let (author, author_name) = match author_psa.and_then(|id| page.authors.get(&id)) {
        Some((id, name)) => (Some(id.as_str()), name.as_str()),
        None => (None, ""),
    };
    let visible = int(record, "publish") == Some(1);
    let from_customer = author_psa.is_none() && int(record, "createdByContactID").is_some();
    let created = time(record, "createDateTime").unwrap_or(now);
    let (title, body) = (text(record, "title"), text(record, "description"));
    if page.unsent {
        let exists: bool =
            one(tx, "SELECT EXISTS (SELECT 1 FROM ticket_notes WHERE psa_id = ?1)", [psa], |r| r.get(0))?;
        if !exists {
            // A note written here whose answer was lost: adopt it, do not copy it.
            exec(tx,
                "UPDATE ticket_notes SET psa_id = ?1 WHERE row = (SELECT row FROM ticket_notes WHERE ticket_row = ?2 AND psa_id IS NULL
                     AND title = ?3 AND body = ?4 ORDER BY row LIMIT 1)",
                params![psa, row, title, body],
            )?;
        }
    }
    exec(
        tx,
        "INSERT INTO ticket_notes (id, psa_id, ticket_row, note_type, title, body, is_customer_visible, from_customer,
             author_resource_id, author_name, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (psa_id) DO UPDATE SET ticket_row = excluded.ticket_row, note_type = excluded.note_type,
             title = excluded.title, body = excluded.body, is_customer_visible = excluded.is_customer_visible",
        params![
            Uuid::now_v7().to_string(),
            psa,
            row,
            int(record, "noteType"),
            title,
            body,
            visible,
            from_customer,
            author,
            author_name,
            created
        ],
    )?;
    Ok(Some(row))
}

fn service_call(tx: &Transaction<'_>, record: &Value, now: DateTime<Utc>) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let Some(customer) = local_id(tx, "customers", int(record, "companyID"))? else { return Ok(false) };
    let site = local_id(tx, "sites", int(record, "companyLocationID"))?;
    let (Some(start), Some(end)) = (time(record, "startDateTime"), time(record, "endDateTime")) else {
        return Ok(false);
    };
    if end <= start {
        return Ok(false);
    }
    let description = text(record, "description");
    let kind = if description.to_ascii_lowercase().contains("remote") { "remote" } else { "on_site" };
    let known = match local_id(tx, "appointments", Some(psa))? {
        Some(id) => Some(id),
        // A service call booked here whose answer was lost: adopt it.
        None => tx
            .query_row(
                // Within a second: the PSA may keep times less precisely than sent.
                "SELECT id FROM appointments WHERE psa_id IS NULL AND customer_id = ?1
                     AND abs(julianday(start_at) - julianday(?2)) < 1.0 / 86400",
                params![customer, start],
                |r| r.get::<_, String>(0),
            )
            .optional()?,
    };
    if let Some(id) = &known {
        exec(tx, "UPDATE appointments SET psa_id = ?2 WHERE id = ?1 AND psa_id IS NULL", params![id, psa])?;
    }
    match known {
        Some(id) => exec(tx,
            "UPDATE appointments SET customer_id = ?2, site_id = ?3, kind = ?4, start_at = ?5, end_at = ?6, description = ?7 WHERE id = ?1",
            params![id, customer, site, kind, start, end, description],
        )?,
        None => exec(tx,
            "INSERT INTO appointments (id, psa_id, customer_id, site_id, kind, start_at, end_at, description, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![Uuid::now_v7().to_string(), psa, customer, site, kind, start, end, description, now],
        )?,
    };
    Ok(true)
}

fn call_ticket(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let (Some(appointment), Some(row)) =
        (local_id(tx, "appointments", int(record, "serviceCallID"))?, ticket_row(tx, int(record, "ticketID"))?)
    else {
        return Ok(false);
    };
    exec(
        tx,
        "INSERT INTO sync_call_tickets (psa_id, appointment_id, ticket_row) VALUES (?1, ?2, ?3)
         ON CONFLICT (psa_id) DO UPDATE SET appointment_id = excluded.appointment_id, ticket_row = excluded.ticket_row",
        params![psa, appointment, row],
    )?;
    exec(
        tx,
        "INSERT OR IGNORE INTO appointment_tickets (appointment_id, ticket_row) VALUES (?1, ?2)",
        params![appointment, row],
    )?;
    Ok(true)
}

fn call_resource(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let appointment: Option<String> = match int(record, "serviceCallTicketID") {
        Some(psa) => tx
            .query_row("SELECT appointment_id FROM sync_call_tickets WHERE psa_id = ?1", [psa], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let (Some(appointment), Some(resource)) = (appointment, local_id(tx, "resources", int(record, "resourceID"))?)
    else {
        return Ok(false);
    };
    exec(
        tx,
        "INSERT OR IGNORE INTO appointment_resources (appointment_id, resource_id) VALUES (?1, ?2)",
        params![appointment, resource],
    )?;
    Ok(true)
}

fn time_entry(tx: &Transaction<'_>, record: &Value, now: DateTime<Utc>) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let (Some(resource), Some(row)) =
        (local_id(tx, "resources", int(record, "resourceID"))?, ticket_row(tx, int(record, "ticketID"))?)
    else {
        return Ok(false);
    };
    let (Some(start), Some(end)) = (time(record, "startDateTime"), time(record, "endDateTime")) else {
        return Ok(false);
    };
    if end <= start {
        return Ok(false);
    }
    let work_type = int(record, "billingCodeID").or_else(|| int(record, "roleID")).unwrap_or(0);
    let billable = !boolean(record, "isNonBillable").unwrap_or(false);
    let known = match local_id(tx, "time_entries", Some(psa))? {
        Some(id) => Some(id),
        // An entry made here whose answer was lost: adopt it.
        None => tx
            .query_row(
                // Within a second: the PSA may keep times less precisely than sent.
                "SELECT id FROM time_entries WHERE psa_id IS NULL AND resource_id = ?1 AND ticket_row = ?2
                     AND abs(julianday(start_at) - julianday(?3)) < 1.0 / 86400",
                params![resource, row, start],
                |r| r.get::<_, String>(0),
            )
            .optional()?,
    };
    if let Some(id) = &known {
        exec(tx, "UPDATE time_entries SET psa_id = ?2 WHERE id = ?1 AND psa_id IS NULL", params![id, psa])?;
    }
    match known {
        Some(id) => exec(tx,
            "UPDATE time_entries SET resource_id = ?2, ticket_row = ?3, start_at = ?4, end_at = ?5, work_type = ?6, billable = ?7,
                 summary_notes = ?8, internal_notes = ?9, updated_at = ?10 WHERE id = ?1",
            params![id, resource, row, start, end, work_type, billable, text(record, "summaryNotes"), text(record, "internalNotes"), now],
        )?,
        None => exec(tx,
            "INSERT INTO time_entries (id, psa_id, resource_id, ticket_row, start_at, end_at, work_type, billable, summary_notes,
                 internal_notes, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![
                Uuid::now_v7().to_string(),
                psa,
                resource,
                row,
                start,
                end,
                work_type,
                billable,
                text(record, "summaryNotes"),
                text(record, "internalNotes"),
                now
            ],
        )?,
    };
    Ok(true)
}

/// Rebuilds the search documents of these tickets (PSA ids) now — all their
/// notes have arrived — and takes them off the list [`reindex_pending`] works through.
pub(crate) fn reindex_tickets(tx: &Transaction<'_>, tickets: &[i64]) -> Result<(), SyncError> {
    for psa in tickets {
        if let Some(row) = ticket_row(tx, Some(*psa))? {
            reindex_ticket(tx, row, true)?;
            exec(tx, "DELETE FROM sync_reindex WHERE ticket_row = ?1", [row])?;
        }
    }
    Ok(())
}

/// Rebuilds the search documents of the tickets pulls touched, 500 per transaction.
pub(crate) fn reindex_pending(db: &crate::db::Db) -> Result<u32, SyncError> {
    let mut done = 0;
    loop {
        let count = db.write(|tx| -> Result<u32, SyncError> {
            let rows: Vec<i64> = tx
                .prepare("SELECT ticket_row FROM sync_reindex ORDER BY ticket_row LIMIT 500")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for row in &rows {
                let exists: bool =
                    one(tx, "SELECT EXISTS (SELECT 1 FROM tickets WHERE row = ?1)", [row], |r| r.get(0))?;
                if exists {
                    reindex_ticket(tx, *row, true)?;
                }
                exec(tx, "DELETE FROM sync_reindex WHERE ticket_row = ?1", [row])?;
            }
            Ok(rows.len() as u32)
        })?;
        done += count;
        if count == 0 {
            return Ok(done);
        }
    }
}

/// The customer's search row from what the cache holds now.
fn reindex_customer(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<()> {
    let body: String = one(tx,
        "SELECT concat_ws(' \n ', c.name, nullif(c.phone, ''), nullif(c.website, ''),
             (SELECT group_concat(concat_ws(' ', s.name, s.address1, s.city, s.postal_code, s.phone), ' \n ') FROM sites s WHERE s.customer_id = c.id),
             (SELECT group_concat(concat_ws(' ', k.first_name, k.last_name, k.title, k.email, k.phone, k.mobile), ' \n ') FROM contacts k WHERE k.customer_id = c.id))
         FROM customers c WHERE c.id = ?1",
        [id],
        |r| r.get(0),
    )?;
    exec(tx, "DELETE FROM customer_search WHERE customer_id = ?1", [id])?;
    exec(tx, "INSERT INTO customer_search (customer_id, body) VALUES (?1, ?2)", params![id, body])?;
    Ok(())
}

/// Removes cached records of `kind` the PSA no longer has (full
/// reconciliation). Records made here and not sent yet have no PSA id and
/// are never touched; a ticket with local work (reports, time) is kept.
pub(crate) fn remove_missing(tx: &Transaction<'_>, kind: Kind, present: &BTreeSet<i64>) -> Result<u32, SyncError> {
    let (table, guard) = match kind {
        Kind::Tickets => (
            "tickets",
            " AND NOT EXISTS (SELECT 1 FROM service_reports r WHERE r.ticket_row = tickets.row)
              AND NOT EXISTS (SELECT 1 FROM time_entries e WHERE e.ticket_row = tickets.row AND e.psa_id IS NULL)
              AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.ticket_row = tickets.row)
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity_id = tickets.id AND o.state = 'pending')",
        ),
        Kind::Notes => ("ticket_notes", ""),
        Kind::TimeEntries => ("time_entries", ""),
        Kind::ServiceCalls => {
            ("appointments", " AND NOT EXISTS (SELECT 1 FROM time_entries e WHERE e.appointment_id = appointments.id)")
        }
        _ => return Ok(0),
    };
    let known: Vec<i64> = tx
        .prepare(&format!("SELECT psa_id FROM {table} WHERE psa_id IS NOT NULL"))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut removed = 0;
    for psa in known.into_iter().filter(|psa| !present.contains(psa)) {
        if kind == Kind::Tickets {
            let deletable: Option<i64> = tx
                .query_row(&format!("SELECT row FROM tickets WHERE psa_id = ?1{guard}"), [psa], |r| r.get(0))
                .optional()?;
            let Some(row) = deletable else { continue };
            exec(tx, "UPDATE tickets SET noticed_on_row = NULL WHERE noticed_on_row = ?1", [row])?;
            exec(tx, "DELETE FROM time_entries WHERE ticket_row = ?1 AND psa_id IS NOT NULL", [row])?;
            exec(tx, "DELETE FROM ticket_search WHERE rowid = ?1", [row])?;
            exec(tx, "DELETE FROM ticket_title_search WHERE rowid = ?1", [row])?;
        }
        removed += exec(tx, &format!("DELETE FROM {table} WHERE psa_id = ?1{guard}"), [psa])? as u32;
    }
    Ok(removed)
}
