//! Today, the first screen, and the navigation's badges: what each shows,
//! read in one go. At start the UI asks for these two (and the database
//! status) instead of a dozen separate reads: every answer is a round trip
//! through the web view, and at start they queue behind the first paint.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::db::Db;
use crate::error::ErrorPayload;
use crate::schedule::{agenda, Agenda, DayQuery};
use crate::tickets::{get_office_admin_mode, view_counts_of, OfficeAdminMode, TicketView, ViewCount};
use crate::time::{open_placeholders, TimeEntry};
use crate::visits::{open_visits, Visit};

/// The views Today shows as tiles, in their order.
pub const TILE_VIEWS: [TicketView; 3] = [TicketView::MyTodo, TicketView::HighPriorityAlerts, TicketView::OfficeAdmin];

/// Everything Today shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TodayOverview {
    /// My appointments today and my tickets due today or overdue.
    pub agenda: Agenda,
    /// The tiles' counts ([`TILE_VIEWS`]).
    pub counts: Vec<ViewCount>,
    /// Customers in the cache.
    pub customers: u64,
    /// Visits and remote sessions started and not closed out.
    pub open_visits: Vec<Visit>,
    /// Placeholder time still to complete.
    pub placeholders: Vec<TimeEntry>,
    /// Filling in for the office admin, and when to check the mailbox next.
    pub office_admin: OfficeAdminMode,
    /// Nobody is chosen as "me" in Settings yet.
    pub me_missing: bool,
}

/// The figures beside the navigation's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Badges {
    /// Tickets in my todo.
    pub my_todo: u32,
    /// Stock items at or below their minimum.
    pub low_stock: u32,
    /// Operations waiting to be sent to the PSA.
    pub outbox: u32,
    /// Placeholder time entries past their due moment.
    pub overdue_placeholders: u32,
}

pub fn today_overview(db: &Db, day: &DayQuery, now: DateTime<Utc>) -> Result<TodayOverview, ErrorPayload> {
    let me_missing = crate::settings::get_settings(db)?.me.is_none();
    Ok(TodayOverview {
        agenda: agenda(db, day, now)?,
        counts: view_counts_of(db, &TILE_VIEWS, now)?,
        customers: crate::customers::count_customers(db)?,
        open_visits: open_visits(db)?,
        placeholders: placeholders(db, me_missing, now)?,
        office_admin: get_office_admin_mode(db, now)?,
        me_missing,
    })
}

/// My placeholder entries; none while nobody is "me" (they are mine by definition).
fn placeholders(db: &Db, me_missing: bool, now: DateTime<Utc>) -> Result<Vec<TimeEntry>, ErrorPayload> {
    if me_missing {
        return Ok(Vec::new());
    }
    Ok(open_placeholders(db, now)?)
}

pub fn badges(db: &Db, now: DateTime<Utc>) -> Result<Badges, ErrorPayload> {
    let my_todo = view_counts_of(db, &[TicketView::MyTodo], now)?.first().map_or(0, |count| count.count);
    let me_missing = crate::settings::get_settings(db)?.me.is_none();
    let overdue = placeholders(db, me_missing, now)?.iter().filter(|entry| entry.overdue).count();
    Ok(Badges {
        my_todo,
        low_stock: crate::stock::list_stock(db)?.low_count,
        outbox: crate::outbox::list_pending(db)?.len() as u32,
        overdue_placeholders: overdue as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample_data::load_sample_data;
    use crate::tickets::view_counts;
    use chrono::TimeZone;

    fn day(now: DateTime<Utc>) -> DayQuery {
        DayQuery { day_start: now - chrono::Duration::hours(12), day_end: now + chrono::Duration::hours(12) }
    }

    #[test]
    fn an_empty_cache_has_nothing_for_today() {
        let db = Db::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        let today = today_overview(&db, &day(now), now).unwrap();
        assert_eq!(today.counts.iter().map(|count| count.view).collect::<Vec<_>>(), TILE_VIEWS);
        assert!(today.counts.iter().all(|count| count.count == 0));
        assert_eq!(today.customers, 0);
        assert!(today.agenda.appointments.is_empty() && today.open_visits.is_empty());
        assert!(today.me_missing);
        assert_eq!(badges(&db, now).unwrap(), Badges { my_todo: 0, low_stock: 0, outbox: 0, overdue_placeholders: 0 });
    }

    #[test]
    fn the_overview_and_badges_agree_with_the_separate_reads() {
        let db = Db::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        load_sample_data(&db, 1, now).unwrap();
        let today = today_overview(&db, &day(now), now).unwrap();
        let all = view_counts(&db, now).unwrap();
        for tile in &today.counts {
            let separate = all.iter().find(|count| count.view == tile.view).unwrap();
            assert_eq!(tile.count, separate.count, "{:?}", tile.view);
        }
        assert_eq!(today.customers, crate::customers::count_customers(&db).unwrap());
        assert_eq!(today.agenda.due.len(), agenda(&db, &day(now), now).unwrap().due.len());
        assert!(!today.me_missing, "the sample data chooses me");

        let figures = badges(&db, now).unwrap();
        let my_todo = all.iter().find(|count| count.view == TicketView::MyTodo).unwrap().count;
        assert!(my_todo > 0, "the sample data gives me tickets");
        assert_eq!(figures.my_todo, my_todo);
        assert_eq!(figures.low_stock, crate::stock::list_stock(&db).unwrap().low_count);
        assert_eq!(figures.outbox as usize, crate::outbox::list_pending(&db).unwrap().len());
    }
}
