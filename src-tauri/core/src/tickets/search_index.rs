//! Keeps the full-text index (`ticket_search`) in step with the tickets.
//!
//! One document per ticket: number, title, description, its notes, and the
//! names of its customer, contact and device. The index is contentless, so
//! a changed ticket is deleted and written again, inside the same
//! transaction as the change.

use rusqlite::{params, Connection};

/// Writes the search document of ticket `row` from the current rows.
pub(crate) fn reindex_ticket(connection: &Connection, row: i64) -> rusqlite::Result<()> {
    let (number, title, description, related): (String, String, String, String) = connection
        .prepare_cached(
            "SELECT t.number, t.title, t.description,
                    concat_ws(' ', c.name, ct.first_name, ct.last_name, d.name, d.serial_number)
             FROM tickets t
             JOIN customers c ON c.id = t.customer_id
             LEFT JOIN contacts ct ON ct.id = t.contact_id
             LEFT JOIN devices d ON d.id = t.device_id
             WHERE t.row = ?1",
        )?
        .query_row([row], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let mut notes = String::new();
    {
        let mut statement = connection.prepare_cached("SELECT body FROM ticket_notes WHERE ticket_row = ?1")?;
        let mut rows = statement.query([row])?;
        while let Some(note) = rows.next()? {
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.push_str(note.get_ref(0)?.as_str()?);
        }
    }
    connection.prepare_cached("DELETE FROM ticket_search WHERE rowid = ?1")?.execute([row])?;
    connection
        .prepare_cached(
            "INSERT INTO ticket_search (rowid, number, title, description, notes, related) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![row, number, title, description, notes, related])?;
    Ok(())
}

/// Adds one note's text to a freshly written ticket document without reading
/// the others back: used when loading many rows at once (sample data).
pub(crate) fn index_new_ticket(
    connection: &Connection,
    row: i64,
    number: &str,
    title: &str,
    description: &str,
    notes: &str,
    related: &str,
) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO ticket_search (rowid, number, title, description, notes, related) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![row, number, title, description, notes, related])?;
    Ok(())
}
