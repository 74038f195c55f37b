//! Calendar arithmetic in the technician's zone: local days as UTC ranges
//! (23 or 25 hours long on daylight-saving days) and the next working morning.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// The first instant of local `time` on `date`, or just after a DST gap.
fn local_instant(zone: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let mut naive = date.and_time(time);
    for _ in 0..4 {
        match zone.from_local_datetime(&naive) {
            LocalResult::Single(instant) => return instant.with_timezone(&Utc),
            LocalResult::Ambiguous(earliest, _) => return earliest.with_timezone(&Utc),
            // In a spring-forward gap: the clock jumps over it, so does the instant.
            LocalResult::None => naive += Duration::minutes(30),
        }
    }
    Utc.from_utc_datetime(&date.and_time(time))
}

/// Local `date` as a UTC range `[start, end)`.
pub fn day_bounds(zone: Tz, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = date.succ_opt().unwrap_or(date);
    (local_instant(zone, date, NaiveTime::MIN), local_instant(zone, next, NaiveTime::MIN))
}

/// The local calendar date of an instant.
pub fn local_date(zone: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&zone).date_naive()
}

/// `hour`:00 local on the first working day (Monday to Friday) after the
/// local date of `now`.
pub fn next_working_morning(zone: Tz, now: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    let mut date = local_date(zone, now);
    loop {
        date = date.succ_opt().unwrap_or(date);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            break;
        }
    }
    local_instant(zone, date, NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN))
}

/// A time as the technician reads it: "Tue 24 Nov 17:05 (America/Chicago)".
pub fn describe(zone: Tz, instant: DateTime<Utc>) -> String {
    format!("{} ({})", instant.with_timezone(&zone).format("%a %-d %b %H:%M"), zone.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn daylight_saving_days_are_23_and_25_hours_long() {
        let zone: Tz = "America/New_York".parse().unwrap();
        let (start, end) = day_bounds(zone, NaiveDate::from_ymd_opt(2026, 3, 8).unwrap());
        assert_eq!(end - start, Duration::hours(23));
        assert_eq!(start, utc(2026, 3, 8, 5, 0));
        let (start, end) = day_bounds(zone, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(end - start, Duration::hours(25));
        let (start, end) = day_bounds(zone, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!((start, end - start), (utc(2026, 11, 24, 5, 0), Duration::hours(24)));
    }

    #[test]
    fn the_next_working_morning_skips_the_weekend_and_follows_the_clock_change() {
        let zone: Tz = "Europe/Berlin".parse().unwrap();
        // Tuesday evening → Wednesday 09:00 CET.
        assert_eq!(next_working_morning(zone, utc(2026, 11, 24, 18, 0), 9), utc(2026, 11, 25, 8, 0));
        // Friday evening → Monday 09:00.
        assert_eq!(next_working_morning(zone, utc(2026, 11, 27, 18, 0), 9), utc(2026, 11, 30, 8, 0));
        // Friday 27 March 2026 → Monday 30 March, now CEST (UTC+2).
        assert_eq!(next_working_morning(zone, utc(2026, 3, 27, 18, 0), 9), utc(2026, 3, 30, 7, 0));
        // Late evening UTC that is already the next day locally counts from that local day.
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(next_working_morning(tokyo, utc(2026, 11, 24, 16, 0), 9), utc(2026, 11, 26, 0, 0));
    }

    #[test]
    fn a_time_in_a_spring_forward_gap_moves_past_it() {
        let zone: Tz = "America/New_York".parse().unwrap();
        let instant = local_instant(
            zone,
            NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(),
            NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
        );
        assert_eq!(instant, utc(2026, 3, 8, 7, 0));
    }
}
