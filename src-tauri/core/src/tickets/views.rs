//! The technician's views over the cache, their counts, sorting and filters.
//!
//! Every view but `All` looks at open tickets only, through partial indexes
//! that leave the (much larger) history out.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use super::store::{summary_from_row, SUMMARY_SELECT};
use super::{TicketError, TicketPage, TicketQuery, TicketSort, TicketView, ViewCount};
use crate::db::Db;
use crate::picklists::meaning;
use crate::settings::{read_settings, Settings};

const MAX_PAGE: u32 = 200;

/// `WHERE` clause and parameters of one view (tickets are `t`).
fn view_filter(view: TicketView, settings: &Settings, now: DateTime<Utc>) -> (String, Vec<Value>) {
    let me = Value::Text(settings.me.map(|id| id.to_string()).unwrap_or_default());
    let with_meaning = |column: &str, kind: &str, meanings: &[&str]| {
        let list = meanings.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", ");
        format!(
            "t.completed_at IS NULL AND t.{column} IN (SELECT value FROM picklist_values WHERE kind = '{kind}' AND meaning IN ({list}))"
        )
    };
    match view {
        TicketView::MyTodo => (
            // A union rather than OR, so each half uses its index.
            "t.completed_at IS NULL AND t.row IN (
                SELECT row FROM tickets WHERE completed_at IS NULL AND primary_resource_id = ?1
                UNION ALL SELECT ticket_row FROM ticket_secondary_resources WHERE resource_id = ?1 AND is_open = 1)"
                .into(),
            vec![me],
        ),
        TicketView::TechniciansQueue => (with_meaning("queue", "queue", &[meaning::QUEUE_TECHNICIANS]), vec![]),
        TicketView::PatchIssues => (with_meaning("status", "status", &[meaning::STATUS_FOLLOW_UP_NEEDED]), vec![]),
        // The seed's widget: the backup checks assigned to me (primary or
        // secondary) due this month or overdue — not every cached one.
        TicketView::BackupChecksDue => (
            format!(
                "{} AND t.due_at < ?1 AND t.row IN (
                    SELECT row FROM tickets WHERE completed_at IS NULL AND primary_resource_id = ?2
                    UNION ALL SELECT ticket_row FROM ticket_secondary_resources WHERE resource_id = ?2 AND is_open = 1)",
                with_meaning("issue_type", "issue_type", &[meaning::ISSUE_TYPE_BACKUP_CHECK])
            ),
            vec![Value::Text(sql_time(start_of_next_month(now))), me],
        ),
        TicketView::PrimaryResource => ("t.completed_at IS NULL AND t.primary_resource_id = ?1".into(), vec![me]),
        TicketView::NeedsAttention => (with_meaning("status", "status", &[meaning::STATUS_NEW]), vec![]),
        TicketView::HighPriorityAlerts => {
            (with_meaning("priority", "priority", &[meaning::PRIORITY_CRITICAL, meaning::PRIORITY_HIGH]), vec![])
        }
        TicketView::OfficeAdmin => (
            "t.completed_at IS NULL AND t.row IN (
                SELECT row FROM tickets WHERE completed_at IS NULL AND primary_resource_id IS NULL
                UNION ALL SELECT ticket_row FROM ticket_notes WHERE from_customer = 1 AND created_at >= ?1)"
                .into(),
            vec![Value::Text(sql_time(now - Duration::days(1)))],
        ),
        TicketView::AgingWithoutUpdate => (
            "t.completed_at IS NULL AND coalesce(t.last_customer_visible_at, t.created_at) < ?2 AND t.row IN (
                SELECT row FROM tickets WHERE completed_at IS NULL AND primary_resource_id = ?1
                UNION ALL SELECT ticket_row FROM ticket_secondary_resources WHERE resource_id = ?1 AND is_open = 1)"
                .into(),
            vec![me, Value::Text(sql_time(now - Duration::days(i64::from(settings.follow_up_after_days))))],
        ),
        // The rule is matched as plain text (never as a LIKE pattern).
        TicketView::WorkstationOffline => (
            "t.completed_at IS NULL AND ?1 <> '' AND (instr(lower(t.title), lower(?1)) > 0
                OR t.issue_type IN (SELECT value FROM picklist_values WHERE kind = 'issue_type' AND lower(label) = lower(?1)))"
                .into(),
            vec![Value::Text(settings.workstation_offline_rule.trim().to_string())],
        ),
        TicketView::All => ("1".into(), vec![]),
    }
}

/// A time as the tickets table stores it (rusqlite's chrono format), for comparisons.
pub(crate) fn sql_time(time: DateTime<Utc>) -> String {
    time.format("%F %T%.f%:z").to_string()
}

fn start_of_next_month(now: DateTime<Utc>) -> DateTime<Utc> {
    let (year, month) = if now.month() == 12 { (now.year() + 1, 1) } else { (now.year(), now.month() + 1) };
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single().unwrap_or(now)
}

fn order_by(sort: TicketSort) -> &'static str {
    match sort {
        TicketSort::Priority => "pp.sort_order, t.due_at IS NULL, t.due_at, t.created_at",
        TicketSort::Due => "t.due_at IS NULL, t.due_at, t.created_at",
        TicketSort::Newest => "t.created_at DESC",
        TicketSort::Activity => "t.last_activity_at DESC",
    }
}

fn filtered(query: &TicketQuery, settings: &Settings, now: DateTime<Utc>) -> (String, Vec<Value>) {
    let (mut clause, mut values) = view_filter(query.view, settings, now);
    if let Some(customer) = query.customer_id {
        values.push(Value::Text(customer.to_string()));
        clause.push_str(&format!(" AND t.customer_id = ?{}", values.len()));
    }
    if let Some(priority) = query.priority {
        values.push(Value::Integer(priority));
        clause.push_str(&format!(" AND t.priority = ?{}", values.len()));
    }
    if let Some(status) = query.status {
        values.push(Value::Integer(status));
        clause.push_str(&format!(" AND t.status = ?{}", values.len()));
    }
    (clause, values)
}

/// One page of a view, with the view's total for the scrollbar.
pub fn list_tickets(db: &Db, query: &TicketQuery, now: DateTime<Utc>) -> Result<TicketPage, TicketError> {
    db.read(|connection| {
        let settings = read_settings(connection)?;
        let (clause, mut values) = filtered(query, &settings, now);
        let limit = query.limit.clamp(1, MAX_PAGE);
        values.push(Value::Integer(i64::from(limit)));
        values.push(Value::Integer(i64::from(query.offset)));
        // First the page's keys, ordered on the tickets table alone; then the
        // list rows for those keys only, so the joins run 50 times, not once
        // per ticket in the view. Views of open tickets count in the same pass
        // (a window over a few thousand rows); "All" counts on its own, so its
        // page can stop after 50 rows of the activity index.
        let counted_in_pass = query.view != TicketView::All;
        let sql = format!(
            "SELECT t.row, {} FROM tickets t
             LEFT JOIN picklist_values pp ON pp.kind = 'priority' AND pp.value = t.priority
             WHERE {clause} ORDER BY {} LIMIT ?{} OFFSET ?{}",
            if counted_in_pass { "count(*) OVER ()" } else { "0" },
            order_by(query.sort),
            values.len() - 1,
            values.len()
        );
        let keyed = connection
            .prepare_cached(&sql)?
            .query_map(params_from_iter(values.iter()), |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let total = match keyed.first() {
            Some((_, total)) if counted_in_pass => *total,
            _ => {
                values.truncate(values.len() - 2);
                connection
                    .prepare_cached(&format!("SELECT count(*) FROM tickets t WHERE {clause}"))?
                    .query_row(params_from_iter(values.iter()), |row| row.get(0))?
            }
        };
        let mut one = connection.prepare_cached(&format!("{SUMMARY_SELECT} WHERE t.row = ?1"))?;
        let rows = keyed
            .iter()
            .map(|(key, _)| one.query_row([key], |row| summary_from_row(row, &settings, now)))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(TicketPage { rows, total: total.max(0) as u32, offset: query.offset })
    })
}

/// How many tickets each view holds.
pub fn view_counts(db: &Db, now: DateTime<Utc>) -> Result<Vec<ViewCount>, TicketError> {
    view_counts_of(db, &TicketView::ALL, now)
}

/// The counts of `views` only (Today's tiles, the navigation's badge), in that order.
pub fn view_counts_of(db: &Db, views: &[TicketView], now: DateTime<Utc>) -> Result<Vec<ViewCount>, TicketError> {
    db.read(|connection| counts(connection, views, now))
}

fn counts(connection: &Connection, views: &[TicketView], now: DateTime<Utc>) -> Result<Vec<ViewCount>, TicketError> {
    let settings = read_settings(connection)?;
    views
        .iter()
        .copied()
        .map(|view| {
            let (clause, values) = view_filter(view, &settings, now);
            let count: i64 = connection
                .prepare_cached(&format!("SELECT count(*) FROM tickets t WHERE {clause}"))?
                .query_row(params_from_iter(values.iter()), |row| row.get(0))?;
            Ok(ViewCount { view, count: count.max(0) as u32 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_time_format_sorts_like_time() {
        let earlier = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        let later = earlier + Duration::milliseconds(1);
        assert!(sql_time(earlier) < sql_time(later));
        assert_eq!(start_of_next_month(Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap()).year(), 2027);
    }
}
