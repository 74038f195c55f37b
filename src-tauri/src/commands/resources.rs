//! The MSP's people: technicians, office admin, senior technician.

use fieldkit_core::resources::{self, Resource};
use fieldkit_core::ErrorPayload;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn resources_list(database: DatabaseHandle<'_>) -> Result<Vec<Resource>, ErrorPayload> {
    with_db(database, |db| Ok(resources::list_resources(db)?)).await
}
