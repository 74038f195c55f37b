//! The vault: the key that opens secrets — setting it up, unlocking,
//! locking, the idle lock, and the reset when the key is lost.

use std::sync::Arc;

use fieldkit_core::secret_clipboard::SecretClipboard;
use fieldkit_core::vault::{self, SecretsReset, VaultStatus};
use fieldkit_core::ErrorPayload;
use tauri::{AppHandle, Runtime, State};

use super::{with_db, DatabaseHandle, VaultHandle};

type Copied<'a> = State<'a, Arc<SecretClipboard>>;

#[tauri::command]
pub async fn vault_status(database: DatabaseHandle<'_>, vault: VaultHandle<'_>) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| Ok(vault.status(db)?)).await
}

/// No passphrase: keep the key in the system keychain. With one: wrap it.
#[tauri::command]
pub async fn vault_set_up(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    passphrase: Option<String>,
) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| Ok(vault.set_up(db, passphrase.as_deref())?)).await
}

#[tauri::command]
pub async fn vault_unlock(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    passphrase: Option<String>,
) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| Ok(vault.unlock(db, passphrase.as_deref())?)).await
}

/// Locks until the technician unlocks again (the background sync does not
/// reopen it), and takes a copied secret off the clipboard.
#[tauri::command]
pub async fn vault_lock<R: Runtime>(
    app: AppHandle<R>,
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    copied: Copied<'_>,
) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    vault.lock();
    crate::secrets::clear_now(&app, &copied);
    with_db(database, move |db| Ok(vault.status(db)?)).await
}

/// Minutes without use before a passphrase vault locks itself (0 = never).
#[tauri::command]
pub async fn vault_set_idle_lock(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    minutes: u32,
) -> Result<VaultStatus, ErrorPayload> {
    let vault = vault.inner().clone();
    with_db(database, move |db| {
        vault::set_idle_lock_minutes(db, minutes)?;
        Ok(vault.status(db)?)
    })
    .await
}

/// What resetting secrets would lose, for the confirmation.
#[tauri::command]
pub async fn vault_reset_preview(database: DatabaseHandle<'_>) -> Result<SecretsReset, ErrorPayload> {
    with_db(database, |db| Ok(vault::reset_preview(db)?)).await
}

/// Drops the vault and every secret encrypted with it; `confirmation` must
/// be the word the technician was asked to type.
#[tauri::command]
pub async fn vault_reset<R: Runtime>(
    app: AppHandle<R>,
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    copied: Copied<'_>,
    confirmation: String,
) -> Result<SecretsReset, ErrorPayload> {
    let vault = vault.inner().clone();
    let summary = with_db(database, move |db| Ok(vault.reset(db, &confirmation)?)).await?;
    crate::secrets::clear_now(&app, &copied);
    Ok(summary)
}
