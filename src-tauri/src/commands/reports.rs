//! OnSite Service Reports: drafts, stamps, the seal, verification and the PDF.

use std::sync::Arc;

use fieldkit_core::reports::{self, Paper, ReportDraft, ServiceReport, SignatureInput, Stamp, Verification};
use fieldkit_core::settings;
use fieldkit_core::vault::Vault;
use fieldkit_core::ErrorPayload;
use serde::Serialize;
use tauri::State;
use uuid::Uuid;

use super::{now, with_db, AppState};

type VaultState<'a> = State<'a, Arc<Vault>>;

#[tauri::command]
pub async fn reports_list(state: AppState<'_>, ticket_id: Option<Uuid>) -> Result<Vec<ServiceReport>, ErrorPayload> {
    with_db(state, move |db| Ok(reports::list_reports(db, ticket_id, 100)?)).await
}

#[tauri::command]
pub async fn report_create(state: AppState<'_>, ticket_id: Uuid) -> Result<ServiceReport, ErrorPayload> {
    with_db(state, move |db| Ok(reports::create_report(db, ticket_id, now())?)).await
}

/// A correction of a sealed report: a new draft naming it.
#[tauri::command]
pub async fn report_correct(state: AppState<'_>, id: Uuid) -> Result<ServiceReport, ErrorPayload> {
    with_db(state, move |db| Ok(reports::create_correction(db, id, now())?)).await
}

#[tauri::command]
pub async fn report_get(state: AppState<'_>, id: Uuid) -> Result<ServiceReport, ErrorPayload> {
    with_db(state, move |db| Ok(reports::get_report(db, id)?)).await
}

#[tauri::command]
pub async fn report_save_draft(state: AppState<'_>, draft: ReportDraft) -> Result<ServiceReport, ErrorPayload> {
    with_db(state, move |db| Ok(reports::save_report_draft(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn report_stamp(state: AppState<'_>, id: Uuid, stamp: Stamp) -> Result<ServiceReport, ErrorPayload> {
    with_db(state, move |db| Ok(reports::stamp_report(db, id, stamp, now())?)).await
}

#[tauri::command]
pub async fn report_seal(
    state: AppState<'_>,
    vault: VaultState<'_>,
    id: Uuid,
    signature: SignatureInput,
) -> Result<ServiceReport, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(state, move |db| Ok(reports::seal_report(db, &vault, id, &signature, now())?)).await
}

#[tauri::command]
pub async fn report_verify(state: AppState<'_>, id: Uuid) -> Result<Verification, ErrorPayload> {
    with_db(state, move |db| Ok(reports::verify_report(db, id)?)).await
}

#[tauri::command]
pub async fn seal_public_key(state: AppState<'_>) -> Result<Option<String>, ErrorPayload> {
    with_db(state, |db| Ok(reports::seal_public_key(db)?)).await
}

#[derive(Serialize)]
pub struct SavedPdf {
    pub path: String,
    pub bytes: usize,
}

/// Renders the PDF into `exports/` in the data folder (and, once sealed,
/// queues it as an attachment for the ticket).
#[tauri::command]
pub async fn report_pdf(state: AppState<'_>, id: Uuid, paper: Paper) -> Result<SavedPdf, ErrorPayload> {
    let folder = state.inner().exports_dir();
    with_db(state, move |db| {
        let company = settings::get_settings(db)?.company_name;
        let pdf = reports::export_pdf(db, id, &company, paper, now())?;
        let report = reports::get_report(db, id)?;
        std::fs::create_dir_all(&folder)
            .map_err(|error| ErrorPayload::internal(format!("Could not create {}: {error}", folder.display())))?;
        let path = folder.join(format!(
            "OSSR-{}-{}{}.pdf",
            report.ticket_number,
            &id.to_string()[..8],
            if report.sealed { "" } else { "-draft" }
        ));
        std::fs::write(&path, &pdf)
            .map_err(|error| ErrorPayload::internal(format!("Could not write {}: {error}", path.display())))?;
        Ok(SavedPdf { path: path.display().to_string(), bytes: pdf.len() })
    })
    .await
}
