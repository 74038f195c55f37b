//! The sample MSP that fills an empty app on first run.

use fieldkit_core::clock::now;
use fieldkit_core::sample_data::{self, SampleDataSummary};
use fieldkit_core::ErrorPayload;

use super::{with_db, DatabaseHandle};

/// Scale 1: the small MSP of the first run.
#[tauri::command]
pub async fn sample_data_load(database: DatabaseHandle<'_>) -> Result<SampleDataSummary, ErrorPayload> {
    with_db(database, |db| Ok(sample_data::load_sample_data(db, 1, now())?)).await
}
