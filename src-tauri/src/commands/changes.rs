//! The change log and the vault that protects its secrets. `change_secret`
//! is the only command whose answer holds a secret, and only on request.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use fieldkit_core::changes::{
    self, CategoryForm, ChangeDraft, ChangeHistory, ChangePage, ChangeQuery, ChangeRecord, ExportFormat, SecretUse,
};
use fieldkit_core::devices::{self, Device};
use fieldkit_core::vault::{Vault, VaultStatus};
use fieldkit_core::ErrorPayload;
use serde::Serialize;
use tauri::State;
use uuid::Uuid;

use super::{now, with_db, AppState};

type VaultState<'a> = State<'a, Arc<Vault>>;

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

#[tauri::command]
pub async fn vault_lock(state: AppState<'_>, vault: VaultState<'_>) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(state, move |db| {
        vault.lock();
        Ok(vault.status(db)?)
    })
    .await
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
    with_db(state, move |db| Ok(changes::save_change(db, &vault, &draft, now())?)).await
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
    with_db(state, move |db| Ok(changes::reveal_secret(db, &vault, id, purpose, now())?.to_string())).await
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
        std::fs::create_dir_all(&folder)
            .map_err(|error| ErrorPayload::internal(format!("Could not create {}: {error}", folder.display())))?;
        let path = folder.join(format!(
            "changes-{}-{}.{}",
            &customer_id.to_string()[..8],
            now().format("%Y%m%d-%H%M%S"),
            format.extension()
        ));
        std::fs::write(&path, text)
            .map_err(|error| ErrorPayload::internal(format!("Could not write {}: {error}", path.display())))?;
        Ok(Exported { path: path.display().to_string() })
    })
    .await
}
