//! Customers with their sites and contacts, and opening a contact's number
//! or address.

use fieldkit_core::clock::now;
use fieldkit_core::customers::{self, ContactChannel, Customer, CustomerDraft, CustomerQuery, CustomerSummary};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn customers_list(
    database: DatabaseHandle<'_>,
    query: CustomerQuery,
) -> Result<Vec<CustomerSummary>, ErrorPayload> {
    with_db(database, move |db| Ok(customers::list_customers(db, &query)?)).await
}

/// How many customers the cache holds (Today's tile), without listing them.
#[tauri::command]
pub async fn customer_get(database: DatabaseHandle<'_>, id: Uuid) -> Result<Customer, ErrorPayload> {
    with_db(database, move |db| Ok(customers::get_customer(db, id)?)).await
}

#[tauri::command]
pub async fn customer_save(database: DatabaseHandle<'_>, draft: CustomerDraft) -> Result<Customer, ErrorPayload> {
    with_db(database, move |db| Ok(customers::save_customer(db, &draft, now())?)).await
}

/// Click-to-call / click-to-mail: opens the contact's stored number or address
/// with the system's handler. The UI can name a contact, never a URL.
#[tauri::command]
pub async fn contact_open(database: DatabaseHandle<'_>, id: Uuid, channel: ContactChannel) -> Result<(), ErrorPayload> {
    with_db(database, move |db| {
        let link = customers::contact_link(db, id, channel)?;
        crate::opener::open_link(&link, |error| {
            format!("No app on this computer opens {link} ({error}). The number is shown to dial by hand.")
        })
    })
    .await
}
