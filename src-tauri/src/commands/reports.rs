//! OnSite Service Reports: drafts, stamps, the seal, verification and the PDF.

use std::sync::Arc;

use fieldkit_core::reports::{self, Paper, ReportDraft, SealKey, ServiceReport, SignatureInput, Stamp, Verification};
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
pub async fn report_verify(state: AppState<'_>, vault: VaultState<'_>, id: Uuid) -> Result<Verification, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(state, move |db| Ok(reports::verify_report(db, Some(&vault), id)?)).await
}

#[tauri::command]
pub async fn seal_public_key(state: AppState<'_>) -> Result<Option<SealKey>, ErrorPayload> {
    with_db(state, |db| Ok(reports::seal_key(db)?)).await
}

/// Renders the PDF and asks where to save it (the system's Save dialog),
/// then opens it. `None` when the technician cancels.
#[tauri::command]
pub async fn report_pdf_save_as<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: AppState<'_>,
    vault: VaultState<'_>,
    id: Uuid,
    paper: Paper,
) -> Result<Option<SavedPdf>, ErrorPayload> {
    use tauri_plugin_dialog::DialogExt;
    let vault = vault.inner().clone();
    let rendered = with_db(state, move |db| {
        let company = settings::get_settings(db)?.company_name;
        let pdf = reports::export_pdf(db, &vault, id, &company, paper, now())?;
        let report = reports::get_report(db, id)?;
        Ok((pdf, format!("OSSR-{}.pdf", report.ticket_number)))
    })
    .await?;
    let (pdf, name) = rendered;
    let chosen = tauri::async_runtime::spawn_blocking(move || {
        app.dialog().file().set_file_name(&name).add_filter("PDF", &["pdf"]).blocking_save_file()
    })
    .await
    .map_err(|error| ErrorPayload::internal(error.to_string()))?;
    let Some(path) = chosen.and_then(|file| file.into_path().ok()) else { return Ok(None) };
    fieldkit_core::files::write_atomically(&path, &pdf)?;
    if let Err(error) = open::that_detached(&path) {
        eprintln!("fieldkit: could not open {}: {error}", path.display());
    }
    Ok(Some(SavedPdf { path: path.display().to_string(), bytes: pdf.len() }))
}

/// Opens a PDF saved by `report_pdf` in the system's viewer.
#[tauri::command]
pub async fn report_pdf_open(state: AppState<'_>, path: String) -> Result<(), ErrorPayload> {
    let folder = state.inner().exports_dir();
    let path = std::path::PathBuf::from(path);
    // Only files Fieldkit wrote into its exports folder (resolved: no `..`, no link out).
    if !fieldkit_core::files::is_directly_inside(&folder, &path)
        || path.extension().and_then(|e| e.to_str()) != Some("pdf")
    {
        return Err(ErrorPayload::internal("Only PDFs saved by Fieldkit can be opened from here."));
    }
    open::that_detached(&path).map_err(|error| ErrorPayload::internal(format!("No app opens PDFs here ({error}).")))
}

#[derive(Serialize)]
pub struct SavedPdf {
    pub path: String,
    pub bytes: usize,
}

/// Saves the PDF into `exports/` in the data folder: a draft as it is now,
/// a sealed report as its recorded, signed file.
#[tauri::command]
pub async fn report_pdf(
    state: AppState<'_>,
    vault: VaultState<'_>,
    id: Uuid,
    paper: Paper,
) -> Result<SavedPdf, ErrorPayload> {
    let folder = state.inner().exports_dir();
    let vault = vault.inner().clone();
    with_db(state, move |db| {
        let company = settings::get_settings(db)?.company_name;
        let pdf = reports::export_pdf(db, &vault, id, &company, paper, now())?;
        let report = reports::get_report(db, id)?;
        // The ticket number comes from the PSA: `write_export` keeps the name inside `exports/`.
        let name = format!(
            "OSSR-{}-{}{}.pdf",
            report.ticket_number,
            &id.to_string()[..8],
            if report.sealed { "" } else { "-draft" }
        );
        let path = fieldkit_core::files::write_export(&folder, &name, &pdf)?;
        Ok(SavedPdf { path: path.display().to_string(), bytes: pdf.len() })
    })
    .await
}
