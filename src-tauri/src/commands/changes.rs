//! The change log. `change_reveal_secret` is the only command whose answer
//! holds a secret, and only on request; `change_copy_secret` copies one
//! without it crossing IPC.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use fieldkit_core::changes::{
    self, CategoryForm, ChangeDraft, ChangeHistory, ChangePage, ChangeQuery, ChangeRecord, ExportFormat, Exported,
    SecretUse,
};
use fieldkit_core::clock::now;
use fieldkit_core::secret_clipboard::{CopiedSecret, SecretClipboard, CLEAR_AFTER_SECONDS};
use fieldkit_core::ErrorPayload;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use super::{with_db, DatabaseHandle, VaultHandle};

type Copied<'a> = State<'a, Arc<SecretClipboard>>;

#[tauri::command]
pub fn change_forms() -> Vec<CategoryForm> {
    changes::category_forms()
}

#[tauri::command]
pub async fn changes_list(database: DatabaseHandle<'_>, query: ChangeQuery) -> Result<ChangePage, ErrorPayload> {
    with_db(database, move |db| Ok(changes::list_changes(db, &query)?)).await
}

#[tauri::command]
pub async fn change_save(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    draft: ChangeDraft,
) -> Result<ChangeRecord, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| {
        vault.mark_used(Utc::now());
        Ok(changes::save_change(db, &vault, &draft, now())?)
    })
    .await
}

#[tauri::command]
pub async fn change_history(database: DatabaseHandle<'_>, record_id: Uuid) -> Result<ChangeHistory, ErrorPayload> {
    with_db(database, move |db| Ok(changes::change_history(db, record_id)?)).await
}

/// Answers with the secret itself (recorded in the record's history).
#[tauri::command]
pub async fn change_reveal_secret(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    id: Uuid,
    purpose: SecretUse,
) -> Result<String, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| {
        vault.mark_used(Utc::now());
        Ok(changes::reveal_secret(db, &vault, id, purpose, now())?.to_string())
    })
    .await
}

/// Copies a secret to the clipboard from here, so it never crosses IPC; it
/// is cleared after a while if still there (and on lock and on exit).
#[tauri::command]
pub async fn change_copy_secret<R: Runtime>(
    app: AppHandle<R>,
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    copied: Copied<'_>,
    id: Uuid,
) -> Result<CopiedSecret, ErrorPayload> {
    let vault = vault.inner().clone();
    let secret = with_db(database, move |db| {
        vault.mark_used(Utc::now());
        Ok(changes::reveal_secret(db, &vault, id, SecretUse::Copy, now())?)
    })
    .await?;
    crate::secrets::copy_for_a_while(app, copied.inner().clone(), secret.as_str())
        .map_err(|error| ErrorPayload::internal(format!("Could not copy: {error}")))?;
    Ok(CopiedSecret { clear_after_seconds: CLEAR_AFTER_SECONDS })
}

#[tauri::command]
pub async fn change_post_to_ticket(database: DatabaseHandle<'_>, id: Uuid) -> Result<(), ErrorPayload> {
    with_db(database, move |db| Ok(changes::post_change_to_ticket(db, id, now())?)).await
}

/// Writes a customer's log (without secrets) to `exports/` in the data folder.
#[tauri::command]
pub async fn changes_export(
    database: DatabaseHandle<'_>,
    customer_id: Uuid,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    format: ExportFormat,
) -> Result<Exported, ErrorPayload> {
    let folder = database.inner().exports_dir();
    with_db(database, move |db| changes::export_changes_to_file(db, &folder, customer_id, from, to, format, now()))
        .await
}
