use chrono::{Duration, Utc};
use fieldkit_core::outbox::list_pending;
use fieldkit_core::picklists::list_picklists;
use fieldkit_core::resources::{list_resources, ResourceRole};
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::settings::{get_settings, save_settings};
use fieldkit_core::tickets::{
    add_note, catch_up_search, change_status, file_discrepancy_report, get_ticket, list_tickets, raise_noticed_ticket,
    search_tickets, take_ticket, view_counts, DiscrepancyDraft, DiscrepancyKind, NoteDraft, NoticedTicketDraft,
    TicketError, TicketQuery, TicketSort, TicketView,
};
use fieldkit_core::Db;

fn loaded() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("fieldkit.db")).unwrap();
    load_sample_data(&db, 1, Utc::now()).unwrap();
    (dir, db)
}

fn query(view: TicketView) -> TicketQuery {
    TicketQuery {
        view,
        sort: TicketSort::Priority,
        customer_id: None,
        priority: None,
        status: None,
        offset: 0,
        limit: 200,
    }
}

#[test]
fn every_view_lists_as_many_tickets_as_its_count_says() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let counts = view_counts(&db, now).unwrap();
    assert_eq!(counts.len(), TicketView::ALL.len());
    for count in &counts {
        let page = list_tickets(&db, &query(count.view), now).unwrap();
        assert_eq!(page.total, count.count, "{:?}", count.view);
        assert_eq!(page.rows.len() as u32, count.count.min(200), "{:?}", count.view);
        if count.view != TicketView::All {
            assert!(page.rows.iter().all(|row| row.completed_at.is_none()), "{:?} holds only open tickets", count.view);
        }
    }
    let by_view = |view| counts.iter().find(|c| c.view == view).unwrap().count;
    assert_eq!(by_view(TicketView::All), 60);
    for view in [TicketView::MyTodo, TicketView::TechniciansQueue, TicketView::NeedsAttention, TicketView::OfficeAdmin]
    {
        assert!(by_view(view) > 0, "the sample fills {view:?}");
    }
}

#[test]
fn the_office_admin_view_holds_unassigned_tickets() {
    let (_dir, db) = loaded();
    let page = list_tickets(&db, &query(TicketView::OfficeAdmin), Utc::now()).unwrap();
    assert!(page.rows.iter().any(|row| row.primary_resource_name.is_empty()));
}

#[test]
fn a_note_is_saved_with_its_outbox_entry_and_found_by_search() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let ticket = list_tickets(&db, &query(TicketView::MyTodo), now).unwrap().rows[0].clone();
    add_note(
        &db,
        &NoteDraft { ticket_id: ticket.id, body: "Replaced the flux capacitor".into(), is_customer_visible: false },
        now,
    )
    .unwrap();
    let detail = get_ticket(&db, ticket.id, now).unwrap();
    assert_eq!(detail.notes[0].body, "Replaced the flux capacitor");
    assert!(detail.notes[0].is_local);
    let outbox = list_pending(&db).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].entity, "TicketNote");
    assert!(outbox[0].payload.contains("flux capacitor"));

    catch_up_search(&db).unwrap();
    let found = search_tickets(&db, "capacitor", now).unwrap();
    assert_eq!(found.hits[0].ticket.id, ticket.id);
    assert_eq!(found.hits[0].matched_in, "note");
    assert!(found.hits[0].snippet.iter().any(|part| part.hit && part.text == "capacitor"));
    // As typed: a prefix of the last word.
    assert_eq!(search_tickets(&db, "flux capa", now).unwrap().hits[0].ticket.id, ticket.id);
}

#[test]
fn a_customer_visible_note_stops_the_response_clock() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let open = list_tickets(&db, &query(TicketView::NeedsAttention), now).unwrap();
    let waiting = open.rows.iter().find(|row| row.clock.due_at.is_some()).expect("an unanswered ticket");
    add_note(&db, &NoteDraft { ticket_id: waiting.id, body: "On it.".into(), is_customer_visible: true }, now).unwrap();
    let detail = get_ticket(&db, waiting.id, now).unwrap();
    assert_eq!(detail.summary.clock.due_at, None);
}

#[test]
fn status_changes_and_taking_a_ticket_are_queued_in_order() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let ticket = list_tickets(&db, &query(TicketView::OfficeAdmin), now).unwrap().rows[0].clone();
    take_ticket(&db, ticket.id, now).unwrap();
    let complete =
        list_picklists(&db).unwrap().into_iter().find(|value| value.meaning.as_deref() == Some("complete")).unwrap();
    change_status(&db, ticket.id, complete.value, now + Duration::seconds(1)).unwrap();
    let detail = get_ticket(&db, ticket.id, now).unwrap();
    assert!(detail.is_mine);
    assert!(detail.summary.completed_at.is_some());
    let todo = list_tickets(&db, &query(TicketView::MyTodo), now).unwrap();
    assert!(todo.rows.iter().all(|row| row.id != ticket.id), "a completed ticket leaves my todo");
    let outbox = list_pending(&db).unwrap();
    assert_eq!(
        outbox.iter().map(|entry| entry.summary.as_str()).collect::<Vec<_>>(),
        vec![format!("Took {}", ticket.number), format!("Status of {} → Complete", ticket.number)]
    );
    assert!(matches!(change_status(&db, ticket.id, 999, now), Err(TicketError::Invalid(_))));
}

#[test]
fn a_completed_ticket_where_i_am_secondary_leaves_my_todo() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    // A discrepancy report goes to the senior technician with me as secondary.
    let customer = list_tickets(&db, &query(TicketView::All), now).unwrap().rows[0].customer_id;
    let report = file_discrepancy_report(
        &db,
        &DiscrepancyDraft {
            kind: DiscrepancyKind::MissingChecklistItem,
            customer_id: Some(customer),
            device_id: None,
            noticed_on: None,
            description: "No UPS test in the checklist.".into(),
        },
        now,
    )
    .unwrap();
    let todo = list_tickets(&db, &query(TicketView::MyTodo), now).unwrap();
    let secondary = todo.rows.iter().find(|row| row.id == report).expect("my secondary ticket is in my todo").clone();
    let complete = list_picklists(&db).unwrap().into_iter().find(|v| v.meaning.as_deref() == Some("complete")).unwrap();
    change_status(&db, secondary.id, complete.value, now).unwrap();
    let after = list_tickets(&db, &query(TicketView::MyTodo), now).unwrap();
    assert_eq!(after.total, todo.total - 1);
    assert!(after.rows.iter().all(|row| row.id != secondary.id));
}

#[test]
fn a_ticket_noticed_while_working_has_the_office_admin_as_secondary() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let origin = list_tickets(&db, &query(TicketView::MyTodo), now).unwrap().rows[0].clone();
    let office_admin = list_resources(&db).unwrap().into_iter().find(|p| p.role == ResourceRole::OfficeAdmin).unwrap();

    let mine = raise_noticed_ticket(
        &db,
        &NoticedTicketDraft {
            noticed_on: origin.id,
            title: "UPS battery warning in the server closet".into(),
            description: String::new(),
            i_can_handle_it: true,
            i_would_like_to_shadow: false,
        },
        now,
    )
    .unwrap();
    let mine = get_ticket(&db, mine, now).unwrap();
    assert!(mine.is_mine);
    assert_eq!(mine.secondary_resources.iter().map(|p| p.id).collect::<Vec<_>>(), vec![office_admin.id]);
    assert_eq!(mine.noticed_on.as_ref().unwrap().id, origin.id);
    assert_eq!(mine.summary.customer_id, origin.customer_id);

    let escalated = raise_noticed_ticket(
        &db,
        &NoticedTicketDraft {
            noticed_on: origin.id,
            title: "Domain controller replication errors".into(),
            description: "Event 2042 on both DCs.".into(),
            i_can_handle_it: false,
            i_would_like_to_shadow: true,
        },
        now,
    )
    .unwrap();
    let escalated = get_ticket(&db, escalated, now).unwrap();
    assert!(escalated.primary_resource_id.is_none());
    assert!(escalated.notes[0].body.contains("more senior technician"));
    assert!(escalated.notes[0].body.contains("I'd like to shadow"));
    let entities: Vec<_> = list_pending(&db).unwrap().into_iter().map(|e| e.entity).collect();
    assert_eq!(entities, vec!["Ticket", "Ticket", "TicketNote"]);

    let empty = NoticedTicketDraft {
        noticed_on: origin.id,
        title: "   ".into(),
        description: String::new(),
        i_can_handle_it: true,
        i_would_like_to_shadow: false,
    };
    match raise_noticed_ticket(&db, &empty, now) {
        Err(TicketError::Invalid(fields)) => assert_eq!(fields[0].field, "title"),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn a_discrepancy_report_goes_to_the_senior_technician_with_high_priority() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let origin = list_tickets(&db, &query(TicketView::All), now).unwrap().rows[0].clone();
    let senior = list_resources(&db).unwrap().into_iter().find(|p| p.role == ResourceRole::SeniorTechnician).unwrap();
    let report = file_discrepancy_report(
        &db,
        &DiscrepancyDraft {
            kind: DiscrepancyKind::EndUserWithAdminRights,
            customer_id: Some(origin.customer_id),
            device_id: None,
            noticed_on: Some(origin.id),
            description: "The receptionist is a local administrator.".into(),
        },
        now,
    )
    .unwrap();
    let report = get_ticket(&db, report, now).unwrap();
    assert_eq!(report.primary_resource_id, Some(senior.id));
    assert_eq!(report.summary.priority.meaning.as_deref(), Some("high"));
    assert!(report.summary.title.starts_with("Discrepancy: End user with admin privileges"));
    let no_text = DiscrepancyDraft {
        kind: DiscrepancyKind::Other,
        customer_id: Some(origin.customer_id),
        device_id: None,
        noticed_on: None,
        description: String::new(),
    };
    assert!(matches!(file_discrepancy_report(&db, &no_text, now), Err(TicketError::Invalid(_))));
}

#[test]
fn markup_a_megabyte_emoji_and_right_to_left_text_are_kept_as_written() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let ticket = list_tickets(&db, &query(TicketView::All), now).unwrap().rows[3].clone();
    let markup = "<script>alert(1)</script><img src=x onerror=alert(2)> 🔥 مرحبا بالعالم";
    let big = format!("{markup}\n{}", "log line 0x80070005 ".repeat(52_000));
    assert!(big.len() > 1_000_000);
    add_note(&db, &NoteDraft { ticket_id: ticket.id, body: big.clone(), is_customer_visible: false }, now).unwrap();
    catch_up_search(&db).unwrap();
    // Kept as written (surrounding blanks trimmed), compared without printing a megabyte.
    assert!(get_ticket(&db, ticket.id, now).unwrap().notes[0].body == big.trim(), "the note comes back unchanged");
    assert_eq!(search_tickets(&db, "مرحبا", now).unwrap().hits[0].ticket.id, ticket.id);
    assert!(search_tickets(&db, "\"<script>", now).unwrap().hits.iter().any(|hit| hit.ticket.id == ticket.id));
    let empty = NoteDraft { ticket_id: ticket.id, body: " \n ".into(), is_customer_visible: false };
    assert!(matches!(add_note(&db, &empty, now), Err(TicketError::Invalid(_))));
}

#[test]
fn settings_are_checked_and_kept() {
    let (_dir, db) = loaded();
    let mut settings = get_settings(&db).unwrap();
    assert!(settings.me.is_some(), "sample data makes the first technician 'me'");
    settings.scheduling_link_template = "ftp://nope".into();
    settings.msa_response_hours = 0;
    assert!(save_settings(&db, &settings).is_err());
    settings.scheduling_link_template = "https://timezest.example/me?t={ticket}".into();
    settings.msa_response_hours = 3;
    save_settings(&db, &settings).unwrap();
    assert_eq!(get_settings(&db).unwrap().msa_response_hours, 3);
}

/// The seed's "Backup Checks Due this Month (or Overdue)" widget: mine only
/// (primary or secondary), listed and counted alike.
#[test]
fn backup_checks_due_are_the_ones_assigned_to_me() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let me = get_settings(&db).unwrap().me.expect("sample data chooses me").to_string();
    let other: String =
        db.read(|c| c.query_row("SELECT id FROM resources WHERE id <> ?1 LIMIT 1", [&me], |r| r.get(0))).unwrap();
    // A backup check due today, someone else's, with nobody helping.
    let (row, id): (i64, String) = db
        .read(|c| {
            c.query_row(
                "SELECT row, id FROM tickets WHERE completed_at IS NULL AND issue_type =
                     (SELECT value FROM picklist_values WHERE kind = 'issue_type' AND meaning = 'backup_check') LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .unwrap();
    db.write(|tx| -> rusqlite::Result<()> {
        tx.execute(
            "UPDATE tickets SET primary_resource_id = ?2, due_at = ?3 WHERE row = ?1",
            rusqlite::params![row, other, now],
        )?;
        tx.execute("DELETE FROM ticket_secondary_resources WHERE ticket_row = ?1", [row])?;
        Ok(())
    })
    .unwrap();
    let listed = |db: &Db| {
        let page = list_tickets(db, &query(TicketView::BackupChecksDue), now).unwrap();
        let counted =
            view_counts(db, now).unwrap().into_iter().find(|c| c.view == TicketView::BackupChecksDue).unwrap().count;
        assert_eq!(page.rows.len() as u32, counted, "listed and counted alike");
        page.rows.iter().map(|t| t.id.to_string()).collect::<Vec<_>>()
    };
    assert!(!listed(&db).contains(&id), "someone else's backup check is not in my widget");
    // Every one listed is mine.
    for listed_id in listed(&db) {
        let mine: bool = db
            .read(|c| {
                c.query_row(
                    "SELECT primary_resource_id = ?2 OR EXISTS (SELECT 1 FROM ticket_secondary_resources s
                         WHERE s.ticket_row = t.row AND s.resource_id = ?2 AND s.is_open = 1)
                     FROM tickets t WHERE id = ?1",
                    [&listed_id, &me],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert!(mine, "{listed_id} is not mine");
    }
    // Given to me, it shows.
    db.write(|tx| tx.execute("UPDATE tickets SET primary_resource_id = ?2 WHERE row = ?1", rusqlite::params![row, me]))
        .unwrap();
    assert!(listed(&db).contains(&id));
}

#[test]
fn aging_lists_my_open_tickets_without_a_customer_visible_update_for_the_configured_days() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let me = get_settings(&db).unwrap().me.unwrap().to_string();
    // One of my open tickets heard from us 10 days ago, another yesterday.
    let mine: Vec<String> = db
        .read(|c| {
            c.prepare(
                "SELECT id FROM tickets WHERE completed_at IS NULL AND primary_resource_id = ?1 ORDER BY row LIMIT 2",
            )?
            .query_map([&me], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()
        })
        .unwrap();
    db.write(|tx| {
        tx.execute(
            "UPDATE tickets SET created_at = ?2, last_customer_visible_at = ?3 WHERE id = ?1",
            rusqlite::params![mine[0], now - Duration::days(20), now - Duration::days(10)],
        )?;
        tx.execute(
            "UPDATE tickets SET created_at = ?2, last_customer_visible_at = ?3 WHERE id = ?1",
            rusqlite::params![mine[1], now - Duration::days(20), now - Duration::days(1)],
        )
    })
    .unwrap();
    let aging = list_tickets(&db, &query(TicketView::AgingWithoutUpdate), now).unwrap();
    let ids: Vec<String> = aging.rows.iter().map(|row| row.id.to_string()).collect();
    assert!(ids.contains(&mine[0]), "10 days without an update is aging");
    assert!(!ids.contains(&mine[1]), "yesterday's update is recent");
    assert!(aging.rows.iter().all(|row| row.clock.follow_up), "the view is the follow-up flag as a list");
    // With a 30-day rule, neither is aging.
    let settings = get_settings(&db).unwrap();
    save_settings(&db, &fieldkit_core::settings::Settings { follow_up_after_days: 30, ..settings }).unwrap();
    let aging = list_tickets(&db, &query(TicketView::AgingWithoutUpdate), now).unwrap();
    assert!(!aging.rows.iter().any(|row| row.id.to_string() == mine[0]));
}

#[test]
fn workstation_offline_alerts_follow_the_rule_in_settings_as_plain_text() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let open: Vec<String> = db
        .read(|c| {
            c.prepare("SELECT id FROM tickets WHERE completed_at IS NULL ORDER BY row LIMIT 2")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .unwrap();
    db.write(|tx| {
        tx.execute("UPDATE tickets SET title = 'RMM: Workstation offline - FRONTDESK-01' WHERE id = ?1", [&open[0]])?;
        tx.execute("UPDATE tickets SET title = 'Server 100% CPU_load' WHERE id = ?1", [&open[1]])
    })
    .unwrap();
    let offline = list_tickets(&db, &query(TicketView::WorkstationOffline), now).unwrap();
    assert_eq!(offline.rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), vec![open[0].clone()]);
    // A rule with LIKE's wildcards matches them literally, not as patterns.
    let settings = get_settings(&db).unwrap();
    save_settings(
        &db,
        &fieldkit_core::settings::Settings { workstation_offline_rule: "100%".into(), ..settings.clone() },
    )
    .unwrap();
    let offline = list_tickets(&db, &query(TicketView::WorkstationOffline), now).unwrap();
    assert_eq!(offline.rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), vec![open[1].clone()]);
    // No rule, no view.
    save_settings(&db, &fieldkit_core::settings::Settings { workstation_offline_rule: String::new(), ..settings })
        .unwrap();
    assert_eq!(list_tickets(&db, &query(TicketView::WorkstationOffline), now).unwrap().total, 0);
}

#[test]
fn a_call_logged_for_the_office_admin_waits_in_the_outbox_and_the_contacts_open_tickets_come_first() {
    use fieldkit_core::customers::get_customer;
    use fieldkit_core::tickets::{contact_open_tickets, log_call_ticket, CallSource, CallTicketDraft};
    let (_dir, db) = loaded();
    let now = Utc::now();
    let with_contact = list_tickets(&db, &query(TicketView::All), now)
        .unwrap()
        .rows
        .into_iter()
        .find(|row| row.completed_at.is_none() && !row.contact_name.is_empty())
        .expect("an open ticket with a contact");
    let detail = get_ticket(&db, with_contact.id, now).unwrap();
    let contact_id = detail.contact.as_ref().expect("its contact").id;
    let before = contact_open_tickets(&db, contact_id, now).unwrap();
    assert!(before.iter().any(|row| row.id == with_contact.id), "the contact's open ticket is listed");

    let high = list_picklists(&db).unwrap().into_iter().find(|v| v.meaning.as_deref() == Some("high")).unwrap();
    let draft = CallTicketDraft {
        customer_id: Some(with_contact.customer_id),
        contact_id: Some(contact_id),
        title: "Printer on the second floor jams".into(),
        description: "Called at 10:05, jams on every second page.".into(),
        priority: Some(high.value),
        queue: None,
        issue_type: None,
        source: CallSource::Phone,
    };
    let id = log_call_ticket(&db, &draft, now).unwrap();
    let ticket = get_ticket(&db, id, now).unwrap();
    assert_eq!(ticket.summary.title, "Printer on the second floor jams");
    assert_eq!(ticket.summary.priority.value, high.value);
    assert!(ticket.primary_resource_id.is_none(), "waits for triage, unassigned");
    assert!(ticket.secondary_resources.is_empty());
    let pending = list_pending(&db).unwrap();
    let entry = pending.iter().find(|e| e.entity_id == id).expect("its outbox entry");
    assert_eq!((entry.entity.as_str(), entry.operation.as_str()), ("Ticket", "create"));
    let payload: serde_json::Value = serde_json::from_str(&entry.payload).unwrap();
    assert_eq!(payload["source"], 2, "Autotask's Phone source");
    assert_eq!(payload["contact"], contact_id.to_string());
    let after = contact_open_tickets(&db, contact_id, now).unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after[0].id, id, "the newest first");
    let office = list_tickets(&db, &query(TicketView::OfficeAdmin), now).unwrap();
    assert!(office.rows.iter().any(|row| row.id == id), "in the office admin's view");

    // Bad input: field errors, nothing written.
    let other_customer = fieldkit_core::customers::list_customers(&db, &Default::default())
        .unwrap()
        .into_iter()
        .find(|c| c.id != with_contact.customer_id)
        .unwrap();
    assert!(get_customer(&db, other_customer.id).is_ok());
    let bad = CallTicketDraft {
        customer_id: Some(other_customer.id),
        title: "  ".into(),
        priority: Some(999_999),
        ..draft.clone()
    };
    match log_call_ticket(&db, &bad, now) {
        Err(TicketError::Invalid(fields)) => {
            let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
            assert!(names.contains(&"title"), "{names:?}");
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    let bad = CallTicketDraft { customer_id: Some(other_customer.id), priority: Some(999_999), ..draft.clone() };
    match log_call_ticket(&db, &bad, now) {
        Err(TicketError::Invalid(fields)) => {
            let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
            assert!(names.contains(&"contact_id") && names.contains(&"priority"), "{names:?}");
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    let no_customer = CallTicketDraft { customer_id: None, ..draft };
    match log_call_ticket(&db, &no_customer, now) {
        Err(TicketError::Invalid(fields)) => assert_eq!(fields[0].field, "customer_id"),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(list_pending(&db).unwrap().len(), pending.len(), "nothing written by bad input");
}
