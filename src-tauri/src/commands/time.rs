//! Time: the timer, time entries, placeholders, my week and the weekly check.

use fieldkit_core::clock::now;
use fieldkit_core::time::{
    self, MyWeek, PlaceholderDraft, RunningTimer, RunningTimerChoice, SavedTime, TimeEntry, TimeEntryDraft,
    TimerStarted, TimerTarget, WeekQuery, WeeklyCheck,
};
use fieldkit_core::ErrorPayload;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn timer_get(database: DatabaseHandle<'_>) -> Result<Option<RunningTimer>, ErrorPayload> {
    with_db(database, |db| Ok(time::current_timer(db, now())?)).await
}

#[tauri::command]
pub async fn timer_start(
    database: DatabaseHandle<'_>,
    target: TimerTarget,
    if_running: Option<RunningTimerChoice>,
) -> Result<TimerStarted, ErrorPayload> {
    with_db(database, move |db| Ok(time::start_timer(db, &target, if_running, now())?)).await
}

#[tauri::command]
pub async fn timer_pause(database: DatabaseHandle<'_>) -> Result<RunningTimer, ErrorPayload> {
    with_db(database, |db| Ok(time::pause_timer(db, now())?)).await
}

#[tauri::command]
pub async fn timer_resume(database: DatabaseHandle<'_>) -> Result<RunningTimer, ErrorPayload> {
    with_db(database, |db| Ok(time::resume_timer(db, now())?)).await
}

#[tauri::command]
pub async fn timer_stop(database: DatabaseHandle<'_>) -> Result<TimeEntryDraft, ErrorPayload> {
    with_db(database, |db| Ok(time::stop_timer(db, now())?)).await
}

#[tauri::command]
pub async fn time_entry_save(database: DatabaseHandle<'_>, draft: TimeEntryDraft) -> Result<SavedTime, ErrorPayload> {
    with_db(database, move |db| Ok(time::save_time_entry(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn time_placeholder_save(
    database: DatabaseHandle<'_>,
    draft: PlaceholderDraft,
) -> Result<TimeEntry, ErrorPayload> {
    with_db(database, move |db| Ok(time::save_placeholder(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn time_week(database: DatabaseHandle<'_>, query: WeekQuery) -> Result<MyWeek, ErrorPayload> {
    with_db(database, move |db| Ok(time::my_week(db, &query, now())?)).await
}

#[tauri::command]
pub async fn time_weekly_check(database: DatabaseHandle<'_>, query: WeekQuery) -> Result<WeeklyCheck, ErrorPayload> {
    with_db(database, move |db| Ok(time::weekly_check(db, &query, now())?)).await
}
