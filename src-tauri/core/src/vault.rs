//! The vault: the data key that encrypts secrets (passwords, license keys),
//! field by field, with XChaCha20-Poly1305.
//!
//! The key is made once per installation. It is kept in the OS keychain
//! (`keyring`); where no keychain service runs (headless machines, some Linux
//! desktops) the user sets a passphrase instead and the key is stored wrapped
//! with a key derived from it (Argon2id). There is no plaintext fallback. The
//! unlocked key lives only in memory, in [`Vault`], and is wiped on lock.

use std::sync::Mutex;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::db::{Db, DbError};
use crate::error::{ErrorCode, ErrorPayload};
use crate::validation::FieldError;

const KEYCHAIN_SERVICE: &str = "Fieldkit secrets";
const CHECK_TEXT: &[u8] = b"fieldkit vault check";
const NONCE_LEN: usize = 24;
const MIN_PASSPHRASE_CHARS: usize = 10;

type Key = Zeroizing<[u8; 32]>;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("Secrets are locked: unlock them first.")]
    Locked,
    #[error("Secrets are not set up yet.")]
    NotSetUp,
    #[error("No system keychain is available here: protect secrets with a passphrase instead.")]
    KeychainUnavailable(String),
    #[error("That passphrase is not the one secrets were protected with.")]
    WrongPassphrase,
    #[error("The key in the keychain does not open these secrets.")]
    WrongKey,
    #[error("A stored secret has been altered or damaged and cannot be read.")]
    Tampered,
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for VaultError {
    fn from(error: rusqlite::Error) -> Self {
        VaultError::Db(DbError::Sqlite(error))
    }
}

impl From<VaultError> for ErrorPayload {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::Invalid(fields) => ErrorPayload::validation(fields),
            VaultError::Db(db) => db.into(),
            VaultError::WrongPassphrase => {
                ErrorPayload::validation(vec![FieldError { field: "passphrase".into(), message: error.to_string() }])
            }
            other => ErrorPayload::new(ErrorCode::Internal, other.to_string()),
        }
    }
}

/// How secrets are protected, and whether they can be read now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum VaultState {
    NotSetUp,
    Locked,
    Unlocked,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct VaultStatus {
    pub state: VaultState,
    /// `keychain` or `passphrase` once set up.
    pub mode: Option<String>,
}

/// The unlocked key, in memory only.
#[derive(Default)]
pub struct Vault {
    key: Mutex<Option<Key>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault { .. }")
    }
}

fn cipher(key: &Key) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.as_ref().into())
}

/// nonce ‖ ciphertext of `plain`, bound to `context`.
fn seal(key: &Key, plain: &[u8], context: &[u8]) -> Vec<u8> {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    // Encryption with a fresh nonce cannot fail for these sizes.
    out.extend(cipher(key).encrypt(&nonce, Payload { msg: plain, aad: context }).unwrap_or_default());
    out
}

fn open(key: &Key, sealed: &[u8], context: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + 16 {
        return None;
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    cipher(key).decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: context }).ok().map(Zeroizing::new)
}

fn passphrase_key(passphrase: &str, salt: &[u8]) -> Key {
    let mut key = Zeroizing::new([0u8; 32]);
    // Argon2id with its default (OWASP-recommended) parameters.
    let _ = argon2::Argon2::default().hash_password_into(passphrase.as_bytes(), salt, key.as_mut());
    key
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    chacha20poly1305::aead::rand_core::RngCore::fill_bytes(&mut OsRng, &mut bytes);
    bytes
}

struct Stored {
    mode: String,
    account: String,
    salt: Option<Vec<u8>>,
    wrapped_key: Option<Vec<u8>>,
    check_value: Vec<u8>,
}

fn stored(db: &Db) -> Result<Option<Stored>, DbError> {
    Ok(db.read(|connection| {
        connection
            .query_row("SELECT mode, account, salt, wrapped_key, check_value FROM vault WHERE id = 1", [], |row| {
                Ok(Stored {
                    mode: row.get(0)?,
                    account: row.get(1)?,
                    salt: row.get(2)?,
                    wrapped_key: row.get(3)?,
                    check_value: row.get(4)?,
                })
            })
            .optional()
    })?)
}

impl Vault {
    pub fn status(&self, db: &Db) -> Result<VaultStatus, VaultError> {
        let stored = stored(db)?;
        let unlocked = self.key.lock().map(|key| key.is_some()).unwrap_or(false);
        Ok(match stored {
            None => VaultStatus { state: VaultState::NotSetUp, mode: None },
            Some(stored) => VaultStatus {
                state: if unlocked { VaultState::Unlocked } else { VaultState::Locked },
                mode: Some(stored.mode),
            },
        })
    }

    /// Makes the data key and keeps it in the keychain, or, with a
    /// passphrase, wrapped in the database. Leaves the vault unlocked.
    pub fn set_up(&self, db: &Db, passphrase: Option<&str>) -> Result<VaultStatus, VaultError> {
        if stored(db)?.is_some() {
            return self.status(db);
        }
        let key: Key = Zeroizing::new(random_bytes::<32>());
        let account = Uuid::new_v4().to_string();
        let check = seal(&key, CHECK_TEXT, b"check");
        let (mode, salt, wrapped) = match passphrase {
            None => {
                let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &account)
                    .map_err(|error| VaultError::KeychainUnavailable(error.to_string()))?;
                let encoded: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
                entry.set_password(&encoded).map_err(|error| VaultError::KeychainUnavailable(error.to_string()))?;
                // Read it back: some backends accept a write they cannot keep.
                match entry.get_password() {
                    Ok(read) if read == encoded => {}
                    Ok(_) | Err(_) => {
                        return Err(VaultError::KeychainUnavailable("the keychain did not keep the key".into()))
                    }
                }
                ("keychain", None, None)
            }
            Some(passphrase) => {
                if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
                    return Err(VaultError::Invalid(vec![FieldError {
                        field: "passphrase".into(),
                        message: format!("Use at least {MIN_PASSPHRASE_CHARS} characters."),
                    }]));
                }
                let salt = random_bytes::<16>().to_vec();
                let wrapping = passphrase_key(passphrase, &salt);
                ("passphrase", Some(salt), Some(seal(&wrapping, key.as_ref(), b"data key")))
            }
        };
        db.write(|tx| {
            tx.execute(
                "INSERT INTO vault (id, mode, account, salt, wrapped_key, check_value) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                params![mode, account, salt, wrapped, check],
            )
        })?;
        *self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(key);
        self.status(db)
    }

    /// Unlocks with the keychain, or with the passphrase.
    pub fn unlock(&self, db: &Db, passphrase: Option<&str>) -> Result<VaultStatus, VaultError> {
        let stored = stored(db)?.ok_or(VaultError::NotSetUp)?;
        let key: Key = if stored.mode == "keychain" {
            let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &stored.account)
                .map_err(|error| VaultError::KeychainUnavailable(error.to_string()))?;
            let encoded = Zeroizing::new(
                entry.get_password().map_err(|error| VaultError::KeychainUnavailable(error.to_string()))?,
            );
            let mut key = Zeroizing::new([0u8; 32]);
            for (index, byte) in key.iter_mut().enumerate() {
                *byte = encoded
                    .get(index * 2..index * 2 + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    .ok_or(VaultError::WrongKey)?;
            }
            key
        } else {
            let passphrase = passphrase.ok_or(VaultError::WrongPassphrase)?;
            let wrapping = passphrase_key(passphrase, stored.salt.as_deref().unwrap_or_default());
            let plain = open(&wrapping, stored.wrapped_key.as_deref().unwrap_or_default(), b"data key")
                .ok_or(VaultError::WrongPassphrase)?;
            let mut key = Zeroizing::new([0u8; 32]);
            if plain.len() != 32 {
                return Err(VaultError::WrongPassphrase);
            }
            key.copy_from_slice(&plain);
            key
        };
        if open(&key, &stored.check_value, b"check").as_deref().map(|v| v.as_slice()) != Some(CHECK_TEXT) {
            return Err(if stored.mode == "keychain" { VaultError::WrongKey } else { VaultError::WrongPassphrase });
        }
        *self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(key);
        self.status(db)
    }

    /// Forgets the key (it stays in the keychain or wrapped in the database).
    pub fn lock(&self) {
        *self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    /// Encrypts `secret` for the record `context`.
    pub fn encrypt(&self, secret: &str, context: &str) -> Result<Vec<u8>, VaultError> {
        let guard = self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = guard.as_ref().ok_or(VaultError::Locked)?;
        Ok(seal(key, secret.as_bytes(), context.as_bytes()))
    }

    /// Decrypts a secret of the record `context`; an altered ciphertext is refused.
    pub fn decrypt(&self, sealed: &[u8], context: &str) -> Result<Zeroizing<String>, VaultError> {
        let guard = self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = guard.as_ref().ok_or(VaultError::Locked)?;
        let plain = open(key, sealed, context.as_bytes()).ok_or(VaultError::Tampered)?;
        Ok(Zeroizing::new(String::from_utf8_lossy(&plain).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passphrase_vault_opens_only_with_its_passphrase_and_detects_tampering() {
        let db = Db::open_in_memory().unwrap();
        let vault = Vault::default();
        assert_eq!(vault.status(&db).unwrap().state, VaultState::NotSetUp);
        assert!(matches!(vault.set_up(&db, Some("short")), Err(VaultError::Invalid(_))));
        vault.set_up(&db, Some("correct horse battery")).unwrap();
        let sealed = vault.encrypt("Tr0ub4dor&3", "record-1").unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("Tr0ub4dor"));
        assert_eq!(vault.decrypt(&sealed, "record-1").unwrap().as_str(), "Tr0ub4dor&3");
        // Bound to its record: moved to another record it does not open.
        assert!(matches!(vault.decrypt(&sealed, "record-2"), Err(VaultError::Tampered)));
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(matches!(vault.decrypt(&altered, "record-1"), Err(VaultError::Tampered)));

        vault.lock();
        assert!(matches!(vault.encrypt("x", "record-1"), Err(VaultError::Locked)));
        assert!(matches!(vault.unlock(&db, Some("wrong horse battery")), Err(VaultError::WrongPassphrase)));
        vault.unlock(&db, Some("correct horse battery")).unwrap();
        assert_eq!(vault.decrypt(&sealed, "record-1").unwrap().as_str(), "Tr0ub4dor&3");
    }
}
