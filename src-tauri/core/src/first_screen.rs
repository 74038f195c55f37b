//! The first screen's data, read as the database opens. Today's overview for
//! the current day in the technician's zone is computed on a thread of its own
//! while the window and the web view start (~300 ms at 100,000 tickets), and
//! the page's first `today_overview` read takes it — if it asks for that day,
//! within a few seconds, and nothing was committed in between — instead of
//! waiting for it to be computed while the web view competes for the CPU.

use std::sync::{mpsc, Arc, Mutex, Weak};

use chrono::{DateTime, Duration, Utc};

use crate::app_database::AppDatabase;
use crate::db::{DataStamp, Db};
use crate::schedule::DayQuery;
use crate::time::zone::day_bounds;
use crate::today::{today_overview, TodayOverview};

/// How long a prepared overview may stand for a fresh read.
const FRESH_FOR: Duration = Duration::seconds(5);

/// Today's overview as the database opened, taken at most once.
#[derive(Default)]
pub struct FirstScreen {
    prepared: Mutex<Option<Prepared>>,
}

struct Prepared {
    db: Weak<Db>,
    day: DayQuery,
    at: DateTime<Utc>,
    stamp: DataStamp,
    overview: TodayOverview,
}

impl FirstScreen {
    /// Prepares Today on a thread of its own, once `database` has opened;
    /// [`FirstScreen::take`] waits for it.
    pub fn prepare_in_background(database: Arc<AppDatabase>, now: fn() -> DateTime<Utc>) -> Arc<Self> {
        let screen = Arc::new(Self::default());
        let preparing = screen.clone();
        let (locked, is_locked) = mpsc::channel();
        let spawned = std::thread::Builder::new().name("first-screen".into()).spawn(move || {
            let mut slot = preparing.prepared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let _ = locked.send(());
            if let Ok(db) = database.db() {
                *slot = prepare(&db, now());
            }
        });
        if spawned.is_ok() {
            // The slot is held before anyone can take from it.
            let _ = is_locked.recv();
        }
        screen
    }

    /// Prepares Today for `now` on `db`, here and now.
    pub fn prepare_now(db: &Arc<Db>, now: DateTime<Utc>) -> Self {
        Self { prepared: Mutex::new(prepare(db, now)) }
    }

    /// The prepared overview, once, if it is `db`'s for `day`, at most a few
    /// seconds old at `now`, and nothing was committed since it was read.
    pub fn take(&self, db: &Db, day: &DayQuery, now: DateTime<Utc>) -> Option<TodayOverview> {
        let prepared = self.prepared.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()?;
        let same_db = prepared.db.upgrade().is_some_and(|prepared_on| std::ptr::eq(&*prepared_on, db));
        let fresh = now >= prepared.at && now - prepared.at <= FRESH_FOR;
        let unchanged = db.data_stamp() == Some(prepared.stamp);
        (same_db && prepared.day == *day && fresh && unchanged).then_some(prepared.overview)
    }
}

fn prepare(db: &Arc<Db>, now: DateTime<Utc>) -> Option<Prepared> {
    // Stamped before reading: a commit during the read changes the stamp.
    let stamp = db.data_stamp()?;
    let zone = crate::settings::get_settings(db).ok()?.zone();
    let (day_start, day_end) = day_bounds(zone, now.with_timezone(&zone).date_naive());
    let day = DayQuery { day_start, day_end };
    let overview = today_overview(db, &day, now).ok()?;
    Some(Prepared { db: Arc::downgrade(db), day, at: now, stamp, overview })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample_data::load_sample_data;
    use crate::settings::{get_settings, save_settings};
    use chrono::TimeZone;

    fn berlin_db(dir: &std::path::Path, now: DateTime<Utc>) -> Arc<Db> {
        let db = Arc::new(Db::open(&dir.join("fieldkit.db")).unwrap());
        load_sample_data(&db, 1, now).unwrap();
        let mut settings = get_settings(&db).unwrap();
        settings.time_zone = "Europe/Berlin".into();
        save_settings(&db, &settings).unwrap();
        db
    }

    fn berlin_day() -> DayQuery {
        DayQuery {
            day_start: Utc.with_ymd_and_hms(2026, 12, 6, 23, 0, 0).unwrap(),
            day_end: Utc.with_ymd_and_hms(2026, 12, 7, 23, 0, 0).unwrap(),
        }
    }

    #[test]
    fn the_first_read_of_the_day_takes_what_was_prepared_once() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        let db = berlin_db(dir.path(), now);
        let screen = FirstScreen::prepare_now(&db, now);
        let later = now + Duration::seconds(1);
        let taken = screen.take(&db, &berlin_day(), later).expect("the prepared overview");
        let read = today_overview(&db, &berlin_day(), now).unwrap();
        assert_eq!(serde_json::to_value(&taken).unwrap(), serde_json::to_value(&read).unwrap());
        assert!(taken.customers > 0 && !taken.counts.is_empty());
        assert!(screen.take(&db, &berlin_day(), later).is_none(), "taken once");
    }

    #[test]
    fn it_is_not_used_for_another_day_an_old_one_or_another_database() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        let db = berlin_db(dir.path(), now);
        let utc_day = DayQuery {
            day_start: Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap(),
            day_end: Utc.with_ymd_and_hms(2026, 12, 8, 0, 0, 0).unwrap(),
        };
        assert!(FirstScreen::prepare_now(&db, now).take(&db, &utc_day, now).is_none());
        let stale = now + FRESH_FOR + Duration::seconds(1);
        assert!(FirstScreen::prepare_now(&db, now).take(&db, &berlin_day(), stale).is_none());
        let before = now - Duration::seconds(1);
        assert!(FirstScreen::prepare_now(&db, now).take(&db, &berlin_day(), before).is_none());
        let other_dir = tempfile::tempdir().unwrap();
        let other = berlin_db(other_dir.path(), now);
        assert!(FirstScreen::prepare_now(&db, now).take(&other, &berlin_day(), now).is_none());
    }

    #[test]
    fn a_commit_after_it_was_read_makes_the_page_read_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        let db = berlin_db(dir.path(), now);

        // Through this handle (the sync, the technician).
        let screen = FirstScreen::prepare_now(&db, now);
        db.write(|transaction| transaction.execute_batch("CREATE TABLE touched (x); DROP TABLE touched;")).unwrap();
        assert!(screen.take(&db, &berlin_day(), now).is_none());

        // By another connection (another process on the same file).
        let screen = FirstScreen::prepare_now(&db, now);
        let other = rusqlite::Connection::open(dir.path().join("fieldkit.db")).unwrap();
        other.execute_batch("CREATE TABLE touched (x); DROP TABLE touched;").unwrap();
        assert!(screen.take(&db, &berlin_day(), now).is_none());

        // Nothing committed: taken.
        let screen = FirstScreen::prepare_now(&db, now);
        assert!(screen.take(&db, &berlin_day(), now).is_some());
    }
}
