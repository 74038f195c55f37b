//! The change log and the vault that protects its secrets. `change_secret`
//! is the only command whose answer holds a secret, and only on request.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use fieldkit_core::changes::{
    self, CategoryForm, ChangeDraft, ChangeHistory, ChangePage, ChangeQuery, ChangeRecord, ExportFormat, SecretUse,
};
use fieldkit_core::devices::{self, Device};
use fieldkit_core::secret_clipboard::{CopiedSecret, SecretClipboard, CLEAR_AFTER_SECONDS};
use fieldkit_core::vault::{self, SecretsReset, Vault, VaultStatus};
use fieldkit_core::{files, ErrorPayload};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use super::{now, with_db, AppState};

type VaultState<'a> = State<'a, Arc<Vault>>;
type Copied<'a> = State<'a, Arc<SecretClipboard>>;

#[tauri::command]
pub async fn vault_status(state: AppState<'_>, vault: VaultState<'_>) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(state, move |db| Ok(vault.status(db)?)).await
}

/// No passphrase: keep the key in the system keychain. With one: wrap it.
#[tauri::command]
pub async fn vault_set_up(
    state: AppState<'_>,
    vault: VaultState<'_>,
    passphrase: Option<String>,
) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(state, move |db| Ok(vault.set_up(db, passphrase.as_deref())?)).await
}

#[tauri::command]
pub async fn vault_unlock(
    state: AppState<'_>,
    vault: VaultState<'_>,
    passphrase: Option<String>,
) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(state, move |db| Ok(vault.unlock(db, passphrase.as_deref())?)).await
}

/// Locks until the technician unlocks again (the background sync does not
/// reopen it), and takes a copied secret off the clipboard.
#[tauri::command]
pub async fn vault_lock<R: Runtime>(
    app: AppHandle<R>,
    state: AppState<'_>,
    vault: VaultState<'_>,
    copied: Copied<'_>,
) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    vault.lock();
    crate::secrets::clear_now(&app, &copied);
    with_db(state, move |db| Ok(vault.status(db)?)).await
}

/// Minutes without use before a passphrase vault locks itself (0 = never).
#[tauri::command]
pub async fn vault_set_idle_lock(
    state: AppState<'_>,
    vault: VaultState<'_>,
    minutes: u32,
) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(state, move |db| {
        vault::set_idle_lock_minutes(db, minutes)?;
        Ok(vault.status(db)?)
    })
    .await
}

/// What resetting secrets would lose, for the confirmation.
#[tauri::command]
pub async fn vault_reset_preview(state: AppState<'_>) -> Result<SecretsReset, ErrorPayload> {
    with_db(state, |db| Ok(vault::reset_preview(db)?)).await
}

/// Drops the vault and every secret encrypted with it; `confirmation` must
/// be the word the technician was asked to type.
#[tauri::command]
pub async fn vault_reset<R: Runtime>(
    app: AppHandle<R>,
    state: AppState<'_>,
    vault: VaultState<'_>,
    copied: Copied<'_>,
    confirmation: String,
) -> Result<SecretsReset, ErrorPayload> {
    let vault = vault.inner().clone();
    let summary = with_db(state, move |db| Ok(vault.reset(db, &confirmation)?)).await?;
    crate::secrets::clear_now(&app, &copied);
    Ok(summary)
}

#[tauri::command]
pub fn change_forms() -> Vec<CategoryForm> {
    changes::category_forms()
}

#[tauri::command]
pub async fn devices_list(state: AppState<'_>, customer_id: Uuid) -> Result<Vec<Device>, ErrorPayload> {
    with_db(state, move |db| Ok(devices::list_devices(db, customer_id)?)).await
}

#[tauri::command]
pub async fn changes_list(state: AppState<'_>, query: ChangeQuery) -> Result<ChangePage, ErrorPayload> {
    with_db(state, move |db| Ok(changes::list_changes(db, &query)?)).await
}

#[tauri::command]
pub async fn change_save(
    state: AppState<'_>,
    vault: VaultState<'_>,
    draft: ChangeDraft,
) -> Result<ChangeRecord, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(state, move |db| {
        vault.mark_used(Utc::now());
        Ok(changes::save_change(db, &vault, &draft, now())?)
    })
    .await
}

#[tauri::command]
pub async fn change_history(state: AppState<'_>, record_id: Uuid) -> Result<ChangeHistory, ErrorPayload> {
    with_db(state, move |db| Ok(changes::change_history(db, record_id)?)).await
}

#[tauri::command]
pub async fn change_secret(
    state: AppState<'_>,
    vault: VaultState<'_>,
    id: Uuid,
    purpose: SecretUse,
) -> Result<String, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(state, move |db| {
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
    state: AppState<'_>,
    vault: VaultState<'_>,
    copied: Copied<'_>,
    id: Uuid,
) -> Result<CopiedSecret, ErrorPayload> {
    let vault = vault.inner().clone();
    let secret = with_db(state, move |db| {
        vault.mark_used(Utc::now());
        Ok(changes::reveal_secret(db, &vault, id, SecretUse::Copy, now())?)
    })
    .await?;
    crate::secrets::copy_for_a_while(app, copied.inner().clone(), secret.as_str())
        .map_err(|error| ErrorPayload::internal(format!("Could not copy: {error}")))?;
    Ok(CopiedSecret { clear_after_seconds: CLEAR_AFTER_SECONDS })
}

#[tauri::command]
pub async fn change_post_to_ticket(state: AppState<'_>, id: Uuid) -> Result<(), ErrorPayload> {
    with_db(state, move |db| Ok(changes::post_change_to_ticket(db, id, now())?)).await
}

#[derive(Serialize)]
pub struct Exported {
    pub path: String,
}

/// Writes a customer's log (without secrets) to `exports/` in the data folder.
#[tauri::command]
pub async fn changes_export(
    state: AppState<'_>,
    customer_id: Uuid,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    format: ExportFormat,
) -> Result<Exported, ErrorPayload> {
    let folder = state.inner().exports_dir();
    with_db(state, move |db| {
        let text = changes::export_changes(db, customer_id, from, to, format)?;
        let name = format!(
            "changes-{}-{}.{}",
            &customer_id.to_string()[..8],
            now().format("%Y%m%d-%H%M%S"),
            format.extension()
        );
        let path = files::write_export(&folder, &name, text.as_bytes())?;
        Ok(Exported { path: path.display().to_string() })
    })
    .await
}
