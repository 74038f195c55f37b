//! Today's screen and the navigation's badges, each in one read.

use std::sync::Arc;

use fieldkit_core::clock::now;
use fieldkit_core::first_screen::FirstScreen;
use fieldkit_core::schedule::DayQuery;
use fieldkit_core::today::{self, Badges, TodayOverview};
use fieldkit_core::ErrorPayload;

use tauri::State;

use super::{with_db, DatabaseHandle};

/// The first read at start takes what was prepared as the database opened.
#[tauri::command]
pub async fn today_overview(
    database: DatabaseHandle<'_>,
    first_screen: State<'_, Arc<FirstScreen>>,
    day: DayQuery,
) -> Result<TodayOverview, ErrorPayload> {
    let first_screen = first_screen.inner().clone();
    with_db(database, move |db| match first_screen.take(db, &day, now()) {
        Some(prepared) => Ok(prepared),
        None => today::today_overview(db, &day, now()),
    })
    .await
}

#[tauri::command]
pub async fn badges(database: DatabaseHandle<'_>) -> Result<Badges, ErrorPayload> {
    with_db(database, |db| today::badges(db, now())).await
}
