//! What waits to be sent to the PSA.

use fieldkit_core::outbox::{self, OutboxEntry};
use fieldkit_core::ErrorPayload;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn outbox_list(database: DatabaseHandle<'_>) -> Result<Vec<OutboxEntry>, ErrorPayload> {
    with_db(database, |db| Ok(outbox::list_pending(db)?)).await
}
