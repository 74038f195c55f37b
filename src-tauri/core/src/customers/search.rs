//! Full-text search over customers: one FTS5 row per customer holding the
//! words of its name, sites and contacts, rewritten in the same transaction
//! as every save.

use rusqlite::{params, Transaction};
use uuid::Uuid;

use super::CustomerDraft;

/// Replaces the customer's search row with the draft's words.
pub(super) fn index_customer(tx: &Transaction<'_>, id: Uuid, draft: &CustomerDraft) -> rusqlite::Result<()> {
    let mut body = vec![draft.name.as_str(), draft.phone.as_str(), draft.website.as_str()];
    for site in &draft.sites {
        body.extend([
            site.name.as_str(),
            site.address1.as_str(),
            site.city.as_str(),
            site.postal_code.as_str(),
            site.phone.as_str(),
        ]);
    }
    for contact in &draft.contacts {
        body.extend([
            contact.first_name.as_str(),
            contact.last_name.as_str(),
            contact.title.as_str(),
            contact.email.as_str(),
            contact.phone.as_str(),
            contact.mobile.as_str(),
        ]);
    }
    body.retain(|part| !part.is_empty());
    let id = id.to_string();
    tx.execute("DELETE FROM customer_search WHERE customer_id = ?1", params![id])?;
    tx.execute("INSERT INTO customer_search (customer_id, body) VALUES (?1, ?2)", params![id, body.join(" \n ")])?;
    Ok(())
}

/// Turns what the technician typed into an FTS5 query in which every word must
/// match as a prefix. Quotes keep FTS5 syntax (`AND`, `*`, `"`, `:`) inert.
/// `None` when there is nothing to search for.
pub(super) fn match_expression(typed: &str) -> Option<String> {
    let terms: Vec<String> = typed
        .split(|c: char| c.is_whitespace() || c.is_ascii_punctuation() && c != '@' && c != '.' && c != '-')
        .map(|word| word.replace('"', ""))
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| format!("\"{word}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::match_expression;

    #[test]
    fn words_become_quoted_prefixes() {
        assert_eq!(match_expression("  harbor  dent ").as_deref(), Some("\"harbor\"* \"dent\"*"));
        assert_eq!(match_expression("dana@harbor.example").as_deref(), Some("\"dana@harbor.example\"*"));
    }

    #[test]
    fn fts_syntax_is_inert() {
        assert_eq!(match_expression("\"a\" OR b*").as_deref(), Some("\"a\"* \"OR\"* \"b\"*"));
        assert_eq!(match_expression("* ( ) \" :"), None);
        assert_eq!(match_expression(""), None);
    }
}
