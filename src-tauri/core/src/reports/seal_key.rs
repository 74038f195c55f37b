//! The installation's sealing key: an Ed25519 key made on first use, its
//! seed kept encrypted by the vault and its public half beside it in
//! `seal_keys` (shown in Settings with a fingerprint). The public half is
//! only trusted when it is the seed's own.

use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::sealed_pdf::{hex, key_fingerprint, unhex};
use super::ReportError;
use crate::db::Db;
use crate::vault::Vault;

/// The installation's stored signing key, if any: the vault decrypts the
/// seed, and the public key stored beside it must be the seed's own.
pub(crate) fn stored_key(connection: &Connection, vault: &Vault) -> Result<Option<SigningKey>, ReportError> {
    let stored: Option<(String, Vec<u8>)> = connection
        .query_row("SELECT public_key, sealed_secret FROM seal_keys WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((public, sealed)) = stored else { return Ok(None) };
    let secret = vault.decrypt(&sealed, "seal key")?;
    let bytes = unhex(&secret).filter(|b| b.len() == 32).ok_or(crate::vault::VaultError::Tampered)?;
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&bytes);
    let key = SigningKey::from_bytes(&seed);
    if hex(key.verifying_key().as_bytes()) != public {
        return Err(ReportError::KeyReplaced);
    }
    Ok(Some(key))
}

/// The installation's signing key, made (and stored encrypted) on first use.
pub(crate) fn signing_key(connection: &Connection, vault: &Vault) -> Result<SigningKey, ReportError> {
    if let Some(key) = stored_key(connection, vault)? {
        return Ok(key);
    }
    let seed: [u8; 32] = crate::vault::random_bytes::<32>();
    let key = SigningKey::from_bytes(&seed);
    let sealed = vault.encrypt(&hex(&seed), "seal key")?;
    connection.execute(
        "INSERT INTO seal_keys (id, public_key, sealed_secret) VALUES (1, ?1, ?2)",
        params![hex(key.verifying_key().as_bytes()), sealed],
    )?;
    Ok(key)
}

/// The public half of the sealing key, for the office to trust (Settings).
pub fn seal_public_key(db: &Db) -> Result<Option<String>, ReportError> {
    Ok(db.read(|connection| {
        connection.query_row("SELECT public_key FROM seal_keys WHERE id = 1", [], |r| r.get(0)).optional()
    })?)
}

/// The installation's public sealing key as Settings shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SealKey {
    /// Ed25519, 64 hex digits: what `fieldkit verify <file.pdf> --key` takes.
    pub public_key: String,
    /// A short form to read out over the phone: the first 16 bytes of its SHA-256.
    pub fingerprint: String,
}

pub fn seal_key(db: &Db) -> Result<Option<SealKey>, ReportError> {
    Ok(seal_public_key(db)?.map(|public_key| SealKey { fingerprint: key_fingerprint(&public_key), public_key }))
}

/// Whether `sealed_with` is this installation's key, as far as can be told.
pub(crate) fn key_problems(
    connection: &Connection,
    vault: Option<&Vault>,
    sealed_with: &str,
) -> Result<Vec<String>, ReportError> {
    let installation: Option<String> =
        connection.query_row("SELECT public_key FROM seal_keys WHERE id = 1", [], |r| r.get(0)).optional()?;
    let Some(installation) = installation else {
        return Ok(vec!["This installation has no sealing key, so the seal cannot be checked against it.".into()]);
    };
    let mut problems = Vec::new();
    if !installation.eq_ignore_ascii_case(sealed_with) {
        problems.push("The report was sealed with another key than this installation's.".into());
    }
    if let Some(vault) = vault {
        match stored_key(connection, vault) {
            Ok(_) => {}
            // A locked vault cannot say more; the stored key was compared above.
            Err(ReportError::Vault(crate::vault::VaultError::Locked | crate::vault::VaultError::NotSetUp)) => {}
            Err(ReportError::KeyReplaced) => problems
                .push("This installation's sealing key record was replaced: it is not the key the vault holds.".into()),
            Err(ReportError::Vault(_)) => {
                problems.push("This installation's sealing key cannot be opened: it was replaced or damaged.".into())
            }
            Err(other) => return Err(other),
        }
    }
    Ok(problems)
}
