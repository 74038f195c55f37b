//! The vault: the data key that encrypts secrets (passwords, license keys),
//! field by field, with XChaCha20-Poly1305.
//!
//! The key is made once per installation. It is kept in the OS keychain
//! (`keyring`); where no keychain service runs (headless machines, some Linux
//! desktops) the user sets a passphrase instead and the key is stored wrapped
//! with a key derived from it (Argon2id). There is no plaintext fallback. The
//! unlocked key lives only in memory, in [`Vault`], and is wiped on lock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
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
/// Shorter salts are refused: a damaged row must not quietly weaken the key.
const MIN_SALT_LEN: usize = 16;
/// nonce ‖ 32-byte key ‖ 16-byte tag.
const WRAPPED_KEY_LEN: usize = NONCE_LEN + 32 + 16;
/// Marks a salt column that carries its Argon2id parameters (see [`KdfParams`]).
const KDF_TAG: &[u8; 8] = b"argon2id";
/// `settings` key of the idle lock, in minutes (0 = off).
const IDLE_LOCK_SETTING: &str = "vault.idle_lock_minutes";
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 15;
const MAX_IDLE_LOCK_MINUTES: u32 = 24 * 60;
/// What the technician types to confirm a reset of secrets.
pub const RESET_CONFIRMATION: &str = "RESET";

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
    #[error("The stored key of secrets is damaged ({0}). If the passphrase or keychain item is lost, reset secrets.")]
    Damaged(String),
    #[error("The key could not be derived from the passphrase: {0}")]
    KeyDerivation(String),
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
            VaultError::WrongPassphrase => ErrorPayload::field("passphrase", error.to_string()),
            VaultError::Locked => ErrorPayload::new(ErrorCode::VaultLocked, error.to_string()),
            VaultError::NotSetUp => ErrorPayload::new(ErrorCode::VaultNotSetUp, error.to_string()),
            other => ErrorPayload::internal(other.to_string()),
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
    /// A passphrase vault locks itself after this many idle minutes (0 = never).
    pub idle_lock_minutes: u32,
}

/// The unlocked key, in memory only.
#[derive(Default)]
pub struct Vault {
    key: Mutex<Option<Key>>,
    /// Set by [`Vault::lock`], cleared by the technician's own unlock: a vault
    /// they closed stays closed, whatever background work would like.
    locked_by_user: AtomicBool,
    /// When the technician last used a secret (or unlocked), for the idle lock.
    last_used: Mutex<Option<DateTime<Utc>>>,
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

/// Argon2id's cost, stored with the salt so a later build with other
/// defaults still opens what an earlier one wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl KdfParams {
    /// argon2's defaults (OWASP's recommendation), used for new vaults and
    /// for rows written before the parameters were stored.
    pub(crate) const DEFAULT: KdfParams = KdfParams {
        m_cost: argon2::Params::DEFAULT_M_COST,
        t_cost: argon2::Params::DEFAULT_T_COST,
        p_cost: argon2::Params::DEFAULT_P_COST,
    };
    /// Upper bounds: a tampered row must not make unlocking take gigabytes or minutes.
    const MAX_M_COST: u32 = 1 << 20;
    const MAX_T_COST: u32 = 64;
    const MAX_P_COST: u32 = 16;

    fn argon2(self) -> Result<argon2::Argon2<'static>, VaultError> {
        if self.m_cost > Self::MAX_M_COST || self.t_cost > Self::MAX_T_COST || self.p_cost > Self::MAX_P_COST {
            return Err(VaultError::Damaged(format!(
                "unreasonable key derivation parameters m={} t={} p={}",
                self.m_cost, self.t_cost, self.p_cost
            )));
        }
        let params = argon2::Params::new(self.m_cost, self.t_cost, self.p_cost, Some(32))
            .map_err(|error| VaultError::Damaged(format!("invalid key derivation parameters: {error}")))?;
        Ok(argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params))
    }
}

/// The salt column: `argon2id` ‖ m ‖ t ‖ p (u32, big-endian) ‖ salt.
fn encode_salt(params: KdfParams, salt: &[u8]) -> Vec<u8> {
    let mut out = KDF_TAG.to_vec();
    for value in [params.m_cost, params.t_cost, params.p_cost] {
        out.extend_from_slice(&value.to_be_bytes());
    }
    out.extend_from_slice(salt);
    out
}

/// The parameters and salt of a salt column. A column without the tag was
/// written before parameters were stored: the salt alone, with the defaults.
fn decode_salt(column: Option<&[u8]>) -> Result<(KdfParams, &[u8]), VaultError> {
    let column = column.ok_or_else(|| VaultError::Damaged("the salt is missing".into()))?;
    let (params, salt) = match column.strip_prefix(KDF_TAG.as_slice()) {
        Some(rest) if rest.len() >= 12 => {
            let word = |index: usize| {
                let mut bytes = [0u8; 4];
                bytes.copy_from_slice(&rest[index * 4..index * 4 + 4]);
                u32::from_be_bytes(bytes)
            };
            (KdfParams { m_cost: word(0), t_cost: word(1), p_cost: word(2) }, &rest[12..])
        }
        Some(_) => return Err(VaultError::Damaged("the key derivation parameters are cut short".into())),
        None => (KdfParams::DEFAULT, column),
    };
    if salt.len() < MIN_SALT_LEN {
        return Err(VaultError::Damaged(format!(
            "the salt is {} bytes, at least {MIN_SALT_LEN} are needed",
            salt.len()
        )));
    }
    Ok((params, salt))
}

/// The wrapped data key, refused when it cannot be one (missing or cut short).
fn wrapped_key(column: Option<&[u8]>) -> Result<&[u8], VaultError> {
    match column {
        None => Err(VaultError::Damaged("the wrapped key is missing".into())),
        Some(wrapped) if wrapped.len() != WRAPPED_KEY_LEN => {
            Err(VaultError::Damaged(format!("the wrapped key is {} bytes, not {WRAPPED_KEY_LEN}", wrapped.len())))
        }
        Some(wrapped) => Ok(wrapped),
    }
}

/// The wrapping key from the passphrase; a derivation error is an error,
/// never an all-zero key.
fn passphrase_key(passphrase: &str, salt: &[u8], params: KdfParams) -> Result<Key, VaultError> {
    let mut key = Zeroizing::new([0u8; 32]);
    params
        .argon2()?
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
        .map_err(|error| VaultError::KeyDerivation(error.to_string()))?;
    Ok(key)
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
        let idle_lock_minutes = idle_lock_minutes(db)?;
        Ok(match stored {
            None => VaultStatus { state: VaultState::NotSetUp, mode: None, idle_lock_minutes },
            Some(stored) => VaultStatus {
                state: if self.is_unlocked() { VaultState::Unlocked } else { VaultState::Locked },
                mode: Some(stored.mode),
                idle_lock_minutes,
            },
        })
    }

    /// Makes the data key and keeps it in the keychain, or, with a
    /// passphrase, wrapped in the database. Leaves the vault unlocked.
    pub fn set_up(&self, db: &Db, passphrase: Option<&str>) -> Result<VaultStatus, VaultError> {
        self.set_up_with(db, passphrase, KdfParams::DEFAULT)
    }

    pub(crate) fn set_up_with(
        &self,
        db: &Db,
        passphrase: Option<&str>,
        params: KdfParams,
    ) -> Result<VaultStatus, VaultError> {
        if stored(db)?.is_some() {
            return self.status(db);
        }
        let key: Key = Zeroizing::new(random_bytes::<32>());
        let account = Uuid::new_v4().to_string();
        let check = seal(&key, CHECK_TEXT, b"check");
        let (mode, salt, wrapped) = match passphrase {
            None => {
                keep_in_keychain(&account, &key)?;
                ("keychain", None, None)
            }
            Some(passphrase) => {
                if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
                    return Err(VaultError::Invalid(vec![FieldError {
                        field: "passphrase".into(),
                        message: format!("Use at least {MIN_PASSPHRASE_CHARS} characters."),
                    }]));
                }
                let salt = random_bytes::<MIN_SALT_LEN>();
                let wrapping = passphrase_key(passphrase, &salt, params)?;
                ("passphrase", Some(encode_salt(params, &salt)), Some(seal(&wrapping, key.as_ref(), b"data key")))
            }
        };
        db.write(|tx| {
            tx.execute(
                "INSERT INTO vault (id, mode, account, salt, wrapped_key, check_value) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                params![mode, account, salt, wrapped, check],
            )
        })?;
        self.keep_unlocked(key);
        self.status(db)
    }

    /// The technician unlocks, with the keychain or the passphrase. This also
    /// lifts their earlier [`Vault::lock`].
    pub fn unlock(&self, db: &Db, passphrase: Option<&str>) -> Result<VaultStatus, VaultError> {
        let key = open_data_key(db, passphrase)?;
        self.keep_unlocked(key);
        self.status(db)
    }

    /// Background work (the sync) opens a keychain vault without asking, but
    /// never one the technician locked, and never a passphrase one. `true`
    /// when the vault is unlocked afterwards.
    pub fn unlock_in_background(&self, db: &Db) -> Result<bool, VaultError> {
        if self.is_unlocked() {
            return Ok(true);
        }
        if self.locked_by_user.load(Ordering::SeqCst) {
            return Ok(false);
        }
        if stored(db)?.ok_or(VaultError::NotSetUp)?.mode != "keychain" {
            return Ok(false);
        }
        let key = open_data_key(db, None)?;
        let mut slot = self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Checked again under the key's lock: a `lock()` meanwhile wins.
        if self.locked_by_user.load(Ordering::SeqCst) {
            return Ok(false);
        }
        *slot = Some(key);
        Ok(true)
    }

    fn keep_unlocked(&self, key: Key) {
        let mut slot = self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Some(key);
        self.locked_by_user.store(false, Ordering::SeqCst);
        self.mark_used(Utc::now());
    }

    fn is_unlocked(&self) -> bool {
        self.key.lock().map(|key| key.is_some()).unwrap_or(false)
    }

    /// Forgets the key (it stays in the keychain or wrapped in the database)
    /// and remembers that the technician wants it closed.
    pub fn lock(&self) {
        let mut slot = self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.locked_by_user.store(true, Ordering::SeqCst);
        *slot = None;
    }

    /// Forgets the key without marking the vault locked by the technician:
    /// after a restore the database may hold another vault, which opens
    /// again the usual way (the keychain in the background, or a passphrase).
    pub fn forget_key(&self) {
        let mut slot = self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = None;
    }

    /// Whether the technician locked the vault (and has not unlocked it since).
    pub fn locked_by_user(&self) -> bool {
        self.locked_by_user.load(Ordering::SeqCst)
    }

    /// Records a use of secrets on the technician's behalf (not the sync's):
    /// the idle lock counts from here.
    pub fn mark_used(&self, now: DateTime<Utc>) {
        *self.last_used.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(now);
    }

    /// Locks a passphrase vault left unused for `idle_minutes` (0 = never).
    /// A keychain vault reopens without a passphrase, so locking it on idle
    /// would protect nothing. `true` when it was locked now.
    pub fn lock_if_idle(&self, db: &Db, now: DateTime<Utc>, idle_minutes: u32) -> Result<bool, VaultError> {
        if idle_minutes == 0 || !self.is_unlocked() {
            return Ok(false);
        }
        if stored(db)?.map(|stored| stored.mode) != Some("passphrase".into()) {
            return Ok(false);
        }
        let last_used = *self.last_used.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let idle = last_used.is_none_or(|last| now - last >= chrono::Duration::minutes(i64::from(idle_minutes)));
        if idle {
            self.lock();
        }
        Ok(idle)
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

/// Writes the data key to the keychain and reads it back: some backends
/// accept a write they cannot keep.
fn keep_in_keychain(account: &str, key: &Key) -> Result<(), VaultError> {
    let entry = keyring::Entry::new(KEYCHAIN_SERVICE, account)
        .map_err(|error| VaultError::KeychainUnavailable(error.to_string()))?;
    let encoded = Zeroizing::new(key.iter().map(|byte| format!("{byte:02x}")).collect::<String>());
    entry.set_password(&encoded).map_err(|error| VaultError::KeychainUnavailable(error.to_string()))?;
    match entry.get_password() {
        Ok(read) if read == *encoded => Ok(()),
        Ok(_) | Err(_) => Err(VaultError::KeychainUnavailable("the keychain did not keep the key".into())),
    }
}

fn key_from_keychain(account: &str) -> Result<Key, VaultError> {
    let entry = keyring::Entry::new(KEYCHAIN_SERVICE, account)
        .map_err(|error| VaultError::KeychainUnavailable(error.to_string()))?;
    let encoded =
        Zeroizing::new(entry.get_password().map_err(|error| VaultError::KeychainUnavailable(error.to_string()))?);
    let mut key = Zeroizing::new([0u8; 32]);
    for (index, byte) in key.iter_mut().enumerate() {
        *byte = encoded
            .get(index * 2..index * 2 + 2)
            .and_then(|pair| u8::from_str_radix(pair, 16).ok())
            .ok_or(VaultError::WrongKey)?;
    }
    Ok(key)
}

/// Unwraps the data key with the passphrase and the stored Argon2id parameters.
fn key_from_passphrase(stored: &Stored, passphrase: Option<&str>) -> Result<Key, VaultError> {
    let (params, salt) = decode_salt(stored.salt.as_deref())?;
    let wrapped = wrapped_key(stored.wrapped_key.as_deref())?;
    let passphrase = passphrase.ok_or(VaultError::WrongPassphrase)?;
    let wrapping = passphrase_key(passphrase, salt, params)?;
    let plain = open(&wrapping, wrapped, b"data key").ok_or(VaultError::WrongPassphrase)?;
    if plain.len() != 32 {
        return Err(VaultError::WrongPassphrase);
    }
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&plain);
    Ok(key)
}

/// The data key, proven right by the stored check value.
fn open_data_key(db: &Db, passphrase: Option<&str>) -> Result<Key, VaultError> {
    let stored = stored(db)?.ok_or(VaultError::NotSetUp)?;
    let key = if stored.mode == "keychain" {
        key_from_keychain(&stored.account)?
    } else {
        key_from_passphrase(&stored, passphrase)?
    };
    if open(&key, &stored.check_value, b"check").as_deref().map(|v| v.as_slice()) != Some(CHECK_TEXT) {
        return Err(if stored.mode == "keychain" { VaultError::WrongKey } else { VaultError::WrongPassphrase });
    }
    Ok(key)
}

/// What a database just restored from a backup means for its secrets, in
/// words for the technician; `None` when there are none or they open here.
/// Secrets travel encrypted in the database; with a passphrase the wrapped
/// key travels with them, with the keychain the key stays in the keychain of
/// the computer that made it.
pub fn secrets_after_restore(db: &Db) -> Result<Option<String>, VaultError> {
    let Some(stored) = stored(db)? else { return Ok(None) };
    if stored.mode != "keychain" {
        return Ok(Some(
            "Secrets are protected by the passphrase that was in use when the backup was made: unlock them with that passphrase."
                .into(),
        ));
    }
    Ok(match open_data_key(db, None) {
        Ok(_) => None,
        Err(_) => Some(
            "The secrets in this backup were protected by the system keychain of the computer it was made on, and this \
             computer's keychain does not hold their key, so they cannot be opened here. Everything else is restored. \
             On the original computer they open as before; here, reset secrets (Settings → Security → Reset secrets…) \
             and enter them again."
                .into(),
        ),
    })
}

/// Minutes without use after which a passphrase vault locks itself (0 = off).
pub fn idle_lock_minutes(db: &Db) -> Result<u32, VaultError> {
    let text: Option<String> = db.read(|connection| {
        connection
            .query_row("SELECT value FROM settings WHERE key = ?1", [IDLE_LOCK_SETTING], |row| row.get(0))
            .optional()
    })?;
    Ok(text
        .and_then(|text| text.parse::<u32>().ok())
        .map_or(DEFAULT_IDLE_LOCK_MINUTES, |minutes| minutes.min(MAX_IDLE_LOCK_MINUTES)))
}

pub fn set_idle_lock_minutes(db: &Db, minutes: u32) -> Result<u32, VaultError> {
    if minutes > MAX_IDLE_LOCK_MINUTES {
        return Err(VaultError::Invalid(vec![FieldError {
            field: "idle_lock_minutes".into(),
            message: format!("At most {MAX_IDLE_LOCK_MINUTES} minutes (0 turns the idle lock off)."),
        }]));
    }
    db.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![IDLE_LOCK_SETTING, minutes.to_string()],
        )
    })?;
    Ok(minutes)
}

/// What a reset of secrets loses (or lost), in counts and in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SecretsReset {
    /// Change-log records whose stored password or key is dropped.
    pub change_secrets: u32,
    /// The PSA integration code and secret are dropped.
    pub psa_credentials: bool,
    /// The report sealing key exists and cannot be opened any more.
    pub sealing_key: bool,
    /// One sentence per loss, for the technician.
    pub lost: Vec<String>,
}

fn reset_summary(connection: &rusqlite::Connection) -> rusqlite::Result<SecretsReset> {
    let change_secrets: u32 = connection.query_row(
        "SELECT count(DISTINCT record_id) FROM change_records WHERE secret_ciphertext IS NOT NULL",
        [],
        |row| row.get(0),
    )?;
    let psa_credentials: bool =
        connection
            .query_row("SELECT EXISTS (SELECT 1 FROM settings WHERE key = 'sync.credentials')", [], |row| row.get(0))?;
    let sealing_key: bool = connection.query_row("SELECT EXISTS (SELECT 1 FROM seal_keys)", [], |row| row.get(0))?;
    let mut lost = Vec::new();
    if change_secrets > 0 {
        let noun = if change_secrets == 1 { "password or key" } else { "passwords and keys" };
        lost.push(format!("{change_secrets} {noun} stored in the change log (the records themselves stay)."));
    }
    if psa_credentials {
        lost.push("The PSA credentials: enter the integration code and secret again in Sync.".into());
    }
    let slack_webhook: bool =
        connection.query_row("SELECT EXISTS (SELECT 1 FROM settings WHERE key = 'team.slack_webhook')", [], |row| {
            row.get(0)
        })?;
    if slack_webhook {
        lost.push("The Slack webhook: save its URL again in Settings → Team.".into());
    }
    if sealing_key {
        lost.push(
            "The key that seals service reports: reports sealed so far can still be verified, \
             but new reports cannot be sealed with it."
                .into(),
        );
    }
    Ok(SecretsReset { change_secrets, psa_credentials, sealing_key, lost })
}

/// What [`Vault::reset`] would lose, for the confirmation dialog.
pub fn reset_preview(db: &Db) -> Result<SecretsReset, VaultError> {
    Ok(db.read(reset_summary)?)
}

impl Vault {
    /// The way out when the keychain item or the passphrase is lost: drops
    /// the vault's key material and every secret encrypted with it (the
    /// change log's secrets, the PSA credentials), in one transaction, so
    /// secrets can be set up afresh. The sealing key's row is kept (reports
    /// name its public half); it is reported as lost. Only with the typed
    /// confirmation [`RESET_CONFIRMATION`].
    pub fn reset(&self, db: &Db, confirmation: &str) -> Result<SecretsReset, VaultError> {
        if confirmation.trim() != RESET_CONFIRMATION {
            return Err(VaultError::Invalid(vec![FieldError {
                field: "confirmation".into(),
                message: format!("Type {RESET_CONFIRMATION} to confirm."),
            }]));
        }
        let (summary, keychain_account) = db.write(|tx| -> Result<_, VaultError> {
            let summary = reset_summary(tx)?;
            let account: Option<(String, String)> = tx
                .query_row("SELECT mode, account FROM vault WHERE id = 1", [], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            tx.execute("UPDATE change_records SET secret_ciphertext = NULL WHERE secret_ciphertext IS NOT NULL", [])?;
            tx.execute("DELETE FROM settings WHERE key = 'sync.credentials'", [])?;
            tx.execute("DELETE FROM settings WHERE key = 'team.slack_webhook'", [])?;
            tx.execute("DELETE FROM vault", [])?;
            Ok((summary, account.filter(|(mode, _)| mode == "keychain").map(|(_, account)| account)))
        })?;
        *self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        self.locked_by_user.store(false, Ordering::SeqCst);
        if let Some(account) = keychain_account {
            // Best effort: the item may be the very thing that was lost.
            if let Ok(entry) = keyring::Entry::new(KEYCHAIN_SERVICE, &account) {
                let _ = entry.delete_credential();
            }
        }
        Ok(summary)
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

    /// Cheap enough for debug-build tests; real vaults use the defaults.
    const CHEAP: KdfParams = KdfParams { m_cost: 64, t_cost: 1, p_cost: 1 };
    const PASSPHRASE: &str = "correct horse battery";

    fn passphrase_vault() -> (Db, Vault) {
        let db = Db::open_in_memory().unwrap();
        let vault = Vault::default();
        vault.set_up_with(&db, Some(PASSPHRASE), CHEAP).unwrap();
        (db, vault)
    }

    fn set_column(db: &Db, column: &str, value: Option<Vec<u8>>) {
        db.write(|tx| tx.execute(&format!("UPDATE vault SET {column} = ?1 WHERE id = 1"), [value])).unwrap();
    }

    fn salt_column(db: &Db) -> Vec<u8> {
        db.read(|c| c.query_row("SELECT salt FROM vault WHERE id = 1", [], |r| r.get(0))).unwrap()
    }

    #[test]
    fn argon2_parameters_are_stored_with_the_salt_and_used_to_unlock() {
        let (db, vault) = passphrase_vault();
        let column = salt_column(&db);
        let (params, salt) = decode_salt(Some(&column)).unwrap();
        assert_eq!(params, CHEAP);
        assert_eq!(salt.len(), MIN_SALT_LEN);
        vault.lock();
        vault.unlock(&db, Some(PASSPHRASE)).unwrap();

        // Other parameters with the same salt derive another key: the stored ones are used.
        let salt = salt.to_vec();
        set_column(&db, "salt", Some(encode_salt(KdfParams { m_cost: 128, ..CHEAP }, &salt)));
        vault.lock();
        assert!(matches!(vault.unlock(&db, Some(PASSPHRASE)), Err(VaultError::WrongPassphrase)));
    }

    #[test]
    fn a_vault_written_before_parameters_were_stored_unlocks_with_the_defaults() {
        let db = Db::open_in_memory().unwrap();
        let key: Key = Zeroizing::new(random_bytes::<32>());
        let salt = random_bytes::<16>().to_vec();
        let mut wrapping = Zeroizing::new([0u8; 32]);
        argon2::Argon2::default().hash_password_into(PASSPHRASE.as_bytes(), &salt, wrapping.as_mut()).unwrap();
        db.write(|tx| {
            tx.execute(
                "INSERT INTO vault (id, mode, account, salt, wrapped_key, check_value) VALUES (1, 'passphrase', 'a', ?1, ?2, ?3)",
                params![salt, seal(&wrapping, key.as_ref(), b"data key"), seal(&key, CHECK_TEXT, b"check")],
            )
        })
        .unwrap();
        let vault = Vault::default();
        assert_eq!(vault.unlock(&db, Some(PASSPHRASE)).unwrap().state, VaultState::Unlocked);
    }

    #[test]
    fn a_missing_or_short_salt_or_wrapped_key_is_refused_as_damaged() {
        let (db, vault) = passphrase_vault();
        vault.lock();
        let good_salt = salt_column(&db);
        let good_key: Vec<u8> =
            db.read(|c| c.query_row("SELECT wrapped_key FROM vault WHERE id = 1", [], |r| r.get(0))).unwrap();

        let cases: Vec<(&str, Option<Vec<u8>>)> = vec![
            ("salt", None),
            ("salt", Some(vec![7; 4])),
            ("salt", Some(encode_salt(CHEAP, &[7; 4]))),
            ("salt", Some(KDF_TAG.to_vec())),
            ("salt", Some(encode_salt(KdfParams { p_cost: 0, ..CHEAP }, &[7; 16]))),
            ("salt", Some(encode_salt(KdfParams { m_cost: u32::MAX, ..CHEAP }, &[7; 16]))),
            ("wrapped_key", None),
            ("wrapped_key", Some(good_key[..30].to_vec())),
        ];
        for (column, value) in cases {
            set_column(&db, "salt", Some(good_salt.clone()));
            set_column(&db, "wrapped_key", Some(good_key.clone()));
            set_column(&db, column, value.clone());
            let outcome = vault.unlock(&db, Some(PASSPHRASE));
            assert!(matches!(outcome, Err(VaultError::Damaged(_))), "{column} = {value:?}: {outcome:?}");
        }
        set_column(&db, "salt", Some(good_salt));
        set_column(&db, "wrapped_key", Some(good_key));
        vault.unlock(&db, Some(PASSPHRASE)).unwrap();
    }

    #[test]
    fn a_key_derivation_error_is_returned_not_an_all_zero_key() {
        // argon2 refuses a salt under 8 bytes; the error must not become a zero key.
        assert!(matches!(passphrase_key(PASSPHRASE, &[1, 2, 3], CHEAP), Err(VaultError::KeyDerivation(_))));
    }

    #[test]
    fn an_explicit_lock_stays_locked_for_background_work_until_the_technician_unlocks() {
        let (db, vault) = passphrase_vault();
        assert!(!vault.locked_by_user());
        assert!(vault.unlock_in_background(&db).unwrap(), "already unlocked");
        vault.lock();
        assert!(vault.locked_by_user());
        assert!(!vault.unlock_in_background(&db).unwrap());
        assert_eq!(vault.status(&db).unwrap().state, VaultState::Locked);
        vault.unlock(&db, Some(PASSPHRASE)).unwrap();
        assert!(!vault.locked_by_user());
    }

    #[test]
    fn background_work_never_asks_for_a_passphrase() {
        let (db, _) = passphrase_vault();
        // A fresh vault (the app just started): locked, but not by the technician.
        let vault = Vault::default();
        assert!(!vault.locked_by_user());
        assert!(!vault.unlock_in_background(&db).unwrap());
        assert!(matches!(
            Vault::default().unlock_in_background(&Db::open_in_memory().unwrap()),
            Err(VaultError::NotSetUp)
        ));
    }

    #[test]
    fn an_idle_passphrase_vault_locks_after_the_set_minutes() {
        let (db, vault) = passphrase_vault();
        let start = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc);
        vault.mark_used(start);
        let minutes = |m: i64| start + chrono::Duration::minutes(m);
        assert!(!vault.lock_if_idle(&db, minutes(14), 15).unwrap());
        vault.mark_used(minutes(10));
        assert!(!vault.lock_if_idle(&db, minutes(24), 15).unwrap(), "use moves the deadline");
        assert!(!vault.lock_if_idle(&db, minutes(500), 0).unwrap(), "0 = off");
        assert!(vault.lock_if_idle(&db, minutes(25), 15).unwrap());
        assert_eq!(vault.status(&db).unwrap().state, VaultState::Locked);
        assert!(vault.locked_by_user(), "an idle lock is not undone by background work");
        assert!(!vault.lock_if_idle(&db, minutes(60), 15).unwrap(), "already locked");
    }

    #[test]
    fn the_idle_lock_setting_defaults_to_fifteen_minutes() {
        let db = Db::open_in_memory().unwrap();
        assert_eq!(idle_lock_minutes(&db).unwrap(), DEFAULT_IDLE_LOCK_MINUTES);
        set_idle_lock_minutes(&db, 0).unwrap();
        assert_eq!(idle_lock_minutes(&db).unwrap(), 0);
        assert!(matches!(set_idle_lock_minutes(&db, 100_000), Err(VaultError::Invalid(_))));
        assert_eq!(idle_lock_minutes(&db).unwrap(), 0);
    }

    #[test]
    fn a_reset_needs_the_typed_confirmation() {
        let (db, vault) = passphrase_vault();
        assert!(matches!(vault.reset(&db, "reset please"), Err(VaultError::Invalid(_))));
        assert_eq!(vault.status(&db).unwrap().state, VaultState::Unlocked);
        let summary = vault.reset(&db, RESET_CONFIRMATION).unwrap();
        assert_eq!(
            summary,
            SecretsReset { change_secrets: 0, psa_credentials: false, sealing_key: false, lost: vec![] }
        );
        assert_eq!(vault.status(&db).unwrap().state, VaultState::NotSetUp);
        assert!(matches!(vault.encrypt("x", "r"), Err(VaultError::Locked)));
        // Set up afresh, with a new passphrase.
        vault.set_up_with(&db, Some("a brand new passphrase"), CHEAP).unwrap();
    }
}
