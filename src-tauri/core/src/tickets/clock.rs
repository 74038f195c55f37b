//! Response clocks: when an open ticket needs a response, and how close that is.
//!
//! - urgent (critical priority): call the customer back right away;
//! - managed-services (MSA) customers: within `msa_response_hours` (2);
//! - everyone else: within `other_response_hours`.
//!
//! The clock stops at the first customer-visible update. Independently, an
//! open ticket without a customer-visible update for `follow_up_after_days`
//! is flagged "follow up with the customer".

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::picklists::meaning;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ClockState {
    /// Closed, or already answered.
    None,
    /// Time left.
    Ok,
    /// Less than a quarter of the window (at least 15 minutes) left.
    Amber,
    /// Past due, or urgent.
    Red,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ResponseClock {
    pub state: ClockState,
    /// When the response is due; `None` once answered.
    pub due_at: Option<DateTime<Utc>>,
    /// Urgent: call the customer back now (the list shows the number).
    pub call_back_now: bool,
    /// No customer-visible update for too long.
    pub follow_up: bool,
}

/// What the clock of one ticket shows at `now`.
pub struct ClockInput<'a> {
    pub created_at: DateTime<Utc>,
    pub completed: bool,
    pub first_response_at: Option<DateTime<Utc>>,
    pub last_customer_visible_at: Option<DateTime<Utc>>,
    pub priority_meaning: Option<&'a str>,
    pub customer_is_msa: bool,
}

pub fn response_clock(input: &ClockInput<'_>, settings: &Settings, now: DateTime<Utc>) -> ResponseClock {
    if input.completed {
        return ResponseClock { state: ClockState::None, due_at: None, call_back_now: false, follow_up: false };
    }
    let last_update = input.last_customer_visible_at.unwrap_or(input.created_at);
    let follow_up = now - last_update >= Duration::days(i64::from(settings.follow_up_after_days));
    if input.first_response_at.is_some() {
        return ResponseClock { state: ClockState::None, due_at: None, call_back_now: false, follow_up };
    }
    if input.priority_meaning == Some(meaning::PRIORITY_CRITICAL) {
        return ResponseClock {
            state: ClockState::Red,
            due_at: Some(input.created_at),
            call_back_now: true,
            follow_up,
        };
    }
    let hours = if input.customer_is_msa { settings.msa_response_hours } else { settings.other_response_hours };
    let window = Duration::hours(i64::from(hours));
    let due = input.created_at + window;
    let warning = (window / 4).max(Duration::minutes(15));
    let state = if now >= due {
        ClockState::Red
    } else if due - now <= warning {
        ClockState::Amber
    } else {
        ClockState::Ok
    };
    ResponseClock { state, due_at: Some(due), call_back_now: false, follow_up }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn input(is_msa: bool, priority: Option<&str>) -> ClockInput<'_> {
        ClockInput {
            created_at: Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap(),
            completed: false,
            first_response_at: None,
            last_customer_visible_at: None,
            priority_meaning: priority,
            customer_is_msa: is_msa,
        }
    }

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, hour, minute, 0).unwrap()
    }

    #[test]
    fn msa_customers_get_two_hours_turning_amber_then_red() {
        let settings = Settings::default();
        assert_eq!(response_clock(&input(true, None), &settings, at(8, 30)).state, ClockState::Ok);
        assert_eq!(response_clock(&input(true, None), &settings, at(9, 35)).state, ClockState::Amber);
        let late = response_clock(&input(true, None), &settings, at(10, 1));
        assert_eq!(late.state, ClockState::Red);
        assert_eq!(late.due_at, Some(at(10, 0)));
    }

    #[test]
    fn others_follow_the_configured_rule() {
        let settings = Settings { other_response_hours: 4, ..Settings::default() };
        assert_eq!(response_clock(&input(false, None), &settings, at(10, 1)).state, ClockState::Ok);
        assert_eq!(response_clock(&input(false, None), &settings, at(11, 1)).state, ClockState::Amber);
        assert_eq!(response_clock(&input(false, None), &settings, at(12, 0)).state, ClockState::Red);
    }

    #[test]
    fn urgent_means_call_back_now() {
        let clock = response_clock(&input(false, Some(meaning::PRIORITY_CRITICAL)), &Settings::default(), at(8, 1));
        assert!(clock.call_back_now);
        assert_eq!(clock.state, ClockState::Red);
    }

    #[test]
    fn an_answered_ticket_stops_the_clock_but_can_still_need_a_follow_up() {
        let mut answered = input(true, None);
        answered.first_response_at = Some(at(8, 10));
        answered.last_customer_visible_at = Some(at(8, 10));
        let settings = Settings::default();
        assert_eq!(response_clock(&answered, &settings, at(12, 0)).state, ClockState::None);
        assert!(!response_clock(&answered, &settings, at(12, 0)).follow_up);
        assert!(response_clock(&answered, &settings, at(12, 0) + Duration::days(3)).follow_up);
    }

    #[test]
    fn closed_tickets_have_no_clock() {
        let mut closed = input(true, Some(meaning::PRIORITY_CRITICAL));
        closed.completed = true;
        assert_eq!(response_clock(&closed, &Settings::default(), at(12, 0)).state, ClockState::None);
    }
}
