//! My appointments of a day and what is due.

use fieldkit_core::clock::now;
use fieldkit_core::schedule::{self, Agenda, DayQuery};
use fieldkit_core::ErrorPayload;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn schedule_agenda(database: DatabaseHandle<'_>, day: DayQuery) -> Result<Agenda, ErrorPayload> {
    with_db(database, move |db| Ok(schedule::agenda(db, &day, now())?)).await
}
