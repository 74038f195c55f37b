//! Keeps the full-text index (`ticket_search`) in step with the tickets.
//!
//! One document per ticket: number, title, description, its notes, and the
//! names of its customer, contact and device. The index is contentless, so
//! a changed ticket is deleted and written again. A new ticket is indexed in
//! its own transaction; a new note is not: [`catch_up`] rewrites its
//! ticket's document right after (and at start-up), from the outbox.

use rusqlite::{params, Connection, OptionalExtension};

/// Writes the search document of ticket `row` from the current rows, and its
/// number-and-title document when `with_title` (a new or retitled ticket).
pub(crate) fn reindex_ticket(connection: &Connection, row: i64, with_title: bool) -> rusqlite::Result<()> {
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
    if with_title {
        index_title(connection, row, &number, &title)?;
    }
    Ok(())
}

/// Writes the number-and-title document of ticket `row`.
fn index_title(connection: &Connection, row: i64, number: &str, title: &str) -> rusqlite::Result<()> {
    connection.prepare_cached("DELETE FROM ticket_title_search WHERE rowid = ?1")?.execute([row])?;
    connection
        .prepare_cached("INSERT INTO ticket_title_search (rowid, number, title) VALUES (?1, ?2, ?3)")?
        .execute(params![row, number, title])?;
    Ok(())
}

/// Applies what follows from notes written since the last call: their
/// tickets' search documents and last activity. Driven by the outbox, so a
/// note is never written without being caught up later, even after a crash.
/// Returns how many tickets were brought up to date; cheap when none.
pub fn catch_up(db: &crate::db::Db) -> Result<u32, crate::db::DbError> {
    let behind: bool = db.read(|connection| {
        connection.query_row(
            "SELECT coalesce((SELECT max(seq) FROM outbox), 0) > coalesce((SELECT outbox_seq FROM derived_progress), 0)",
            [],
            |row| row.get(0),
        )
    })?;
    if !behind {
        return Ok(0);
    }
    Ok(db.write(|tx| {
        let watermark: i64 =
            tx.query_row("SELECT coalesce((SELECT outbox_seq FROM derived_progress), 0)", [], |row| row.get(0))?;
        let notes: Vec<(i64, String)> = tx
            .prepare_cached("SELECT seq, entity_id FROM outbox WHERE seq > ?1 AND entity = 'TicketNote' ORDER BY seq")?
            .query_map([watermark], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut rows = Vec::new();
        for (_, note) in &notes {
            let found: Option<i64> = tx
                .prepare_cached(
                    "UPDATE tickets SET last_activity_at = max(last_activity_at, n.created_at)
                     FROM (SELECT ticket_row, created_at FROM ticket_notes WHERE id = ?1) AS n
                     WHERE tickets.row = n.ticket_row RETURNING tickets.row",
                )?
                .query_row([note], |row| row.get(0))
                .optional()?;
            rows.extend(found);
        }
        rows.sort_unstable();
        rows.dedup();
        for row in &rows {
            reindex_ticket(tx, *row, false)?;
        }
        tx.execute(
            "INSERT INTO derived_progress (id, outbox_seq) VALUES (1, (SELECT coalesce(max(seq), 0) FROM outbox))
             ON CONFLICT (id) DO UPDATE SET outbox_seq = excluded.outbox_seq",
            [],
        )?;
        Ok::<_, rusqlite::Error>(rows.len() as u32)
    })?)
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
    connection
        .prepare_cached("INSERT INTO ticket_title_search (rowid, number, title) VALUES (?1, ?2, ?3)")?
        .execute(params![row, number, title])?;
    Ok(())
}
