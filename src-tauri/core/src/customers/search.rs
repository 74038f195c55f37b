//! Full-text search over customers: one FTS5 row per customer holding the
//! words of its name, sites and contacts, rewritten in the same transaction
//! as every save and every pull that touches it ([`index_customer`]).

use rusqlite::{params, Transaction};

/// Replaces the customer's search row with the words of what the cache holds
/// for it now: name, phone, website, each site (name, address, city, postal
/// code, phone) and each contact (name, title, email, phones). The one
/// builder: saving a customer here and pulling one from the PSA both use it.
pub(crate) fn index_customer(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<()> {
    let body: String = tx.prepare_cached(
        "SELECT concat_ws(' \n ', c.name, nullif(c.phone, ''), nullif(c.website, ''),
             (SELECT group_concat(concat_ws(' ', s.name, s.address1, s.city, s.postal_code, s.phone), ' \n ') FROM sites s WHERE s.customer_id = c.id),
             (SELECT group_concat(concat_ws(' ', k.first_name, k.last_name, k.title, k.email, k.phone, k.mobile), ' \n ') FROM contacts k WHERE k.customer_id = c.id))
         FROM customers c WHERE c.id = ?1",
    )?
    .query_row([id], |r| r.get(0))?;
    tx.prepare_cached("DELETE FROM customer_search WHERE customer_id = ?1")?.execute([id])?;
    tx.prepare_cached("INSERT INTO customer_search (customer_id, body) VALUES (?1, ?2)")?.execute(params![id, body])?;
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
