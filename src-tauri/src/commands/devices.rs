//! A customer's devices.

use fieldkit_core::devices::{self, Device};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn devices_list(database: DatabaseHandle<'_>, customer_id: Uuid) -> Result<Vec<Device>, ErrorPayload> {
    with_db(database, move |db| Ok(devices::list_devices(db, customer_id)?)).await
}
