//! A secret copied to the clipboard, and taking it back: after
//! [`CLEAR_AFTER_SECONDS`], when the vault locks and when the app quits —
//! but only while the clipboard still holds that secret, so whatever the
//! technician copied since is left alone.
//!
//! The copy happens in the shell (the web view gets no clipboard
//! permission); this module keeps the bookkeeping, behind [`Clipboard`], so
//! it is tested without a window. It remembers a salted SHA-256 of the
//! secret, never the secret itself.

use std::sync::Mutex;

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;
use zeroize::Zeroizing;

/// How long a copied secret stays on the clipboard.
pub const CLEAR_AFTER_SECONDS: u32 = 30;

/// The system clipboard, as far as secrets need it.
pub trait Clipboard {
    /// The clipboard's text; `None` when it holds none (or cannot be read).
    fn read_text(&self) -> Option<String>;
    /// Writes a secret, marked (where the system allows) to be kept out of
    /// clipboard managers' history.
    fn write_secret(&self, secret: &str) -> Result<(), String>;
    fn clear(&self) -> Result<(), String>;
}

/// The answer to a copy: how long until the clipboard is cleared.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CopiedSecret {
    pub clear_after_seconds: u32,
}

struct Held {
    salt: [u8; 16],
    fingerprint: [u8; 32],
    copy: u64,
}

/// The last secret copied, by fingerprint.
#[derive(Default)]
pub struct SecretClipboard {
    held: Mutex<Option<Held>>,
    copies: Mutex<u64>,
}

impl std::fmt::Debug for SecretClipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretClipboard { .. }")
    }
}

fn fingerprint(salt: &[u8; 16], text: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(text.as_bytes());
    hasher.finalize().into()
}

impl SecretClipboard {
    /// Puts `secret` on the clipboard. Returns the copy's number, for
    /// [`SecretClipboard::clear_if_unchanged`] when its time is up.
    pub fn copy(&self, clipboard: &dyn Clipboard, secret: &str) -> Result<u64, String> {
        clipboard.write_secret(secret)?;
        let copy = {
            let mut copies = self.copies.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *copies += 1;
            *copies
        };
        let salt = crate::vault::random_bytes::<16>();
        *self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some(Held { salt, fingerprint: fingerprint(&salt, secret), copy });
        Ok(copy)
    }

    /// The timer of copy `copy` ran out: clears the clipboard if that copy is
    /// the last one and the clipboard still holds it. `true` when cleared.
    pub fn clear_if_unchanged(&self, clipboard: &dyn Clipboard, copy: u64) -> bool {
        self.clear_where(clipboard, |held| held.copy == copy)
    }

    /// The vault locked or the app quits: clears the clipboard if it still
    /// holds the last secret copied. `true` when cleared.
    pub fn clear_now(&self, clipboard: &dyn Clipboard) -> bool {
        self.clear_where(clipboard, |_| true)
    }

    fn clear_where(&self, clipboard: &dyn Clipboard, applies: impl Fn(&Held) -> bool) -> bool {
        let mut held = self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(current) = held.as_ref().filter(|current| applies(current)) else { return false };
        let text = clipboard.read_text().map(Zeroizing::new);
        let still_there = text.as_deref().is_some_and(|text| fingerprint(&current.salt, text) == current.fingerprint);
        *held = None;
        still_there && clipboard.clear().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    #[derive(Default)]
    struct FakeClipboard(RefCell<Option<String>>);

    impl FakeClipboard {
        /// The technician copies something else.
        fn write_text(&self, text: &str) {
            *self.0.borrow_mut() = Some(text.to_string());
        }
    }

    impl Clipboard for FakeClipboard {
        fn read_text(&self) -> Option<String> {
            self.0.borrow().clone()
        }
        fn write_secret(&self, secret: &str) -> Result<(), String> {
            *self.0.borrow_mut() = Some(secret.to_string());
            Ok(())
        }
        fn clear(&self) -> Result<(), String> {
            *self.0.borrow_mut() = None;
            Ok(())
        }
    }

    #[test]
    fn a_copied_secret_is_cleared_when_its_time_is_up() {
        let clipboard = FakeClipboard::default();
        let secrets = SecretClipboard::default();
        let copy = secrets.copy(&clipboard, "Tr0ub4dor&3").unwrap();
        assert_eq!(clipboard.read_text().as_deref(), Some("Tr0ub4dor&3"));
        assert!(secrets.clear_if_unchanged(&clipboard, copy));
        assert_eq!(clipboard.read_text(), None);
    }

    #[test]
    fn what_the_technician_copied_since_is_left_alone() {
        let clipboard = FakeClipboard::default();
        let secrets = SecretClipboard::default();
        let copy = secrets.copy(&clipboard, "Tr0ub4dor&3").unwrap();
        clipboard.write_text("a ticket number");
        assert!(!secrets.clear_if_unchanged(&clipboard, copy));
        assert!(!secrets.clear_now(&clipboard));
        assert_eq!(clipboard.read_text().as_deref(), Some("a ticket number"));
    }

    #[test]
    fn an_earlier_copys_timer_does_not_clear_a_later_copy_early() {
        let clipboard = FakeClipboard::default();
        let secrets = SecretClipboard::default();
        let first = secrets.copy(&clipboard, "first secret").unwrap();
        let second = secrets.copy(&clipboard, "second secret").unwrap();
        assert!(!secrets.clear_if_unchanged(&clipboard, first));
        assert_eq!(clipboard.read_text().as_deref(), Some("second secret"));
        assert!(secrets.clear_if_unchanged(&clipboard, second));
    }

    #[test]
    fn locking_or_quitting_clears_a_secret_still_on_the_clipboard() {
        let clipboard = FakeClipboard::default();
        let secrets = SecretClipboard::default();
        assert!(!secrets.clear_now(&clipboard), "nothing copied");
        let copy = secrets.copy(&clipboard, "Tr0ub4dor&3").unwrap();
        assert!(secrets.clear_now(&clipboard));
        assert_eq!(clipboard.read_text(), None);
        assert!(!secrets.clear_if_unchanged(&clipboard, copy), "already cleared");
    }
}
