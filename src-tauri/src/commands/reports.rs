//! OnSite Service Reports: drafts, stamps, the seal, verification and the PDF.

use fieldkit_core::clock::now;
use fieldkit_core::reports::{
    self, Paper, ReportDraft, SavedPdf, SealKey, ServiceReport, SignatureInput, Stamp, Verification,
};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{with_db, DatabaseHandle, VaultHandle};

#[tauri::command]
pub async fn reports_list(
    database: DatabaseHandle<'_>,
    ticket_id: Option<Uuid>,
) -> Result<Vec<ServiceReport>, ErrorPayload> {
    with_db(database, move |db| Ok(reports::list_reports(db, ticket_id, 100)?)).await
}

#[tauri::command]
pub async fn report_create(database: DatabaseHandle<'_>, ticket_id: Uuid) -> Result<ServiceReport, ErrorPayload> {
    with_db(database, move |db| Ok(reports::create_report(db, ticket_id, now())?)).await
}

/// A correction of a sealed report: a new draft naming it.
#[tauri::command]
pub async fn report_correct(database: DatabaseHandle<'_>, id: Uuid) -> Result<ServiceReport, ErrorPayload> {
    with_db(database, move |db| Ok(reports::create_correction(db, id, now())?)).await
}

#[tauri::command]
pub async fn report_get(database: DatabaseHandle<'_>, id: Uuid) -> Result<ServiceReport, ErrorPayload> {
    with_db(database, move |db| Ok(reports::get_report(db, id)?)).await
}

#[tauri::command]
pub async fn report_save_draft(
    database: DatabaseHandle<'_>,
    draft: ReportDraft,
) -> Result<ServiceReport, ErrorPayload> {
    with_db(database, move |db| Ok(reports::save_report_draft(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn report_stamp(database: DatabaseHandle<'_>, id: Uuid, stamp: Stamp) -> Result<ServiceReport, ErrorPayload> {
    with_db(database, move |db| Ok(reports::stamp_report(db, id, stamp, now())?)).await
}

#[tauri::command]
pub async fn report_seal(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    id: Uuid,
    signature: SignatureInput,
) -> Result<ServiceReport, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| Ok(reports::seal_report(db, &vault, id, &signature, now())?)).await
}

#[tauri::command]
pub async fn report_verify(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    id: Uuid,
) -> Result<Verification, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| Ok(reports::verify_report(db, Some(&vault), id)?)).await
}

#[tauri::command]
pub async fn seal_public_key(database: DatabaseHandle<'_>) -> Result<Option<SealKey>, ErrorPayload> {
    with_db(database, |db| Ok(reports::seal_key(db)?)).await
}

/// Renders the PDF and asks where to save it (the system's Save dialog),
/// then opens it. `None` when the technician cancels.
#[tauri::command]
pub async fn report_pdf_save_as<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    id: Uuid,
    paper: Paper,
) -> Result<Option<SavedPdf>, ErrorPayload> {
    use tauri_plugin_dialog::DialogExt;
    let vault = vault.inner().clone();
    let pdf = with_db(database, move |db| reports::pdf_to_save(db, &vault, id, paper, now())).await?;
    let name = pdf.suggested_name.clone();
    let chosen = tauri::async_runtime::spawn_blocking(move || {
        app.dialog().file().set_file_name(&name).add_filter("PDF", &["pdf"]).blocking_save_file()
    })
    .await
    .map_err(|error| ErrorPayload::internal(error.to_string()))?;
    let Some(path) = chosen.and_then(|file| file.into_path().ok()) else { return Ok(None) };
    let saved = pdf.write_to(&path)?;
    if let Err(error) = open::that_detached(&path) {
        eprintln!("fieldkit: could not open {}: {error}", path.display());
    }
    Ok(Some(saved))
}

/// Opens a PDF saved by `report_pdf` in the system's viewer.
#[tauri::command]
pub async fn report_pdf_open(database: DatabaseHandle<'_>, path: String) -> Result<(), ErrorPayload> {
    let folder = database.inner().exports_dir();
    let path = std::path::PathBuf::from(path);
    // Only files Fieldkit wrote into its exports folder (resolved: no `..`, no link out).
    if !fieldkit_core::files::is_directly_inside(&folder, &path)
        || path.extension().and_then(|e| e.to_str()) != Some("pdf")
    {
        return Err(ErrorPayload::internal("Only PDFs saved by Fieldkit can be opened from here."));
    }
    open::that_detached(&path).map_err(|error| ErrorPayload::internal(format!("No app opens PDFs here ({error}).")))
}

/// Saves the PDF into `exports/` in the data folder: a draft as it is now,
/// a sealed report as its recorded, signed file.
#[tauri::command]
pub async fn report_pdf(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    id: Uuid,
    paper: Paper,
) -> Result<SavedPdf, ErrorPayload> {
    let folder = database.inner().exports_dir();
    let vault = vault.inner().clone();
    with_db(database, move |db| reports::save_pdf_export(db, &vault, &folder, id, paper, now())).await
}
