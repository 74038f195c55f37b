//! Writing pulled records into the cache, one page per transaction. Records
//! are matched by their PSA id (one upsert per record); a record seen for
//! the first time gets a local (v7) UUID, unless it is one made here whose
//! answer was lost, which is adopted. References the cache does not hold yet
//! (a ticket's company) are reported so the engine can fetch them first: a
//! page is applied whole or not at all. Records are read with
//! [`super::record`], in the neutral shape any connector delivers.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;
use uuid::Uuid;

use super::conflicts::{agree, merge_priority_queue, merge_ticket, set_base};
use super::connector::Kind;
use super::record::{bool_field, field, int_field, text_field, time_field};
use super::statements::{execute_cached, query_row_cached};
use super::SyncError;
use crate::customers::index_customer;
use crate::picklists::{meaning, PicklistKind, PicklistValue};
use crate::tickets::search_index::reindex_ticket;

fn psa_id(record: &Value) -> Result<i64, SyncError> {
    int_field(record, "id").ok_or_else(|| SyncError::Malformed("a record without an id".into()))
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
    records.iter().filter_map(|record| time_field(record, name)).max()
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
        PicklistKind::Status if label.starts_with("waiting") && label.contains("customer") => {
            Some(meaning::STATUS_WAITING_CUSTOMER)
        }
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

/// Applies one page of `kind`. When it refers to companies not cached yet,
/// nothing is written and they come back in [`Missing`] for the engine to
/// fetch first.
pub(crate) fn apply_page(
    tx: &Transaction<'_>,
    kind: Kind,
    records: &[Value],
    now: DateTime<Utc>,
) -> Result<Missing, SyncError> {
    let mut missing = Missing::default();
    if matches!(kind, Kind::Tickets | Kind::ServiceCalls) {
        for record in records {
            if let Some(company) = int_field(record, "companyID") {
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
    let ticked_here = if kind == Kind::ChecklistItems { ticked_here(tx)? } else { Default::default() };
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
            Kind::ChecklistItems => _ = checklist_item(tx, &ticked_here, record)?,
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
        index_customer(tx, &customer)?;
    }
    Ok(missing)
}

fn resource(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let title = text_field(record, "title").to_ascii_lowercase();
    let role = if title.contains("office") || title.contains("admin") {
        "office_admin"
    } else if title.contains("senior") || title.contains("lead") {
        "senior_technician"
    } else {
        "technician"
    };
    let active = bool_field(record, "isActive").unwrap_or(true);
    execute_cached(
        tx,
        "INSERT INTO resources (id, psa_id, first_name, last_name, email, role, is_active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (psa_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
             email = excluded.email, role = excluded.role, is_active = excluded.is_active",
        params![
            Uuid::now_v7().to_string(),
            psa,
            text_field(record, "firstName"),
            text_field(record, "lastName"),
            text_field(record, "email"),
            role,
            active
        ],
    )?;
    Ok(true)
}

/// A service desk role of a resource: the default one is the role Fieldkit
/// sends with that resource's time and assignments; another active role
/// stands in until a default is seen.
fn role(tx: &Transaction<'_>, record: &Value) -> Result<(), SyncError> {
    let (Some(resource), Some(role)) = (int_field(record, "resourceID"), int_field(record, "roleID")) else {
        return Ok(());
    };
    if bool_field(record, "isActive") == Some(false) {
        return Ok(());
    }
    let sql = if bool_field(record, "isDefault").unwrap_or(false) {
        "UPDATE resources SET psa_role_id = ?2 WHERE psa_id = ?1"
    } else {
        "UPDATE resources SET psa_role_id = coalesce(psa_role_id, ?2) WHERE psa_id = ?1"
    };
    execute_cached(tx, sql, params![resource, role])?;
    Ok(())
}

fn is_msa(record: &Value) -> bool {
    field(record, "userDefinedFields").and_then(Value::as_array).into_iter().flatten().any(|udf| {
        text_field(udf, "name").eq_ignore_ascii_case("MSA")
            && matches!(text_field(udf, "value").to_ascii_lowercase().as_str(), "yes" | "true" | "1")
    })
}

fn company(tx: &Transaction<'_>, record: &Value, now: DateTime<Utc>) -> Result<String, SyncError> {
    let psa = psa_id(record)?;
    let name = match text_field(record, "companyName") {
        name if name.trim().is_empty() => format!("Company {psa}"),
        name => name,
    };
    Ok(query_row_cached(
        tx,
        "INSERT INTO customers (id, psa_id, name, phone, website, is_msa, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (psa_id) DO UPDATE SET name = excluded.name, phone = excluded.phone, website = excluded.website,
             is_msa = excluded.is_msa, updated_at = excluded.updated_at
         RETURNING id",
        params![
            Uuid::now_v7().to_string(),
            psa,
            name,
            text_field(record, "phone"),
            text_field(record, "webAddress"),
            is_msa(record),
            now
        ],
        |r| r.get(0),
    )?)
}

fn location(tx: &Transaction<'_>, record: &Value) -> Result<Option<String>, SyncError> {
    let psa = psa_id(record)?;
    let Some(customer) = local_id(tx, "customers", int_field(record, "companyID"))? else { return Ok(None) };
    let values = (
        text_field(record, "name"),
        text_field(record, "address1"),
        text_field(record, "address2"),
        text_field(record, "city"),
        text_field(record, "state"),
        text_field(record, "postalCode"),
        text_field(record, "phone"),
        bool_field(record, "isPrimary").unwrap_or(false),
    );
    execute_cached(
        tx,
        "INSERT INTO sites (id, psa_id, customer_id, name, address1, address2, city, state, postal_code, phone, is_primary, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, (SELECT count(*) FROM sites WHERE customer_id = ?3))
         ON CONFLICT (psa_id) DO UPDATE SET customer_id = excluded.customer_id, name = excluded.name,
             address1 = excluded.address1, address2 = excluded.address2, city = excluded.city, state = excluded.state,
             postal_code = excluded.postal_code, phone = excluded.phone, is_primary = excluded.is_primary",
        params![
            Uuid::now_v7().to_string(),
            psa,
            customer,
            values.0,
            values.1,
            values.2,
            values.3,
            values.4,
            values.5,
            values.6,
            values.7
        ],
    )?;
    Ok(Some(customer))
}

fn contact(tx: &Transaction<'_>, record: &Value) -> Result<Option<String>, SyncError> {
    let psa = psa_id(record)?;
    let Some(customer) = local_id(tx, "customers", int_field(record, "companyID"))? else { return Ok(None) };
    let site = local_id(tx, "sites", int_field(record, "companyLocationID"))?;
    let (first, last, title, phone, mobile, email) = (
        text_field(record, "firstName"),
        text_field(record, "lastName"),
        text_field(record, "title"),
        text_field(record, "phone"),
        text_field(record, "mobilePhone"),
        text_field(record, "emailAddress"),
    );
    execute_cached(
        tx,
        "INSERT INTO contacts (id, psa_id, customer_id, site_id, first_name, last_name, title, phone, mobile, email, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT count(*) FROM contacts WHERE customer_id = ?3))
         ON CONFLICT (psa_id) DO UPDATE SET customer_id = excluded.customer_id, site_id = excluded.site_id,
             first_name = excluded.first_name, last_name = excluded.last_name, title = excluded.title,
             phone = excluded.phone, mobile = excluded.mobile, email = excluded.email",
        params![Uuid::now_v7().to_string(), psa, customer, site, first, last, title, phone, mobile, email],
    )?;
    Ok(Some(customer))
}

fn device(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let Some(customer) = local_id(tx, "customers", int_field(record, "companyID"))? else { return Ok(false) };
    let site = local_id(tx, "sites", int_field(record, "companyLocationID"))?;
    let name = [text_field(record, "referenceTitle"), text_field(record, "rmmDeviceAuditHostname")]
        .into_iter()
        .find(|name| !name.trim().is_empty())
        .unwrap_or_else(|| format!("Device {psa}"));
    let serial = text_field(record, "serialNumber");
    // An RMM agent reports into the PSA: its device id or UID is set.
    let agent = int_field(record, "rmmDeviceID").is_some_and(|id| id > 0)
        || !text_field(record, "rmmDeviceUID").trim().is_empty();
    execute_cached(
        tx,
        "INSERT INTO devices (id, psa_id, customer_id, site_id, name, serial_number, rmm_agent_installed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (psa_id) DO UPDATE SET customer_id = excluded.customer_id, site_id = excluded.site_id,
             name = excluded.name, serial_number = excluded.serial_number,
             rmm_agent_installed = excluded.rmm_agent_installed",
        params![Uuid::now_v7().to_string(), psa, customer, site, name, serial, agent],
    )?;
    Ok(true)
}

fn ticket(tx: &Transaction<'_>, record: &Value, now: DateTime<Utc>) -> Result<Option<i64>, SyncError> {
    let psa = psa_id(record)?;
    let Some(customer) = local_id(tx, "customers", int_field(record, "companyID"))? else { return Ok(None) };
    let site = local_id(tx, "sites", int_field(record, "companyLocationID"))?;
    let contact = local_id(tx, "contacts", int_field(record, "contactID"))?;
    let device = local_id(tx, "devices", int_field(record, "configurationItemID"))?;
    let resource = local_id(tx, "resources", int_field(record, "assignedResourceID"))?;
    let number = match text_field(record, "ticketNumber") {
        number if number.is_empty() => format!("PSA-{psa}"),
        number => number,
    };
    let status = int_field(record, "status").unwrap_or(1);
    let priority = int_field(record, "priority").unwrap_or(2);
    let created = time_field(record, "createDate").unwrap_or(now);
    let activity = time_field(record, "lastActivityDate").unwrap_or(created);
    let known = match ticket_row(tx, Some(psa))? {
        Some(row) => Some(row),
        None => adopt_ticket(tx, record, psa)?,
    };
    // Status and primary resource can be changed here too: a known ticket merges them.
    let (status, resource) = match known {
        Some(row) => merge_ticket(tx, row, status, resource, now)?,
        None => (status, resource),
    };
    // So can priority and queue (escalation, triage).
    let (priority, queue) = match known {
        Some(row) => merge_priority_queue(tx, row, priority, int_field(record, "queueID"), now)?,
        None => (priority, int_field(record, "queueID")),
    };
    let row: i64 = query_row_cached(
        tx,
        "INSERT INTO tickets (id, psa_id, number, title, description, status, priority, queue, issue_type, source,
             customer_id, site_id, contact_id, device_id, primary_resource_id, due_at, created_at, last_activity_at,
             last_customer_visible_at, first_response_at, completed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         ON CONFLICT (psa_id) DO UPDATE SET number = excluded.number, title = excluded.title,
             description = excluded.description, status = excluded.status, priority = excluded.priority,
             queue = excluded.queue, issue_type = excluded.issue_type, source = excluded.source,
             customer_id = excluded.customer_id, site_id = excluded.site_id, contact_id = excluded.contact_id,
             device_id = excluded.device_id, primary_resource_id = excluded.primary_resource_id,
             due_at = excluded.due_at, created_at = excluded.created_at, last_activity_at = excluded.last_activity_at,
             last_customer_visible_at = excluded.last_customer_visible_at,
             first_response_at = excluded.first_response_at, completed_at = excluded.completed_at
         RETURNING row",
        params![
            Uuid::now_v7().to_string(),
            psa,
            number,
            text_field(record, "title"),
            text_field(record, "description"),
            status,
            priority,
            queue,
            int_field(record, "issueType"),
            int_field(record, "source"),
            customer,
            site,
            contact,
            device,
            resource,
            time_field(record, "dueDateTime"),
            created,
            activity,
            time_field(record, "lastCustomerVisibleActivityDateTime"),
            time_field(record, "firstResponseDateTime"),
            time_field(record, "completedDate"),
        ],
        |r| r.get(0),
    )?;
    if known.is_none() {
        // A new ticket: what the PSA says is the agreed base.
        set_base(tx, row, status, resource.as_deref())?;
        agree(tx, row, "priority", &serde_json::json!(priority))?;
        agree(tx, row, "queueID", &serde_json::json!(queue))?;
    }
    Ok(Some(row))
}

/// A ticket made here whose create reached the PSA although its answer was
/// lost: the PSA returns it with our outbox key in `externalID`. The local
/// ticket takes its PSA id instead of a second copy being made.
fn adopt_ticket(tx: &Transaction<'_>, record: &Value, psa: i64) -> Result<Option<i64>, SyncError> {
    let key = text_field(record, "externalID");
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
        execute_cached(tx, "UPDATE tickets SET psa_id = ?2 WHERE row = ?1", params![row, psa])?;
    }
    Ok(row)
}

fn secondary(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let (Some(row), Some(resource)) =
        (ticket_row(tx, int_field(record, "ticketID"))?, local_id(tx, "resources", int_field(record, "resourceID"))?)
    else {
        return Ok(false);
    };
    execute_cached(
        tx,
        "INSERT OR IGNORE INTO ticket_secondary_resources (ticket_row, resource_id, is_open)
         SELECT ?1, ?2, completed_at IS NULL FROM tickets WHERE row = ?1",
        params![row, resource],
    )?;
    Ok(true)
}

/// Checklist items ticked or unticked here whose change is not in the PSA
/// yet (waiting, or refused): a pull leaves their state alone.
fn ticked_here(tx: &Transaction<'_>) -> rusqlite::Result<std::collections::HashSet<String>> {
    tx.prepare_cached(
        "SELECT entity_id FROM outbox WHERE entity = 'TicketChecklistItem' AND state IN ('pending', 'failed')",
    )?
    .query_map([], |r| r.get(0))?
    .collect()
}

/// A checklist item: name, order and importance follow the PSA; whether it
/// is done too, unless a tick made here is still on its way.
fn checklist_item(
    tx: &Transaction<'_>,
    ticked_here: &std::collections::HashSet<String>,
    record: &Value,
) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let Some(row) = ticket_row(tx, int_field(record, "ticketID"))? else { return Ok(false) };
    let mine = local_id(tx, "checklist_items", Some(psa))?.is_some_and(|id| ticked_here.contains(&id));
    let completed = bool_field(record, "isCompleted").unwrap_or(false);
    let by = if completed { local_id(tx, "resources", int_field(record, "completedByResourceID"))? } else { None };
    let at = if completed { time_field(record, "completedDateTime") } else { None };
    execute_cached(
        tx,
        "INSERT INTO checklist_items (id, psa_id, ticket_row, name, position, is_important, is_completed,
             completed_by_resource_id, completed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (psa_id) DO UPDATE SET ticket_row = excluded.ticket_row, name = excluded.name,
             position = excluded.position, is_important = excluded.is_important,
             is_completed = CASE WHEN ?10 THEN is_completed ELSE excluded.is_completed END,
             completed_by_resource_id = CASE WHEN ?10 THEN completed_by_resource_id ELSE excluded.completed_by_resource_id END,
             completed_at = CASE WHEN ?10 THEN completed_at ELSE excluded.completed_at END",
        params![
            Uuid::now_v7().to_string(),
            psa,
            row,
            text_field(record, "itemName"),
            int_field(record, "position").unwrap_or(0),
            bool_field(record, "isImportant").unwrap_or(false),
            completed,
            by,
            at,
            mine
        ],
    )?;
    Ok(true)
}

/// After the checklists of these tickets (PSA ids) were pulled whole:
/// removes their items the PSA no longer lists (`present` are the item ids
/// it sent), except one whose tick made here is not sent yet.
pub(crate) fn remove_missing_checklist(
    tx: &Transaction<'_>,
    tickets: &[i64],
    present: &BTreeSet<i64>,
) -> Result<u32, SyncError> {
    let ticked_here = ticked_here(tx)?;
    let mut removed = 0;
    for psa in tickets {
        let Some(row) = ticket_row(tx, Some(*psa))? else { continue };
        let items: Vec<(String, i64)> = tx
            .prepare_cached("SELECT id, psa_id FROM checklist_items WHERE ticket_row = ?1 AND psa_id IS NOT NULL")?
            .query_map([row], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, item) in items {
            if !present.contains(&item) && !ticked_here.contains(&id) {
                removed += execute_cached(tx, "DELETE FROM checklist_items WHERE id = ?1", [&id])? as u32;
            }
        }
    }
    Ok(removed)
}

/// Replaces the secondary resources of these tickets before their fresh set is applied.
pub(crate) fn clear_secondary(tx: &Transaction<'_>, tickets: &[i64]) -> Result<(), SyncError> {
    for psa in tickets {
        if let Some(row) = ticket_row(tx, Some(*psa))? {
            execute_cached(tx, "DELETE FROM ticket_secondary_resources WHERE ticket_row = ?1", [row])?;
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
        let unsent =
            query_row_cached(tx, "SELECT EXISTS (SELECT 1 FROM ticket_notes WHERE psa_id IS NULL)", [], |r| r.get(0))?;
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
    let Some(row) = page.ticket_row(tx, int_field(record, "ticketID"))? else { return Ok(None) };
    let author_psa = int_field(record, "creatorResourceID");
    let (author, author_name) = match author_psa.and_then(|id| page.authors.get(&id)) {
        Some((id, name)) => (Some(id.as_str()), name.as_str()),
        None => (None, ""),
    };
    let visible = int_field(record, "publish") == Some(1);
    let from_customer = author_psa.is_none() && int_field(record, "createdByContactID").is_some();
    let created = time_field(record, "createDateTime").unwrap_or(now);
    let (title, body) = (text_field(record, "title"), text_field(record, "description"));
    if page.unsent {
        let exists: bool =
            query_row_cached(tx, "SELECT EXISTS (SELECT 1 FROM ticket_notes WHERE psa_id = ?1)", [psa], |r| r.get(0))?;
        if !exists {
            // A note written here whose answer was lost: adopt it, do not copy it.
            execute_cached(tx,
                "UPDATE ticket_notes SET psa_id = ?1 WHERE row = (SELECT row FROM ticket_notes WHERE ticket_row = ?2 AND psa_id IS NULL
                     AND title = ?3 AND body = ?4 ORDER BY row LIMIT 1)",
                params![psa, row, title, body],
            )?;
        }
    }
    execute_cached(
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
            int_field(record, "noteType"),
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
    let Some(customer) = local_id(tx, "customers", int_field(record, "companyID"))? else { return Ok(false) };
    let site = local_id(tx, "sites", int_field(record, "companyLocationID"))?;
    let (Some(start), Some(end)) = (time_field(record, "startDateTime"), time_field(record, "endDateTime")) else {
        return Ok(false);
    };
    if end <= start {
        return Ok(false);
    }
    let description = text_field(record, "description");
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
        execute_cached(tx, "UPDATE appointments SET psa_id = ?2 WHERE id = ?1 AND psa_id IS NULL", params![id, psa])?;
    }
    execute_cached(
        tx,
        "INSERT INTO appointments (id, psa_id, customer_id, site_id, kind, start_at, end_at, description, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (psa_id) DO UPDATE SET customer_id = excluded.customer_id, site_id = excluded.site_id,
             kind = excluded.kind, start_at = excluded.start_at, end_at = excluded.end_at,
             description = excluded.description",
        params![Uuid::now_v7().to_string(), psa, customer, site, kind, start, end, description, now],
    )?;
    Ok(true)
}

fn call_ticket(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let (Some(appointment), Some(row)) = (
        local_id(tx, "appointments", int_field(record, "serviceCallID"))?,
        ticket_row(tx, int_field(record, "ticketID"))?,
    ) else {
        return Ok(false);
    };
    execute_cached(
        tx,
        "INSERT INTO sync_call_tickets (psa_id, appointment_id, ticket_row) VALUES (?1, ?2, ?3)
         ON CONFLICT (psa_id) DO UPDATE SET appointment_id = excluded.appointment_id, ticket_row = excluded.ticket_row",
        params![psa, appointment, row],
    )?;
    execute_cached(
        tx,
        "INSERT OR IGNORE INTO appointment_tickets (appointment_id, ticket_row) VALUES (?1, ?2)",
        params![appointment, row],
    )?;
    Ok(true)
}

fn call_resource(tx: &Transaction<'_>, record: &Value) -> Result<bool, SyncError> {
    let appointment: Option<String> = match int_field(record, "serviceCallTicketID") {
        Some(psa) => tx
            .query_row("SELECT appointment_id FROM sync_call_tickets WHERE psa_id = ?1", [psa], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let (Some(appointment), Some(resource)) =
        (appointment, local_id(tx, "resources", int_field(record, "resourceID"))?)
    else {
        return Ok(false);
    };
    execute_cached(
        tx,
        "INSERT OR IGNORE INTO appointment_resources (appointment_id, resource_id) VALUES (?1, ?2)",
        params![appointment, resource],
    )?;
    Ok(true)
}

fn time_entry(tx: &Transaction<'_>, record: &Value, now: DateTime<Utc>) -> Result<bool, SyncError> {
    let psa = psa_id(record)?;
    let (Some(resource), Some(row)) =
        (local_id(tx, "resources", int_field(record, "resourceID"))?, ticket_row(tx, int_field(record, "ticketID"))?)
    else {
        return Ok(false);
    };
    let (Some(start), Some(end)) = (time_field(record, "startDateTime"), time_field(record, "endDateTime")) else {
        return Ok(false);
    };
    if end <= start {
        return Ok(false);
    }
    let work_type = int_field(record, "billingCodeID").or_else(|| int_field(record, "roleID")).unwrap_or(0);
    let billable = !bool_field(record, "isNonBillable").unwrap_or(false);
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
        execute_cached(tx, "UPDATE time_entries SET psa_id = ?2 WHERE id = ?1 AND psa_id IS NULL", params![id, psa])?;
    }
    execute_cached(
        tx,
        "INSERT INTO time_entries (id, psa_id, resource_id, ticket_row, start_at, end_at, work_type, billable, summary_notes,
             internal_notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
         ON CONFLICT (psa_id) DO UPDATE SET resource_id = excluded.resource_id, ticket_row = excluded.ticket_row,
             start_at = excluded.start_at, end_at = excluded.end_at, work_type = excluded.work_type,
             billable = excluded.billable, summary_notes = excluded.summary_notes,
             internal_notes = excluded.internal_notes, updated_at = excluded.updated_at",
        params![
                Uuid::now_v7().to_string(),
                psa,
                resource,
                row,
                start,
                end,
                work_type,
                billable,
                text_field(record, "summaryNotes"),
                text_field(record, "internalNotes"),
                now
            ],
    )?;
    Ok(true)
}

/// Rebuilds the search documents of these tickets (PSA ids) now — all their
/// notes have arrived — and takes them off the list [`reindex_pending`] works through.
pub(crate) fn reindex_tickets(tx: &Transaction<'_>, tickets: &[i64]) -> Result<(), SyncError> {
    for psa in tickets {
        if let Some(row) = ticket_row(tx, Some(*psa))? {
            reindex_ticket(tx, row, true)?;
            execute_cached(tx, "DELETE FROM sync_reindex WHERE ticket_row = ?1", [row])?;
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
                    query_row_cached(tx, "SELECT EXISTS (SELECT 1 FROM tickets WHERE row = ?1)", [row], |r| r.get(0))?;
                if exists {
                    reindex_ticket(tx, *row, true)?;
                }
                execute_cached(tx, "DELETE FROM sync_reindex WHERE ticket_row = ?1", [row])?;
            }
            Ok(rows.len() as u32)
        })?;
        done += count;
        if count == 0 {
            return Ok(done);
        }
    }
}

/// A full reconciliation removes at most this many records of a kind, or
/// half of them, at once: more looks like a query gone wrong (a filter the
/// PSA ignored, a scope set wrongly), not the PSA's deletions.
const MAX_REMOVED_AT_ONCE: usize = 20;

/// Removes cached records of `kind` the PSA no longer has (full
/// reconciliation). Records made here and not sent yet have no PSA id and
/// are never touched; a ticket with local work (reports, time) is kept.
/// Removing more than [`MAX_REMOVED_AT_ONCE`] records and more than half of
/// the kind at once is refused: nothing is removed, and the cycle says why.
pub(crate) fn remove_missing(tx: &Transaction<'_>, kind: Kind, present: &BTreeSet<i64>) -> Result<u32, SyncError> {
    let (table, guard) = match kind {
        Kind::Tickets => (
            "tickets",
            " AND NOT EXISTS (SELECT 1 FROM service_reports r WHERE r.ticket_row = tickets.row)
              AND NOT EXISTS (SELECT 1 FROM time_entries e WHERE e.ticket_row = tickets.row AND e.psa_id IS NULL)
              AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.ticket_row = tickets.row)
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity_id = tickets.id AND o.state = 'pending')
              AND NOT EXISTS (SELECT 1 FROM checklist_items c JOIN outbox o ON o.entity_id = c.id
                              WHERE c.ticket_row = tickets.row AND o.state = 'pending')",
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
    let missing: Vec<i64> = known.iter().copied().filter(|psa| !present.contains(psa)).collect();
    if missing.len() > MAX_REMOVED_AT_ONCE && missing.len() * 2 > known.len() {
        return Err(SyncError::Malformed(format!(
            "the full check would remove {} of the {} {} kept here at once, which looks like a wrong query rather \
             than deletions, so nothing was removed",
            missing.len(),
            known.len(),
            kind.as_str().replace('_', " ")
        )));
    }
    let mut removed = 0;
    for psa in missing {
        if kind == Kind::Tickets {
            let deletable: Option<i64> = tx
                .query_row(&format!("SELECT row FROM tickets WHERE psa_id = ?1{guard}"), [psa], |r| r.get(0))
                .optional()?;
            let Some(row) = deletable else { continue };
            execute_cached(tx, "UPDATE tickets SET noticed_on_row = NULL WHERE noticed_on_row = ?1", [row])?;
            execute_cached(tx, "DELETE FROM time_entries WHERE ticket_row = ?1 AND psa_id IS NOT NULL", [row])?;
            execute_cached(tx, "DELETE FROM ticket_search WHERE rowid = ?1", [row])?;
            execute_cached(tx, "DELETE FROM ticket_title_search WHERE rowid = ?1", [row])?;
        }
        removed += execute_cached(tx, &format!("DELETE FROM {table} WHERE psa_id = ?1{guard}"), [psa])? as u32;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use serde_json::json;

    /// (item id, item PSA id, ticket PSA id, position) of a sample item not ticked.
    fn unticked(db: &Db) -> (Uuid, i64, i64, i64) {
        db.read(|c| {
            c.query_row(
                "SELECT c.id, c.psa_id, t.psa_id, c.position FROM checklist_items c JOIN tickets t ON t.row = c.ticket_row
                 WHERE c.is_completed = 0 ORDER BY c.row LIMIT 1",
                [],
                |r| Ok((Uuid::parse_str(&r.get::<_, String>(0)?).unwrap(), r.get(1)?, r.get(2)?, r.get(3)?)),
            )
        })
        .unwrap()
    }

    fn state(db: &Db, id: Uuid) -> (String, bool) {
        db.read(|c| {
            c.query_row("SELECT name, is_completed FROM checklist_items WHERE id = ?1", [id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
        })
        .unwrap()
    }

    #[test]
    fn a_pulled_checklist_item_never_overwrites_a_tick_waiting_to_be_sent() {
        let db = Db::open_in_memory().unwrap();
        crate::sample_data::load_sample_data(&db, 1, Utc::now()).unwrap();
        let (item, psa, ticket, position) = unticked(&db);
        crate::tickets::set_checklist_item(&db, item, true, Utc::now()).unwrap();
        let pulled = json!({ "id": psa, "ticketID": ticket, "itemName": "Renamed in the PSA", "position": position,
                             "isCompleted": false, "isImportant": true });
        db.write(|tx| apply_page(tx, Kind::ChecklistItems, std::slice::from_ref(&pulled), Utc::now())).unwrap();
        assert_eq!(state(&db, item), ("Renamed in the PSA".into(), true), "the name follows the PSA, the tick stays");

        // Once sent, the PSA's state is taken again.
        db.write(|tx| tx.execute("UPDATE outbox SET state = 'sent' WHERE entity = 'TicketChecklistItem'", [])).unwrap();
        db.write(|tx| apply_page(tx, Kind::ChecklistItems, &[pulled], Utc::now())).unwrap();
        assert_eq!(state(&db, item), ("Renamed in the PSA".into(), false));

        // An item the PSA no longer lists goes; one ticked here and unsent stays.
        let ticket_items: Vec<(Uuid, i64)> = db
            .read(|c| {
                c.prepare(
                    "SELECT c.id, c.psa_id FROM checklist_items c JOIN tickets t ON t.row = c.ticket_row
                     WHERE t.psa_id = ?1 ORDER BY c.position",
                )?
                .query_map([ticket], |r| Ok((Uuid::parse_str(&r.get::<_, String>(0)?).unwrap(), r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()
            })
            .unwrap();
        assert!(ticket_items.len() >= 3);
        let kept = ticket_items[1].0;
        crate::tickets::set_checklist_item(&db, kept, true, Utc::now()).unwrap();
        let present = BTreeSet::from([ticket_items[0].1]);
        let removed = db.write(|tx| remove_missing_checklist(tx, &[ticket], &present)).unwrap();
        assert_eq!(removed as usize, ticket_items.len() - 2);
        let left = crate::tickets::ticket_checklist(
            &db,
            db.read(|c| {
                c.query_row("SELECT id FROM tickets WHERE psa_id = ?1", [ticket], |r| {
                    Ok(Uuid::parse_str(&r.get::<_, String>(0)?).unwrap())
                })
            })
            .unwrap(),
        )
        .unwrap();
        assert_eq!(left.iter().map(|i| i.id).collect::<Vec<_>>(), vec![ticket_items[0].0, kept]);
    }
}
