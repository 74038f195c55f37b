//! The PSA's picklists: statuses, priorities, queues, issue types, sources, note types.

use fieldkit_core::picklists::{self, PicklistValue};
use fieldkit_core::ErrorPayload;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn picklists_list(database: DatabaseHandle<'_>) -> Result<Vec<PicklistValue>, ErrorPayload> {
    with_db(database, |db| Ok(picklists::list_picklists(db)?)).await
}
