use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use fieldkit_core::outbox::list_pending;
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::settings::{get_settings, save_settings};
use fieldkit_core::tickets::{
    list_tickets, schedule_appointment, AppointmentDraft, AppointmentKind, TicketQuery, TicketSort, TicketView,
};
use fieldkit_core::time::{
    current_timer, my_week, open_placeholders, pause_timer, resume_timer, save_placeholder, save_time_entry,
    start_timer, stop_timer, weekly_check, PlaceholderDraft, RunningTimerChoice, TimeEntryDraft, TimeError,
    TimerTarget, WeekQuery,
};
use fieldkit_core::Db;
use uuid::Uuid;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// Sample data "now" is a Tuesday; the technician works in Chicago.
fn loaded() -> (tempfile::TempDir, Db, DateTime<Utc>) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("fieldkit.db")).unwrap();
    let now = at(2026, 11, 24, 15, 0);
    load_sample_data(&db, 1, now).unwrap();
    let mut settings = get_settings(&db).unwrap();
    settings.time_zone = "America/Chicago".into();
    save_settings(&db, &settings).unwrap();
    (dir, db, now)
}

fn my_tickets(db: &Db, now: DateTime<Utc>) -> Vec<(Uuid, String)> {
    let query = TicketQuery {
        view: TicketView::MyTodo,
        sort: TicketSort::Priority,
        customer_id: None,
        priority: None,
        status: None,
        offset: 0,
        limit: 50,
    };
    list_tickets(db, &query, now).unwrap().rows.into_iter().map(|row| (row.id, row.number)).collect()
}

fn draft(ticket: &(Uuid, String), start: DateTime<Utc>, end: DateTime<Utc>) -> TimeEntryDraft {
    TimeEntryDraft {
        id: None,
        ticket_id: ticket.0,
        ticket_number: ticket.1.clone(),
        appointment_id: None,
        start_at: start,
        end_at: end,
        work_type: 29682790,
        billable: true,
        summary_notes: "Replaced the toner.".into(),
        internal_notes: String::new(),
        split_at_midnight: false,
        from_timer: false,
    }
}

#[test]
fn a_timer_keeps_counting_across_a_restart_and_its_entry_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fieldkit.db");
    let now = at(2026, 11, 24, 15, 0);
    let ticket = {
        let db = Db::open(&path).unwrap();
        load_sample_data(&db, 1, now).unwrap();
        let ticket = my_tickets(&db, now)[0].clone();
        start_timer(&db, &TimerTarget { ticket_id: ticket.0, appointment_id: None }, None, now).unwrap();
        ticket
    };
    // The app closes and opens again 25 minutes later.
    let db = Db::open(&path).unwrap();
    let timer = current_timer(&db, now + Duration::minutes(25)).unwrap().expect("still running");
    assert!(timer.running);
    assert_eq!(timer.elapsed_seconds, 25 * 60);
    assert_eq!(timer.ticket_id, ticket.0);

    // Paused for 10 minutes, resumed, then stopped 5 minutes later: 30 minutes worked.
    pause_timer(&db, now + Duration::minutes(25)).unwrap();
    assert_eq!(current_timer(&db, now + Duration::minutes(35)).unwrap().unwrap().elapsed_seconds, 25 * 60);
    resume_timer(&db, now + Duration::minutes(35)).unwrap();
    let stop = now + Duration::minutes(40);
    let mut entry = stop_timer(&db, stop).unwrap();
    assert_eq!(entry.end_at - entry.start_at, Duration::minutes(30));
    assert!(entry.from_timer && entry.billable);
    // Closing the form keeps the (paused) timer.
    assert!(current_timer(&db, stop).unwrap().is_some());
    entry.summary_notes = "Cleared the print queue.".into();
    let saved = save_time_entry(&db, &entry, stop).unwrap();
    assert_eq!(saved.entries.len(), 1);
    assert!((saved.entries[0].hours - 0.5).abs() < 1e-9);
    assert!(current_timer(&db, stop).unwrap().is_none(), "saving the entry ends the timer");
    assert_eq!(list_pending(&db).unwrap().last().unwrap().entity, "TimeEntry");
}

#[test]
fn only_one_timer_runs_and_starting_another_asks_what_to_do() {
    let (_dir, db, now) = loaded();
    let tickets = my_tickets(&db, now);
    let first = TimerTarget { ticket_id: tickets[0].0, appointment_id: None };
    let second = TimerTarget { ticket_id: tickets[1].0, appointment_id: None };
    start_timer(&db, &first, None, now).unwrap();
    assert!(
        matches!(start_timer(&db, &second, None, now), Err(TimeError::TimerRunning(number)) if number == tickets[0].1)
    );
    let started = start_timer(&db, &second, Some(RunningTimerChoice::Stop), now + Duration::minutes(20)).unwrap();
    let replaced = started.replaced.expect("the first timer's entry");
    assert_eq!(replaced.ticket_id, tickets[0].0);
    assert_eq!(replaced.end_at - replaced.start_at, Duration::minutes(20));
    assert_eq!(started.timer.ticket_id, tickets[1].0);
    let discarded = start_timer(&db, &first, Some(RunningTimerChoice::Discard), now + Duration::minutes(30)).unwrap();
    assert!(discarded.replaced.is_none());
}

#[test]
fn entries_the_psa_would_refuse_get_clear_messages() {
    let (_dir, db, now) = loaded();
    let ticket = my_tickets(&db, now)[0].clone();
    let field_of = |result: Result<_, TimeError>| match result {
        Err(TimeError::Invalid(fields)) => (fields[0].field.clone(), fields[0].message.clone()),
        other => panic!("expected a field error, got {:?}", other.map(|_: fieldkit_core::time::SavedTime| ())),
    };
    let backwards = draft(&ticket, at(2026, 11, 23, 16, 0), at(2026, 11, 23, 15, 0));
    assert_eq!(field_of(save_time_entry(&db, &backwards, now)).0, "end_at");
    let too_long = draft(&ticket, at(2026, 11, 20, 1, 0), at(2026, 11, 21, 2, 0));
    assert!(field_of(save_time_entry(&db, &too_long, now)).1.contains("24 hours"));
    let mut no_notes = draft(&ticket, at(2026, 11, 23, 15, 0), at(2026, 11, 23, 16, 0));
    no_notes.summary_notes = " ".into();
    assert_eq!(field_of(save_time_entry(&db, &no_notes, now)).0, "summary_notes");

    // 17:30–19:30 in Chicago crosses midnight UTC: refused with the local time, or split.
    let mut late = draft(&ticket, at(2026, 11, 23, 23, 30), at(2026, 11, 24, 1, 30));
    let (field, message) = field_of(save_time_entry(&db, &late, now));
    assert_eq!(field, "end_at");
    assert!(message.contains("midnight UTC") && message.contains("America/Chicago"), "{message}");
    late.split_at_midnight = true;
    let saved = save_time_entry(&db, &late, now).unwrap();
    assert_eq!(saved.entries.len(), 2);
    assert_eq!(saved.entries[0].end_at, at(2026, 11, 24, 0, 0));
    assert_eq!(saved.entries[1].start_at, at(2026, 11, 24, 0, 0));

    // Overlapping my own entry saves, with a warning.
    let overlapping = draft(&ticket, at(2026, 11, 23, 23, 0), at(2026, 11, 23, 23, 45));
    let saved = save_time_entry(&db, &overlapping, now).unwrap();
    assert_eq!(saved.warnings.len(), 1);
    assert!(saved.warnings[0].contains(&ticket.1));
}

#[test]
fn a_placeholder_is_due_the_next_working_morning_and_completing_it_removes_the_marker() {
    let (_dir, db, _) = loaded();
    // Friday 27 November, 17:30 in Chicago.
    let friday = at(2026, 11, 27, 23, 30);
    let ticket = my_tickets(&db, friday)[0].clone();
    let placeholder = save_placeholder(
        &db,
        &PlaceholderDraft {
            ticket_id: ticket.0,
            appointment_id: None,
            start_at: friday - Duration::hours(2),
            end_at: friday,
            notes: "Printer fixed, details Monday".into(),
        },
        friday,
    )
    .unwrap();
    // Monday 30 November 09:00 in Chicago is 15:00 UTC.
    assert_eq!(placeholder.placeholder_due_at, Some(at(2026, 11, 30, 15, 0)));
    assert!(placeholder.is_placeholder && !placeholder.overdue);
    assert!(placeholder.internal_notes.starts_with("[PLACEHOLDER - do not approve yet]"));
    let overdue = open_placeholders(&db, at(2026, 11, 30, 15, 1)).unwrap();
    assert!(overdue[0].overdue);

    let mut complete = draft(&ticket, placeholder.start_at, placeholder.end_at);
    complete.id = Some(placeholder.id);
    complete.summary_notes = "Replaced the fuser unit and printed a test page.".into();
    complete.internal_notes = "Part from stock.".into();
    let saved = save_time_entry(&db, &complete, at(2026, 11, 30, 14, 0)).unwrap();
    assert!(!saved.entries[0].is_placeholder);
    assert!(open_placeholders(&db, at(2026, 11, 30, 14, 0)).unwrap().is_empty());
    let outbox = list_pending(&db).unwrap();
    let last = outbox.last().unwrap();
    assert_eq!(last.operation, "update");
    assert!(!last.payload.contains("PLACEHOLDER"));
}

#[test]
fn the_weekly_check_lists_service_calls_without_time_until_time_is_entered() {
    let (_dir, db, now) = loaded();
    let ticket = my_tickets(&db, now)[0].clone();
    schedule_appointment(
        &db,
        &AppointmentDraft {
            ticket_id: ticket.0,
            kind: AppointmentKind::OnSite,
            start_at: now - Duration::hours(3),
            duration_minutes: 60,
        },
        now,
    )
    .unwrap();
    let week = WeekQuery {
        first: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        last: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
    };
    let check = weekly_check(&db, &week, now).unwrap();
    assert_eq!(check.appointments_without_time.len(), 1);
    let untimed = &check.appointments_without_time[0];
    assert_eq!(untimed.ticket_number, ticket.1);
    let mut entry = draft(&ticket, untimed.start_at, untimed.end_at);
    entry.appointment_id = Some(untimed.id);
    save_time_entry(&db, &entry, now).unwrap();
    assert!(weekly_check(&db, &week, now).unwrap().appointments_without_time.is_empty());

    let mine = my_week(&db, &week, now).unwrap();
    assert_eq!(mine.days.len(), 7);
    let total: f64 = mine.days.iter().map(|day| day.billable_hours + day.non_billable_hours).sum();
    assert!((total - mine.entries.iter().map(|e| e.hours).sum::<f64>()).abs() < 1e-9);
    assert!(mine.entries.iter().any(|e| e.appointment_id == Some(untimed.id)));
}
