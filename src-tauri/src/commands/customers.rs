//! Customers, the MSP's people, and the sample data that fills an empty app.

use fieldkit_core::customers::{self, ContactChannel, Customer, CustomerDraft, CustomerQuery, CustomerSummary};
use fieldkit_core::resources::{self, Resource};
use fieldkit_core::sample_data::{self, SampleDataSummary};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{now, with_db, AppState};

#[tauri::command]
pub async fn customers_list(state: AppState<'_>, query: CustomerQuery) -> Result<Vec<CustomerSummary>, ErrorPayload> {
    with_db(state, move |db| Ok(customers::list_customers(db, &query)?)).await
}

#[tauri::command]
pub async fn customer_get(state: AppState<'_>, id: Uuid) -> Result<Customer, ErrorPayload> {
    with_db(state, move |db| Ok(customers::get_customer(db, id)?)).await
}

#[tauri::command]
pub async fn customer_save(state: AppState<'_>, draft: CustomerDraft) -> Result<Customer, ErrorPayload> {
    with_db(state, move |db| Ok(customers::save_customer(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn resources_list(state: AppState<'_>) -> Result<Vec<Resource>, ErrorPayload> {
    with_db(state, |db| Ok(resources::list_resources(db)?)).await
}

/// Scale 1: the small MSP of the first run.
#[tauri::command]
pub async fn sample_data_load(state: AppState<'_>) -> Result<SampleDataSummary, ErrorPayload> {
    with_db(state, |db| Ok(sample_data::load_sample_data(db, 1, now())?)).await
}

/// Click-to-call / click-to-mail: opens the contact's stored number or address
/// with the system's handler. The UI can name a contact, never a URL.
#[tauri::command]
pub async fn contact_open(state: AppState<'_>, id: Uuid, channel: ContactChannel) -> Result<(), ErrorPayload> {
    with_db(state, move |db| {
        let link = customers::contact_link(db, id, channel)?;
        open::that_detached(&link).map_err(|error| {
            ErrorPayload::internal(format!(
                "No app on this computer opens {link} ({error}). The number is shown to dial by hand."
            ))
        })
    })
    .await
}
