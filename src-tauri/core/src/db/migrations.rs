//! The schema's history, embedded in the binary. Append only: a released
//! migration is never edited; a change is a new file.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use super::DbError;

const MIGRATION_LIST: &[M<'static>] = &[
    M::up(include_str!("../../migrations/0001_customers.sql")),
    M::up(include_str!("../../migrations/0002_tickets.sql")),
    M::up(include_str!("../../migrations/0003_time.sql")),
    M::up(include_str!("../../migrations/0004_changes.sql")),
    M::up(include_str!("../../migrations/0005_service_reports.sql")),
    M::up(include_str!("../../migrations/0006_stock.sql")),
    M::up(include_str!("../../migrations/0007_sync.sql")),
    M::up(include_str!("../../migrations/0008_service_desk_roles.sql")),
    M::up(include_str!("../../migrations/0009_trust.sql")),
    M::up(include_str!("../../migrations/0010_checklist.sql")),
    M::up(include_str!("../../migrations/0011_visits.sql")),
    M::up(include_str!("../../migrations/0012_team.sql")),
    M::up(include_str!("../../migrations/0014_notifications.sql")),
    M::up(include_str!("../../migrations/0015_notice_inbox.sql")),
];

/// The schema version this build writes (SQLite's `user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATION_LIST.len() as i64;

/// Refuses a database newer than this build, then applies what is missing.
pub(super) fn apply(connection: &mut Connection) -> Result<(), DbError> {
    let found: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(DbError::TooNew { found, supported: SCHEMA_VERSION });
    }
    Migrations::from_slice(MIGRATION_LIST).to_latest(connection)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATION_LIST).validate().unwrap();
    }
}
