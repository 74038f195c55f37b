//! Reading and writing customers, their sites and contacts.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use super::search::{index_customer, match_expression};
use super::{Contact, Customer, CustomerDraft, CustomerError, CustomerQuery, CustomerSummary, Site};
use crate::db::{uuid_column, Db};

const DEFAULT_LIST_LIMIT: u32 = 500;

/// Validates the draft and writes the customer, its sites and contacts (and its
/// search row) in one transaction. Sites and contacts left out of the draft are
/// removed. Returns the customer as stored.
pub fn save_customer(db: &Db, draft: &CustomerDraft, now: DateTime<Utc>) -> Result<Customer, CustomerError> {
    let draft = super::validate_draft(draft).map_err(CustomerError::Invalid)?;
    db.write(|tx| {
        let id = write_customer(tx, &draft, now)?;
        read_customer(tx, id)
    })
}

/// The write half of [`save_customer`], for callers that already hold a
/// transaction (sample data, sync). The draft must be validated.
pub(crate) fn write_customer(
    tx: &Transaction<'_>,
    draft: &CustomerDraft,
    now: DateTime<Utc>,
) -> Result<Uuid, CustomerError> {
    let id = match draft.id {
        Some(id) => {
            let updated = tx.execute(
                "UPDATE customers SET name = ?2, phone = ?3, website = ?4, is_msa = ?5, notes = ?6, updated_at = ?7 WHERE id = ?1",
                params![id.to_string(), draft.name, draft.phone, draft.website, draft.is_msa, draft.notes, now],
            )?;
            if updated == 0 {
                return Err(CustomerError::NotFound(id));
            }
            id
        }
        None => {
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO customers (id, name, phone, website, is_msa, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![id.to_string(), draft.name, draft.phone, draft.website, draft.is_msa, draft.notes, now],
            )?;
            id
        }
    };
    let customer_id = id.to_string();
    refuse_rows_of_other_customers(tx, &customer_id, draft)?;

    let kept_sites: Vec<String> = draft.sites.iter().map(|site| site.id.to_string()).collect();
    let kept_contacts: Vec<String> = draft.contacts.iter().map(|contact| contact.id.to_string()).collect();
    delete_missing(tx, "contacts", &customer_id, &kept_contacts)?;
    delete_missing(tx, "sites", &customer_id, &kept_sites)?;

    for (position, site) in draft.sites.iter().enumerate() {
        tx.execute(
            "INSERT INTO sites (id, customer_id, name, address1, address2, city, state, postal_code, country, phone, is_primary, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, address1 = excluded.address1, address2 = excluded.address2,
                city = excluded.city, state = excluded.state, postal_code = excluded.postal_code, country = excluded.country,
                phone = excluded.phone, is_primary = excluded.is_primary, position = excluded.position",
            params![
                site.id.to_string(), customer_id, site.name, site.address1, site.address2, site.city, site.state,
                site.postal_code, site.country, site.phone, site.is_primary, position as i64
            ],
        )?;
    }
    for (position, contact) in draft.contacts.iter().enumerate() {
        tx.execute(
            "INSERT INTO contacts (id, customer_id, site_id, first_name, last_name, title, phone, mobile, email, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, first_name = excluded.first_name,
                last_name = excluded.last_name, title = excluded.title, phone = excluded.phone, mobile = excluded.mobile,
                email = excluded.email, position = excluded.position",
            params![
                contact.id.to_string(), customer_id, contact.site_id.map(|site| site.to_string()), contact.first_name,
                contact.last_name, contact.title, contact.phone, contact.mobile, contact.email, position as i64
            ],
        )?;
    }
    index_customer(tx, &customer_id)?;
    Ok(id)
}

/// A site or contact id that already belongs to another customer would be
/// silently moved by the upsert: refuse it instead.
fn refuse_rows_of_other_customers(
    tx: &Transaction<'_>,
    customer_id: &str,
    draft: &CustomerDraft,
) -> Result<(), CustomerError> {
    let check = |table: &str, id: Uuid| -> Result<(), CustomerError> {
        let owner: Option<String> = tx
            .query_row(&format!("SELECT customer_id FROM {table} WHERE id = ?1"), [id.to_string()], |row| row.get(0))
            .optional()?;
        match owner {
            Some(owner) if owner != customer_id => Err(CustomerError::NotFound(id)),
            _ => Ok(()),
        }
    };
    for site in &draft.sites {
        check("sites", site.id)?;
    }
    for contact in &draft.contacts {
        check("contacts", contact.id)?;
    }
    Ok(())
}

fn delete_missing(tx: &Transaction<'_>, table: &str, customer_id: &str, kept: &[String]) -> rusqlite::Result<()> {
    let kept_json = serde_json::to_string(kept).unwrap_or_else(|_| "[]".into());
    tx.execute(
        &format!("DELETE FROM {table} WHERE customer_id = ?1 AND id NOT IN (SELECT value FROM json_each(?2))"),
        params![customer_id, kept_json],
    )?;
    Ok(())
}

/// One customer with its sites and contacts.
pub fn get_customer(db: &Db, id: Uuid) -> Result<Customer, CustomerError> {
    db.read(|connection| read_customer(connection, id))
}

fn read_customer(connection: &Connection, id: Uuid) -> Result<Customer, CustomerError> {
    let key = id.to_string();
    let customer = connection
        .query_row(
            "SELECT id, psa_id, name, phone, website, is_msa, notes, created_at, updated_at FROM customers WHERE id = ?1",
            [&key],
            |row| {
                Ok(Customer {
                    id: uuid_column(row, 0)?,
                    psa_id: row.get(1)?,
                    name: row.get(2)?,
                    phone: row.get(3)?,
                    website: row.get(4)?,
                    is_msa: row.get(5)?,
                    notes: row.get(6)?,
                    sites: Vec::new(),
                    contacts: Vec::new(),
                    created_at: row.get(7)?,
                    updated_at: row.get(8)?,
                })
            },
        )
        .optional()?
        .ok_or(CustomerError::NotFound(id))?;

    let mut sites = connection.prepare_cached(
        "SELECT id, psa_id, name, address1, address2, city, state, postal_code, country, phone, is_primary
         FROM sites WHERE customer_id = ?1 ORDER BY position",
    )?;
    let sites = sites
        .query_map([&key], |row| {
            Ok(Site {
                id: uuid_column(row, 0)?,
                psa_id: row.get(1)?,
                name: row.get(2)?,
                address1: row.get(3)?,
                address2: row.get(4)?,
                city: row.get(5)?,
                state: row.get(6)?,
                postal_code: row.get(7)?,
                country: row.get(8)?,
                phone: row.get(9)?,
                is_primary: row.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let mut contacts = connection.prepare_cached(
        "SELECT id, psa_id, site_id, first_name, last_name, title, phone, mobile, email
         FROM contacts WHERE customer_id = ?1 ORDER BY position",
    )?;
    let contacts = contacts
        .query_map([&key], |row| {
            Ok(Contact {
                id: uuid_column(row, 0)?,
                psa_id: row.get(1)?,
                site_id: row.get::<_, Option<String>>(2)?.and_then(|site| Uuid::parse_str(&site).ok()),
                first_name: row.get(3)?,
                last_name: row.get(4)?,
                title: row.get(5)?,
                phone: row.get(6)?,
                mobile: row.get(7)?,
                email: row.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    Ok(Customer { sites, contacts, ..customer })
}

/// The customers list, by name; only matches when `query.search` has words.
pub fn list_customers(db: &Db, query: &CustomerQuery) -> Result<Vec<CustomerSummary>, CustomerError> {
    let limit = i64::from(query.limit.unwrap_or(DEFAULT_LIST_LIMIT).clamp(1, 5000));
    let matching = match_expression(&query.search);
    db.read(|connection| {
        let (filter, argument) = match &matching {
            Some(expression) => (
                "WHERE c.id IN (SELECT customer_id FROM customer_search WHERE customer_search MATCH ?1)",
                expression.clone(),
            ),
            None => ("WHERE ?1 = ''", String::new()),
        };
        let mut statement = connection.prepare_cached(&format!(
            "SELECT c.id, c.name, c.phone, c.is_msa,
                    COALESCE((SELECT city FROM sites WHERE customer_id = c.id AND is_primary = 1 LIMIT 1), ''),
                    (SELECT count(*) FROM sites WHERE customer_id = c.id),
                    (SELECT count(*) FROM contacts WHERE customer_id = c.id)
             FROM customers c {filter}
             ORDER BY c.name COLLATE NOCASE, c.id
             LIMIT ?2"
        ))?;
        let rows = statement
            .query_map(params![argument, limit], |row| {
                Ok(CustomerSummary {
                    id: uuid_column(row, 0)?,
                    name: row.get(1)?,
                    phone: row.get(2)?,
                    is_msa: row.get(3)?,
                    city: row.get(4)?,
                    site_count: row.get(5)?,
                    contact_count: row.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })
}

/// How many customers the cache holds.
pub fn count_customers(db: &Db) -> Result<u64, CustomerError> {
    let count: i64 =
        db.read(|connection| connection.query_row("SELECT count(*) FROM customers", [], |row| row.get(0)))?;
    Ok(count.max(0) as u64)
}
