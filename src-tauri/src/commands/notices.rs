//! The app's notices list and the desktop notifications clicked.

use std::sync::Arc;
use std::time::Duration;

use fieldkit_core::clock::now;
use fieldkit_core::notice_inbox::{self, NoticeList, NoticeOpened};
use fieldkit_core::ErrorPayload;
use tauri::State;

use super::{with_db, DatabaseHandle};
use crate::notice_clicks::NoticeClicks;

#[tauri::command]
pub async fn notices_list(database: DatabaseHandle<'_>) -> Result<NoticeList, ErrorPayload> {
    with_db(database, |db| Ok(notice_inbox::list_notices(db)?)).await
}

/// Marks one notice read, or all of them without an id.
#[tauri::command]
pub async fn notices_mark_read(database: DatabaseHandle<'_>, id: Option<i64>) -> Result<NoticeList, ErrorPayload> {
    with_db(database, move |db| Ok(notice_inbox::mark_notices_read(db, id, now())?)).await
}

/// Answers when a desktop notification is clicked, or with nothing after a
/// while (the UI asks again).
#[tauri::command]
pub async fn notice_opened_wait(clicks: State<'_, Arc<NoticeClicks>>) -> Result<Option<NoticeOpened>, ErrorPayload> {
    Ok(clicks.wait(Duration::from_secs(120)).await)
}
