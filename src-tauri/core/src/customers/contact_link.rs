//! Click-to-call and click-to-mail: the `tel:` or `mailto:` link of a stored
//! contact. The UI names a contact and a channel, never a URL, so the app can
//! only ever open a link built here from a number or address on file.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::CustomerError;
use crate::db::Db;
use crate::validation::{is_plausible_email, is_plausible_phone};

/// How to reach a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ContactChannel {
    Phone,
    Mobile,
    Email,
}

/// The link for `channel` of contact `id`, or `NotFound` when the contact or
/// that number/address is missing or malformed.
pub fn contact_link(db: &Db, id: Uuid, channel: ContactChannel) -> Result<String, CustomerError> {
    let column = match channel {
        ContactChannel::Phone => "phone",
        ContactChannel::Mobile => "mobile",
        ContactChannel::Email => "email",
    };
    let value: Option<String> = db.read(|connection| {
        connection
            .query_row(&format!("SELECT {column} FROM contacts WHERE id = ?1"), [id.to_string()], |row| row.get(0))
            .optional()
    })?;
    let value = value.ok_or(CustomerError::NotFound(id))?;
    link_for(channel, &value).ok_or(CustomerError::NotFound(id))
}

fn link_for(channel: ContactChannel, value: &str) -> Option<String> {
    let value = value.trim();
    match channel {
        ContactChannel::Phone | ContactChannel::Mobile if is_plausible_phone(value) => {
            let digits: String = value
                .chars()
                .enumerate()
                .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
                .map(|(_, c)| c)
                .collect();
            Some(format!("tel:{digits}"))
        }
        ContactChannel::Email if is_plausible_email(value) && !value.contains(['?', '&', '#', ' ']) => {
            Some(format!("mailto:{value}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_only_the_number_or_address() {
        assert_eq!(link_for(ContactChannel::Phone, "+1 503 555 0199").as_deref(), Some("tel:+15035550199"));
        assert_eq!(link_for(ContactChannel::Mobile, "(503) 555-0100 ").as_deref(), Some("tel:5035550100"));
        assert_eq!(link_for(ContactChannel::Email, "dana@example.com").as_deref(), Some("mailto:dana@example.com"));
        assert_eq!(link_for(ContactChannel::Email, "a@b.example?subject=x"), None);
        assert_eq!(link_for(ContactChannel::Phone, ""), None);
        assert_eq!(link_for(ContactChannel::Phone, "javascript:alert(1)"), None);
    }
}
