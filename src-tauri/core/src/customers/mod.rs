//! Customers (PSA companies) with their sites (locations) and contacts.
//!
//! A customer is saved whole: one draft holds the company, its sites and its
//! contacts, validated together and written in one transaction.

mod contact_link;
mod search;
pub(crate) mod store;
mod validate;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::DbError;
use crate::error::ErrorPayload;
use crate::validation::FieldError;

pub use contact_link::{contact_link, ContactChannel};
pub(crate) use search::index_customer;
pub use store::{count_customers, get_customer, list_customers, save_customer};
pub use validate::validate_draft;

/// A customer as the technician sees it, with sites and contacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Customer {
    pub id: Uuid,
    /// The PSA's id, once the record is known there.
    pub psa_id: Option<i64>,
    pub name: String,
    pub phone: String,
    pub website: String,
    /// Managed-services (MSA) customers are answered within two hours.
    pub is_msa: bool,
    pub notes: String,
    pub sites: Vec<Site>,
    pub contacts: Vec<Contact>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A customer's address (an Autotask company location).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Site {
    pub id: Uuid,
    pub psa_id: Option<i64>,
    pub name: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub phone: String,
    pub is_primary: bool,
}

/// A person at the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Contact {
    pub id: Uuid,
    pub psa_id: Option<i64>,
    /// The site the contact works at, if known.
    pub site_id: Option<Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub phone: String,
    pub mobile: String,
    pub email: String,
}

/// One row of the customers list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CustomerSummary {
    pub id: Uuid,
    pub name: String,
    pub phone: String,
    pub is_msa: bool,
    /// The primary site's city, or empty.
    pub city: String,
    pub site_count: u32,
    pub contact_count: u32,
}

/// What the list shows: everything, or what matches `search`.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct CustomerQuery {
    /// Words to find in names, sites and contacts; each word matches as a prefix.
    pub search: String,
    /// At most this many rows (default 500).
    pub limit: Option<u32>,
}

/// The customer form. `id` is `None` for a new customer. Sites and contacts
/// carry their own ids (the UI makes new ones) so contacts can point at a
/// site that is being created in the same save.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct CustomerDraft {
    pub id: Option<Uuid>,
    pub name: String,
    pub phone: String,
    pub website: String,
    pub is_msa: bool,
    pub notes: String,
    pub sites: Vec<SiteDraft>,
    pub contacts: Vec<ContactDraft>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct SiteDraft {
    pub id: Uuid,
    pub name: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub phone: String,
    pub is_primary: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct ContactDraft {
    pub id: Uuid,
    pub site_id: Option<Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub phone: String,
    pub mobile: String,
    pub email: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error("That customer no longer exists.")]
    NotFound(Uuid),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for CustomerError {
    fn from(error: rusqlite::Error) -> Self {
        CustomerError::Db(DbError::Sqlite(error))
    }
}

impl From<CustomerError> for ErrorPayload {
    fn from(error: CustomerError) -> Self {
        match error {
            CustomerError::Invalid(fields) => ErrorPayload::validation(fields),
            CustomerError::NotFound(_) => ErrorPayload::not_found(error.to_string()),
            CustomerError::Db(db) => ErrorPayload::from(db),
        }
    }
}
