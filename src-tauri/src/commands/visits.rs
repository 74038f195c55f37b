//! Visits: the on-site visit and the remote session as guided flows.

use fieldkit_core::changes::ChangeDraft;
use fieldkit_core::clock::now;
use fieldkit_core::time::RunningTimerChoice;
use fieldkit_core::visits::{self, CloseOut, CloseOutPrefill, Visit, VisitStart, VisitStarted, VisitWork};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{with_db, DatabaseHandle, VaultHandle};

/// Starts a visit (or continues the open one for this ticket and appointment).
#[tauri::command]
pub async fn visit_start(database: DatabaseHandle<'_>, start: VisitStart) -> Result<VisitStarted, ErrorPayload> {
    with_db(database, move |db| Ok(visits::start_visit(db, &start, now())?)).await
}

#[tauri::command]
pub async fn visit_get(database: DatabaseHandle<'_>, id: Uuid) -> Result<Visit, ErrorPayload> {
    with_db(database, move |db| Ok(visits::get_visit(db, id)?)).await
}

/// The visits not closed yet (to resume).
#[tauri::command]
pub async fn visits_open(database: DatabaseHandle<'_>) -> Result<Vec<Visit>, ErrorPayload> {
    with_db(database, move |db| Ok(visits::open_visits(db)?)).await
}

#[tauri::command]
pub async fn visit_arrive(
    database: DatabaseHandle<'_>,
    id: Uuid,
    if_running: Option<RunningTimerChoice>,
) -> Result<VisitStarted, ErrorPayload> {
    with_db(database, move |db| Ok(visits::arrive(db, id, if_running, now())?)).await
}

/// Autosave of the work notes and parts.
#[tauri::command]
pub async fn visit_save_work(database: DatabaseHandle<'_>, work: VisitWork) -> Result<Visit, ErrorPayload> {
    with_db(database, move |db| Ok(visits::save_work(db, &work, now())?)).await
}

#[tauri::command]
pub async fn visit_document_change(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    id: Uuid,
    draft: ChangeDraft,
) -> Result<Visit, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| Ok(visits::document_change(db, &vault, id, &draft, now())?)).await
}

/// The departure stamp; returns the close-out, prefilled.
#[tauri::command]
pub async fn visit_leave(database: DatabaseHandle<'_>, id: Uuid) -> Result<Visit, ErrorPayload> {
    with_db(database, move |db| Ok(visits::leave(db, id, now())?)).await
}

#[tauri::command]
pub async fn visit_close_out_prefill(database: DatabaseHandle<'_>, id: Uuid) -> Result<CloseOutPrefill, ErrorPayload> {
    with_db(database, move |db| Ok(visits::close_out_prefill(db, id, now())?)).await
}

#[tauri::command]
pub async fn visit_close(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    close: CloseOut,
) -> Result<Visit, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| Ok(visits::close_visit(db, &vault, &close, now())?)).await
}
