//! Saving records and revisions, listing and searching, history, reading a
//! secret (recorded), and posting a record to its ticket.

use crate::validation::Invalid;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::{
    ChangeCategory, ChangeDraft, ChangeError, ChangeEvent, ChangeField, ChangeHistory, ChangePage, ChangeQuery,
    ChangeRecord, SecretUse,
};
use crate::db::{uuid_column, Db};
use crate::validation::FieldErrors;
use crate::vault::Vault;

const MAX_SUMMARY_CHARS: usize = 255;
const MAX_FIELD_CHARS: usize = 2000;
const MAX_SECRET_CHARS: usize = 4096;

const RECORD_SELECT: &str = "SELECT r.id, r.record_id, r.revision, r.is_current, r.customer_id, c.name,
        coalesce(s.name, ''), r.device_id, coalesce(d.name, ''), t.id, coalesce(t.number, ''), r.author_name,
        r.category, r.summary, r.fields, r.secret_ciphertext IS NOT NULL, r.created_at, r.site_id
    FROM change_records r
    JOIN customers c ON c.id = r.customer_id
    LEFT JOIN sites s ON s.id = r.site_id
    LEFT JOIN devices d ON d.id = r.device_id
    LEFT JOIN tickets t ON t.row = r.ticket_row";

fn record_from_row(row: &Row<'_>) -> rusqlite::Result<ChangeRecord> {
    let category = ChangeCategory::parse(&row.get::<_, String>(12)?);
    let raw: String = row.get(14)?;
    let values: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&raw).unwrap_or_default();
    let fields = category
        .specs()
        .iter()
        .filter_map(|(key, label, _, _)| {
            let value = values.get(*key)?.as_str()?.to_string();
            (!value.is_empty()).then(|| ChangeField { key: (*key).into(), label: (*label).into(), value })
        })
        .collect();
    let device: Option<String> = row.get(7)?;
    let site: Option<String> = row.get(17)?;
    let ticket: Option<String> = row.get(9)?;
    Ok(ChangeRecord {
        id: uuid_column(row, 0)?,
        record_id: uuid_column(row, 1)?,
        revision: row.get(2)?,
        is_current: row.get(3)?,
        customer_id: uuid_column(row, 4)?,
        customer_name: row.get(5)?,
        site_id: site.and_then(|text| Uuid::parse_str(&text).ok()),
        site_name: row.get(6)?,
        device_id: device.and_then(|text| Uuid::parse_str(&text).ok()),
        device_name: row.get(8)?,
        ticket_id: ticket.and_then(|text| Uuid::parse_str(&text).ok()),
        ticket_number: row.get(10)?,
        author_name: row.get(11)?,
        category,
        category_label: category.label().into(),
        summary: row.get(13)?,
        fields,
        has_secret: row.get(15)?,
        created_at: row.get(16)?,
    })
}

fn read_record(connection: &Connection, id: Uuid) -> Result<ChangeRecord, ChangeError> {
    connection
        .prepare_cached(&format!("{RECORD_SELECT} WHERE r.id = ?1"))?
        .query_row([id.to_string()], record_from_row)
        .optional()?
        .ok_or(ChangeError::NotFound(id))
}

/// Saves a new record, or a correction of `draft.correcting` as its next
/// revision (the earlier one stays, unchanged). A secret typed in is
/// encrypted; a correction without one keeps the earlier secret.
pub fn save_change(
    db: &Db,
    vault: &Vault,
    draft: &ChangeDraft,
    now: DateTime<Utc>,
) -> Result<ChangeRecord, ChangeError> {
    save_change_with(db, vault, draft, now, |_, _| Ok(()))
}

/// [`save_change`], then `and_then` in the same transaction (a visit links
/// the record and posts it to the ticket).
pub(crate) fn save_change_with(
    db: &Db,
    vault: &Vault,
    draft: &ChangeDraft,
    now: DateTime<Utc>,
    and_then: impl FnOnce(&rusqlite::Transaction<'_>, &ChangeRecord) -> Result<(), ChangeError>,
) -> Result<ChangeRecord, ChangeError> {
    let mut errors = FieldErrors::default();
    let summary = errors.text("summary", &draft.summary, true, MAX_SUMMARY_CHARS);
    let mut fields = serde_json::Map::new();
    for (key, _, required, flag) in draft.category.specs() {
        let value = errors.text(
            &format!("fields.{key}"),
            draft.fields.get(*key).map_or("", String::as_str),
            *required,
            MAX_FIELD_CHARS,
        );
        if *flag && !value.is_empty() && value != "yes" && value != "no" {
            errors.add(format!("fields.{key}"), "Choose yes or no.");
        }
        if !value.is_empty() {
            fields.insert((*key).to_string(), serde_json::Value::String(value));
        }
    }
    let secret = match (&draft.secret, draft.category.secret_label()) {
        (Some(secret), Some(_)) if !secret.is_empty() => {
            if secret.chars().count() > MAX_SECRET_CHARS {
                errors.add("secret", format!("At most {MAX_SECRET_CHARS} characters."));
            }
            Some(Zeroizing::new(secret.clone()))
        }
        (Some(secret), None) if !secret.is_empty() => {
            errors.add("secret", "This kind of change has no secret to store.");
            None
        }
        _ => None,
    };
    errors.into_result().map_err(ChangeError::Invalid)?;

    let record_id = draft.correcting.unwrap_or_else(Uuid::new_v4);
    // Encrypted before the transaction: a locked vault fails without writing.
    let encrypted = secret.as_ref().map(|secret| vault.encrypt(secret, &record_id.to_string())).transpose()?;

    db.write(|tx| {
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)",
            [draft.customer_id.to_string()],
            |r| r.get(0),
        )?;
        if !known {
            return Err(ChangeError::invalid("customer_id", "Choose a customer."));
        }
        let belongs = |table: &str, id: Option<Uuid>| -> rusqlite::Result<bool> {
            match id {
                None => Ok(true),
                Some(id) => tx.query_row(
                    &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1 AND customer_id = ?2)"),
                    params![id.to_string(), draft.customer_id.to_string()],
                    |r| r.get(0),
                ),
            }
        };
        if !belongs("sites", draft.site_id)? {
            return Err(ChangeError::invalid("site_id", "That site belongs to another customer."));
        }
        if !belongs("devices", draft.device_id)? {
            return Err(ChangeError::invalid("device_id", "That device belongs to another customer."));
        }
        let ticket_row: Option<i64> = match draft.ticket_id {
            None => None,
            Some(ticket) => Some(
                tx.query_row(
                    "SELECT row FROM tickets WHERE id = ?1 AND customer_id = ?2",
                    params![ticket.to_string(), draft.customer_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| ChangeError::invalid("ticket_id", "That ticket is not one of this customer's."))?,
            ),
        };
        let (revision, kept_secret) = match draft.correcting {
            None => (1, None),
            Some(record) => {
                let previous: Option<(i64, u32, Option<Vec<u8>>, String)> = tx
                    .query_row(
                        "SELECT row, revision, secret_ciphertext, customer_id FROM change_records
                         WHERE record_id = ?1 AND is_current = 1",
                        [record.to_string()],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                let (row, revision, ciphertext, customer) = previous.ok_or(ChangeError::NotFound(record))?;
                if customer != draft.customer_id.to_string() {
                    return Err(ChangeError::invalid("customer_id", "A correction stays with the record's customer."));
                }
                tx.execute("UPDATE change_records SET is_current = 0 WHERE row = ?1", [row])?;
                tx.execute("DELETE FROM change_search WHERE rowid = ?1", [row])?;
                (revision + 1, ciphertext.filter(|_| draft.category.secret_label().is_some()))
            }
        };
        let (author_id, author_name): (Option<String>, String) =
            crate::settings::my_resource(tx)?.map_or((None, String::new()), |(id, name)| (Some(id), name));
        let id = Uuid::new_v4();
        let fields_json = serde_json::Value::Object(fields.clone()).to_string();
        tx.execute(
            "INSERT INTO change_records (id, record_id, revision, customer_id, site_id, device_id, ticket_row,
                 author_resource_id, author_name, category, summary, fields, secret_ciphertext, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                id.to_string(),
                record_id.to_string(),
                revision,
                draft.customer_id.to_string(),
                draft.site_id.map(|s| s.to_string()),
                draft.device_id.map(|d| d.to_string()),
                ticket_row,
                author_id,
                author_name,
                draft.category.as_str(),
                summary,
                fields_json,
                encrypted.clone().or(kept_secret),
                now
            ],
        )?;
        let row = tx.last_insert_rowid();
        let searchable: Vec<String> = fields.values().filter_map(|v| v.as_str().map(String::from)).collect();
        tx.execute(
            "INSERT INTO change_search (rowid, summary, fields) VALUES (?1, ?2, ?3)",
            params![row, summary, searchable.join(" ")],
        )?;
        let record = read_record(tx, id)?;
        and_then(tx, &record)?;
        Ok(record)
    })
}

/// Current records, newest first, filtered; search covers summary and fields only.
pub fn list_changes(db: &Db, query: &ChangeQuery) -> Result<ChangePage, ChangeError> {
    let mut clause = String::from("r.is_current = 1");
    let mut values: Vec<Value> = Vec::new();
    let mut add = |sql: &str, value: Value, clause: &mut String| {
        values.push(value);
        clause.push_str(&sql.replace('?', &format!("?{}", values.len())));
    };
    if let Some(customer) = query.customer_id {
        add(" AND r.customer_id = ?", Value::Text(customer.to_string()), &mut clause);
    }
    if let Some(category) = query.category {
        add(" AND r.category = ?", Value::Text(category.as_str().into()), &mut clause);
    }
    if let Some(from) = query.from {
        add(" AND r.created_at >= ?", Value::Text(crate::tickets::sql_time(from)), &mut clause);
    }
    if let Some(to) = query.to {
        add(" AND r.created_at < ?", Value::Text(crate::tickets::sql_time(to)), &mut clause);
    }
    if let Some(device) = query.device_id {
        add(" AND r.device_id = ?", Value::Text(device.to_string()), &mut clause);
    }
    if let Some(ticket) = query.ticket_id {
        add(" AND t.id = ?", Value::Text(ticket.to_string()), &mut clause);
    }
    let words: Vec<String> = query
        .search
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(8)
        .map(|word| format!("\"{}\"*", word.to_lowercase()))
        .collect();
    if !words.is_empty() {
        add(
            " AND r.row IN (SELECT rowid FROM change_search WHERE change_search MATCH ?)",
            Value::Text(words.join(" ")),
            &mut clause,
        );
    }
    db.read(|connection| {
        let total: i64 = connection
            .prepare_cached(&format!(
                "SELECT count(*) FROM change_records r LEFT JOIN tickets t ON t.row = r.ticket_row WHERE {clause}"
            ))?
            .query_row(params_from_iter(values.iter()), |r| r.get(0))?;
        let mut paged = values.clone();
        paged.push(Value::Integer(i64::from(query.limit.clamp(1, 200))));
        paged.push(Value::Integer(i64::from(query.offset)));
        let rows = connection
            .prepare_cached(&format!(
                "{RECORD_SELECT} WHERE {clause} ORDER BY r.created_at DESC, r.row DESC LIMIT ?{} OFFSET ?{}",
                paged.len() - 1,
                paged.len()
            ))?
            .query_map(params_from_iter(paged.iter()), record_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ChangePage { rows, total: total.max(0) as u32 })
    })
}

/// Every revision of a record and every time its secret was read.
pub fn change_history(db: &Db, record_id: Uuid) -> Result<ChangeHistory, ChangeError> {
    db.read(|connection| {
        let revisions = connection
            .prepare_cached(&format!("{RECORD_SELECT} WHERE r.record_id = ?1 ORDER BY r.revision"))?
            .query_map([record_id.to_string()], record_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if revisions.is_empty() {
            return Err(ChangeError::NotFound(record_id));
        }
        let events = connection
            .prepare_cached("SELECT at, who, what FROM change_events WHERE record_id = ?1 ORDER BY at")?
            .query_map([record_id.to_string()], |r| Ok(ChangeEvent { at: r.get(0)?, who: r.get(1)?, what: r.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ChangeHistory { revisions, events })
    })
}

/// The secret of revision `id`, on a deliberate request; the read is recorded.
pub fn reveal_secret(
    db: &Db,
    vault: &Vault,
    id: Uuid,
    purpose: SecretUse,
    now: DateTime<Utc>,
) -> Result<Zeroizing<String>, ChangeError> {
    db.write(|tx| {
        let (record_id, sealed): (String, Option<Vec<u8>>) = tx
            .query_row("SELECT record_id, secret_ciphertext FROM change_records WHERE id = ?1", [id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or(ChangeError::NotFound(id))?;
        let sealed = sealed.ok_or(ChangeError::NotFound(id))?;
        let secret = vault.decrypt(&sealed, &record_id)?;
        let who: String = crate::settings::my_name(tx)?.unwrap_or_else(|| "this laptop".into());
        tx.execute(
            "INSERT INTO change_events (record_id, at, who, what) VALUES (?1, ?2, ?3, ?4)",
            params![record_id, now, who, if purpose == SecretUse::Copy { "copied" } else { "revealed" }],
        )?;
        Ok(secret)
    })
}

/// Posts the record (without its secret) to its ticket as an internal note,
/// through the outbox.
pub fn post_change_to_ticket(db: &Db, id: Uuid, now: DateTime<Utc>) -> Result<(), ChangeError> {
    let record = db.read(|connection| read_record(connection, id))?;
    let ticket = record.ticket_id.ok_or(ChangeError::NoTicket)?;
    let body = super::export::note_text(&record);
    db.write(|tx| -> Result<(), ChangeError> {
        crate::tickets::write_note_in(tx, ticket, &body, false, now).map_err(|error| match error {
            crate::tickets::TicketError::Db(db) => ChangeError::Db(db),
            other => ChangeError::Ticket(other.to_string()),
        })?;
        Ok(())
    })?;
    crate::tickets::catch_up_search(db)?;
    Ok(())
}
