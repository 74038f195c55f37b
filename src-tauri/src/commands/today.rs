//! Today's screen and the navigation's badges, each in one read.

use fieldkit_core::clock::now;
use fieldkit_core::schedule::DayQuery;
use fieldkit_core::today::{self, Badges, TodayOverview};
use fieldkit_core::ErrorPayload;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn today_overview(database: DatabaseHandle<'_>, day: DayQuery) -> Result<TodayOverview, ErrorPayload> {
    with_db(database, move |db| today::today_overview(db, &day, now())).await
}

#[tauri::command]
pub async fn badges(database: DatabaseHandle<'_>) -> Result<Badges, ErrorPayload> {
    with_db(database, |db| today::badges(db, now())).await
}
