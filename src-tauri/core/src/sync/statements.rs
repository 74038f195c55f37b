//! Statements through the connection's statement cache: a pull runs the same
//! few statements a hundred thousand times, and parsing them each time costs
//! more than running them.

use rusqlite::{Params, Row, Transaction};

/// `execute` through the statement cache; the number of rows changed.
pub(crate) fn execute_cached<P: Params>(tx: &Transaction<'_>, sql: &str, params: P) -> rusqlite::Result<usize> {
    tx.prepare_cached(sql)?.execute(params)
}

/// `query_row` through the statement cache (exactly one row, else an error).
pub(crate) fn query_row_cached<T, P: Params>(
    tx: &Transaction<'_>,
    sql: &str,
    params: P,
    map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    tx.prepare_cached(sql)?.query_row(params, map)
}
