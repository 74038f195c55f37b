//! Full-text search over ticket number, title, description, notes, customer,
//! contact and device, as the technician types.
//!
//! Ranking is designed for common words. Sorting every match by relevance
//! costs time in proportion to the matches (a word in half of 1,000,000
//! documents takes most of a second), so the index is asked for two bounded,
//! early-terminating candidate sets instead: the most recent documents that
//! match anywhere, and the most recent whose number or title match (from a
//! second, number-and-title index, so that list stays short to walk). Those
//! few hundred candidates are then ranked here by where the words were found
//! (number > title > customer/contact/device > description > notes), open
//! before closed, newer before older. For a rare word the candidates are all
//! the matches, so the ranking is exact; for a common one it is exact among
//! the newest matches, which is what a technician searches for.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::store::{summary_from_row, SUMMARY_SELECT};
use super::{TextPart, TicketError, TicketSearchHit, TicketSearchResults};
use crate::db::Db;
use crate::settings::read_settings;

const RECENT_CANDIDATES: u32 = 200;
const TITLE_CANDIDATES: u32 = 100;
const SHOWN: usize = 30;
const MAX_WORDS: usize = 8;

/// The searched words, lower-cased; the last one also matches as a prefix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Words {
    words: Vec<String>,
    last_is_prefix: bool,
}

impl Words {
    pub(crate) fn parse(text: &str) -> Words {
        let words: Vec<String> = tokens(text).map(|(_, word)| word.to_lowercase()).take(MAX_WORDS).collect();
        let last_is_prefix =
            words.last().is_some_and(|word| word.chars().count() >= 2) && !text.ends_with(|c: char| c.is_whitespace());
        Words { words, last_is_prefix }
    }

    /// The FTS5 query: every word must appear; words are quoted, so no
    /// operator or column syntax typed by the user reaches FTS5.
    fn fts_query(&self) -> String {
        self.words
            .iter()
            .enumerate()
            .map(|(index, word)| {
                if index + 1 == self.words.len() && self.last_is_prefix {
                    format!("\"{word}\"*")
                } else {
                    format!("\"{word}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn matches(&self, token: &str) -> bool {
        let token = token.to_lowercase();
        self.words.iter().enumerate().any(|(index, word)| {
            *word == token || (index + 1 == self.words.len() && self.last_is_prefix && token.starts_with(word.as_str()))
        })
    }

    /// How many of the words occur in `text`.
    fn count_in(&self, text: &str) -> usize {
        let mut found = vec![false; self.words.len()];
        for (_, token) in tokens(text) {
            let token = token.to_lowercase();
            for (index, word) in self.words.iter().enumerate() {
                if *word == token
                    || (index + 1 == self.words.len() && self.last_is_prefix && token.starts_with(word.as_str()))
                {
                    found[index] = true;
                }
            }
        }
        found.iter().filter(|hit| **hit).count()
    }
}

/// Words of `text` with their byte offsets: runs of letters and digits.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = rest.peek() {
            if c.is_alphanumeric() {
                break;
            }
            rest.next();
        }
        let (start, _) = *rest.peek()?;
        let mut end = start;
        while let Some(&(index, c)) = rest.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            end = index + c.len_utf8();
            rest.next();
        }
        Some((start, &text[start..end]))
    })
}

/// `text` cut into plain and matched parts.
pub(crate) fn highlight(text: &str, words: &Words) -> Vec<TextPart> {
    let mut parts: Vec<TextPart> = Vec::new();
    let mut push = |piece: &str, hit: bool| {
        if piece.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(last) if last.hit == hit => last.text.push_str(piece),
            _ => parts.push(TextPart { text: piece.to_string(), hit }),
        }
    };
    let mut position = 0;
    for (start, token) in tokens(text) {
        if words.matches(token) {
            push(&text[position..start], false);
            push(token, true);
            position = start + token.len();
        }
    }
    push(&text[position..], false);
    parts
}

/// A short window of `text` around the first matched word, highlighted.
fn snippet(text: &str, words: &Words) -> Option<Vec<TextPart>> {
    let (start, _) = tokens(text).find(|(_, token)| words.matches(token))?;
    let from = floor_char_boundary(text, start.saturating_sub(24));
    let to = floor_char_boundary(text, (start + 140).min(text.len()));
    let mut window = String::new();
    if from > 0 {
        window.push('…');
    }
    window.push_str(text[from..to].trim_start_matches(|c: char| c.is_alphanumeric() && from > 0));
    if to < text.len() {
        window.push('…');
    }
    Some(highlight(&window.replace(['\n', '\r'], " "), words))
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

struct Candidate {
    row: i64,
    description: String,
    related: String,
    score: i64,
    matched_in: &'static str,
}

pub fn search_tickets(db: &Db, text: &str, now: DateTime<Utc>) -> Result<TicketSearchResults, TicketError> {
    let words = Words::parse(text);
    if words.words.is_empty() {
        return Ok(TicketSearchResults { hits: Vec::new(), more: false });
    }
    db.read(|connection| search(connection, &words, now))
}

fn candidate_rows(connection: &Connection, table: &str, query: &str, limit: u32) -> rusqlite::Result<Vec<i64>> {
    let mut statement = connection
        .prepare_cached(&format!("SELECT rowid FROM {table} WHERE {table} MATCH ?1 ORDER BY rowid DESC LIMIT ?2"))?;
    let rows = statement.query_map(rusqlite::params![query, limit], |row| row.get(0))?;
    rows.collect()
}

fn search(connection: &Connection, words: &Words, now: DateTime<Utc>) -> Result<TicketSearchResults, TicketError> {
    let query = words.fts_query();
    let mut rows = candidate_rows(connection, "ticket_search", &query, RECENT_CANDIDATES)?;
    let recent_full = rows.len() as u32 == RECENT_CANDIDATES;
    rows.extend(candidate_rows(connection, "ticket_title_search", &query, TITLE_CANDIDATES)?);
    rows.sort_unstable();
    rows.dedup();
    if rows.is_empty() {
        return Ok(TicketSearchResults { hits: Vec::new(), more: false });
    }
    let newest = *rows.last().unwrap_or(&1);

    // Score the candidates by where the words are.
    let mut candidates = Vec::with_capacity(rows.len());
    {
        let mut statement = connection.prepare_cached(
            "SELECT t.number, t.title, t.description, t.completed_at IS NULL,
                    concat_ws(' ', c.name, ct.first_name, ct.last_name, d.name, d.serial_number)
             FROM tickets t JOIN customers c ON c.id = t.customer_id
             LEFT JOIN contacts ct ON ct.id = t.contact_id LEFT JOIN devices d ON d.id = t.device_id
             WHERE t.row = ?1",
        )?;
        for row in &rows {
            let (number, title, description, open, related): (String, String, String, bool, String) =
                statement.query_row([row], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
            let in_number = words.count_in(&number) as i64;
            let in_title = words.count_in(&title) as i64;
            let in_related = words.count_in(&related) as i64;
            let in_description = words.count_in(&description) as i64;
            let matched_in = if in_number > 0 {
                "number"
            } else if in_title > 0 {
                "title"
            } else if in_related > 0 {
                "customer"
            } else if in_description > 0 {
                "description"
            } else {
                "note"
            };
            // Recency: up to 10 points, by position in the cache.
            let recency = (*row * 10) / newest.max(1);
            let score = in_number * 400
                + in_title * 100
                + in_related * 40
                + in_description * 20
                + i64::from(open) * 30
                + recency;
            candidates.push(Candidate { row: *row, description, related, score, matched_in });
        }
    }
    candidates.sort_by(|a, b| b.score.cmp(&a.score).then(b.row.cmp(&a.row)));
    let more = recent_full || candidates.len() > SHOWN;
    candidates.truncate(SHOWN);

    let settings = read_settings(connection)?;
    let mut summary_statement = connection.prepare_cached(&format!("{SUMMARY_SELECT} WHERE t.row = ?1"))?;
    let mut note_statement =
        connection.prepare_cached("SELECT body FROM ticket_notes WHERE ticket_row = ?1 ORDER BY created_at DESC")?;
    let mut hits = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let summary = summary_statement.query_row([candidate.row], |row| summary_from_row(row, &settings, now))?;
        let snippet_parts = match candidate.matched_in {
            "description" => snippet(&candidate.description, words),
            "customer" => snippet(&candidate.related, words),
            "note" => {
                let mut found = None;
                let mut notes = note_statement.query([candidate.row])?;
                while let Some(note) = notes.next()? {
                    let body: String = note.get(0)?;
                    if let Some(parts) = snippet(&body, words) {
                        found = Some(parts);
                        break;
                    }
                }
                found
            }
            _ => None,
        };
        hits.push(TicketSearchHit {
            title: highlight(&summary.title, words),
            snippet: snippet_parts.unwrap_or_default(),
            matched_in: candidate.matched_in.to_string(),
            ticket: summary,
        });
    }
    Ok(TicketSearchResults { hits, more })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_quoted_words_with_a_prefix_last() {
        assert_eq!(Words::parse("Printer jam").fts_query(), "\"printer\" \"jam\"*");
        assert_eq!(Words::parse("printer ").fts_query(), "\"printer\"");
        assert_eq!(Words::parse("a").fts_query(), "\"a\"");
        // FTS5 syntax typed by the user is only ever words.
        assert_eq!(Words::parse("title:x OR \"y* NEAR(").fts_query(), "\"title\" \"x\" \"or\" \"y\" \"near\"*");
        assert!(Words::parse("  -- ** ").words.is_empty());
    }

    #[test]
    fn matched_words_are_marked_and_the_rest_kept_as_text() {
        let words = Words::parse("print");
        let parts = highlight("<b>Printer</b> offline", &words);
        assert_eq!(
            parts,
            vec![
                TextPart { text: "<b>".into(), hit: false },
                TextPart { text: "Printer".into(), hit: true },
                TextPart { text: "</b> offline".into(), hit: false },
            ]
        );
    }

    #[test]
    fn snippets_cut_on_character_boundaries() {
        let text = format!("{}café printer", "é".repeat(100));
        let parts = snippet(&text, &Words::parse("printer")).unwrap();
        assert!(parts.iter().any(|part| part.hit && part.text == "printer"));
    }
}
