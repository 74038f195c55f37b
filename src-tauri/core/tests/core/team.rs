use chrono::Utc;
use fieldkit_core::outbox::list_pending;
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::team::{
    ask_for_help, discard_slack_message, help_request_draft, list_slack_messages, resend_slack_message,
    HelpRequestDraft, TeamError,
};
use fieldkit_core::tickets::{get_ticket, list_tickets, TicketQuery, TicketSort, TicketView};
use fieldkit_core::Db;
use uuid::Uuid;

fn loaded() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("fieldkit.db")).unwrap();
    load_sample_data(&db, 1, Utc::now()).unwrap();
    (dir, db)
}

fn a_ticket(db: &Db) -> fieldkit_core::tickets::TicketSummary {
    let query = TicketQuery {
        view: TicketView::MyTodo,
        sort: TicketSort::Priority,
        customer_id: None,
        priority: None,
        status: None,
        offset: 0,
        limit: 1,
    };
    list_tickets(db, &query, Utc::now()).unwrap().rows.remove(0)
}

#[test]
fn the_help_request_is_prefilled_in_the_seeds_shape() {
    let (_dir, db) = loaded();
    let ticket = a_ticket(&db);
    let draft = help_request_draft(&db, ticket.id).unwrap();
    let lines: Vec<&str> = draft.text.lines().collect();
    assert_eq!(lines[0], "Who is available to help?");
    assert_eq!(lines[1], format!("{} — {}", ticket.number, ticket.title));
    assert_eq!(lines[2], format!("Customer: {}", ticket.customer_name));
    assert!(lines[3].starts_with("Need: "));
    assert!(matches!(help_request_draft(&db, Uuid::new_v4()), Err(TeamError::TicketNotFound)));
}

#[test]
fn asking_for_help_writes_the_message_the_note_and_both_outbox_entries() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let ticket = a_ticket(&db);
    let text =
        format!("Who is available to help?\n{} — printer\nNeed: someone who knows the Ricoh driver.", ticket.number);
    let message = ask_for_help(&db, &HelpRequestDraft { ticket_id: ticket.id, text: text.clone() }, now).unwrap();
    assert_eq!((message.state.as_str(), message.kind.as_str()), ("pending", "help_request"));
    assert_eq!(message.ticket_id, Some(ticket.id));
    assert_eq!(message.text, text);

    let outbox = list_pending(&db).unwrap();
    let entities: Vec<&str> = outbox.iter().map(|e| e.entity.as_str()).collect();
    assert_eq!(entities, ["SlackMessage", "TicketNote"]);
    assert_eq!(outbox[0].entity_id, message.id);
    assert!(outbox[0].payload.contains("Ricoh driver"));
    assert!(!outbox[0].payload.contains("hooks.slack.com"));
    assert!(outbox[1].payload.contains("Asked for help on Slack: Who is available to help?"));
    assert!(outbox[1].payload.contains("\"publish\":2"), "an internal note");

    let detail = get_ticket(&db, ticket.id, now).unwrap();
    let note = detail.notes.iter().find(|n| n.body.starts_with("Asked for help on Slack: ")).unwrap();
    assert!(!note.is_customer_visible);
    assert_eq!(list_slack_messages(&db, Some(ticket.id)).unwrap(), vec![message.clone()]);
    assert_eq!(list_slack_messages(&db, None).unwrap().len(), 1);

    // Waiting messages are discarded, not resent: resend is for failed or possibly sent ones.
    assert!(matches!(resend_slack_message(&db, message.id, now), Err(TeamError::NotPossible(_))));
    let discarded = discard_slack_message(&db, message.id, now).unwrap();
    assert_eq!(discarded.state, "discarded");
    assert_eq!(list_pending(&db).unwrap().len(), 1, "the Slack entry left the queue; the note stays");
    assert!(list_slack_messages(&db, None).unwrap().is_empty());
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let (_dir, db) = loaded();
    let now = Utc::now();
    let ticket = a_ticket(&db);
    let too_long = "x".repeat(2_001);
    for text in ["", "   \n ", too_long.as_str()] {
        match ask_for_help(&db, &HelpRequestDraft { ticket_id: ticket.id, text: text.into() }, now) {
            Err(TeamError::Invalid(fields)) => assert_eq!(fields[0].field, "text"),
            other => panic!("expected a field message, got {other:?}"),
        }
    }
    let gone = HelpRequestDraft { ticket_id: Uuid::new_v4(), text: "Who is available?".into() };
    assert!(matches!(ask_for_help(&db, &gone, now), Err(TeamError::TicketNotFound)));
    assert!(list_pending(&db).unwrap().is_empty());
    assert!(list_slack_messages(&db, None).unwrap().is_empty());
}

#[test]
fn escalating_makes_the_senior_primary_keeps_the_previous_as_secondary_and_notes_why() {
    use fieldkit_core::team::{escalate_ticket, list_assignees, EscalationDraft};
    let (_dir, db) = loaded();
    let now = Utc::now();
    let ticket = a_ticket(&db);
    let before = get_ticket(&db, ticket.id, now).unwrap();
    let people = list_assignees(&db).unwrap();
    let senior = people.iter().find(|p| p.role == "senior_technician").expect("a senior technician in the sample");
    assert_eq!(people[0].role, "senior_technician", "offered first");
    let technician = people.iter().find(|p| p.role == "technician").unwrap();

    // Only a senior technician, and a reason: refused with field messages, nothing written.
    for (to, reason, field) in [(technician.id, "why", "to_resource_id"), (senior.id, "  ", "reason")] {
        let draft = EscalationDraft { ticket_id: ticket.id, to_resource_id: to.to_string(), reason: reason.into() };
        match escalate_ticket(&db, &draft, now) {
            Err(TeamError::Invalid(fields)) => assert_eq!(fields[0].field, field),
            other => panic!("expected a field message, got {other:?}"),
        }
    }
    assert!(list_pending(&db).unwrap().is_empty());

    let draft = EscalationDraft {
        ticket_id: ticket.id,
        to_resource_id: senior.id.to_string(),
        reason: "Needs domain admin rights".into(),
    };
    escalate_ticket(&db, &draft, now).unwrap();
    let after = get_ticket(&db, ticket.id, now).unwrap();
    assert_eq!(after.summary.primary_resource_name, senior.name);
    assert!(after.secondary_resources.iter().any(|p| p.name == before.summary.primary_resource_name));
    let note = after.notes.iter().find(|n| n.body.starts_with("Escalated to ")).unwrap();
    assert_eq!(note.body, format!("Escalated to {}: Needs domain admin rights", senior.name));
    assert!(!note.is_customer_visible);
    let entities: Vec<(String, String)> =
        list_pending(&db).unwrap().into_iter().map(|e| (e.entity, e.operation)).collect();
    assert_eq!(
        entities,
        [
            ("Ticket".to_string(), "update".to_string()),
            ("TicketSecondaryResource".into(), "create".into()),
            ("TicketNote".into(), "create".into())
        ]
    );
    // Escalating again to the same person says so.
    assert!(matches!(escalate_ticket(&db, &draft, now), Err(TeamError::NotPossible(_))));
}

#[test]
fn reassignment_priority_and_queue_changes_are_written_with_their_outbox_entries() {
    use fieldkit_core::team::{change_priority, change_queue, list_assignees, reassign_ticket};
    let (_dir, db) = loaded();
    let now = Utc::now();
    let ticket = a_ticket(&db);
    let before = get_ticket(&db, ticket.id, now).unwrap();
    let someone = list_assignees(&db)
        .unwrap()
        .into_iter()
        .find(|p| p.name != before.summary.primary_resource_name && p.role == "technician")
        .unwrap();
    reassign_ticket(&db, ticket.id, &someone.id.to_string(), now).unwrap();
    let priority = if before.summary.priority.value == 1 { 2 } else { 1 };
    change_priority(&db, ticket.id, priority, now).unwrap();
    change_queue(&db, ticket.id, 29685, now).unwrap();
    let after = get_ticket(&db, ticket.id, now).unwrap();
    assert_eq!(after.summary.primary_resource_name, someone.name);
    assert_eq!(after.summary.priority.value, priority);
    assert_eq!(after.queue.as_ref().map(|q| q.value), Some(29685));
    let payloads: Vec<String> = list_pending(&db).unwrap().into_iter().map(|e| e.payload).collect();
    assert_eq!(payloads.len(), 3);
    assert!(payloads[0].contains("assignedResource"));
    assert!(payloads[1].contains(&format!("\"priority\":{priority}")));
    assert!(payloads[2].contains("\"queueID\":29685"));
    // Values not in the lists, and people not in the team, are refused; nothing more is written.
    assert!(matches!(change_priority(&db, ticket.id, 999, now), Err(TeamError::Invalid(_))));
    assert!(matches!(change_queue(&db, ticket.id, 999, now), Err(TeamError::Invalid(_))));
    assert!(matches!(reassign_ticket(&db, ticket.id, "nobody", now), Err(TeamError::Invalid(_))));
    assert!(matches!(change_queue(&db, Uuid::new_v4(), 29685, now), Err(TeamError::TicketNotFound)));
    assert_eq!(list_pending(&db).unwrap().len(), 3);
}

#[test]
fn weekly_meeting_questions_are_kept_per_week_answered_and_exported_as_markdown() {
    use fieldkit_core::team::{
        add_meeting_question, answer_meeting_question, export_meeting_questions, list_meeting_questions,
        MeetingQuestionDraft,
    };
    let (dir, db) = loaded();
    let ticket = a_ticket(&db);
    // A Wednesday and the next Monday (UTC unless the sample's zone moves them a day).
    let wednesday: chrono::DateTime<Utc> = "2026-11-25T12:00:00Z".parse().unwrap();
    let next_monday: chrono::DateTime<Utc> = "2026-11-30T12:00:00Z".parse().unwrap();
    let draft = |question: &str| MeetingQuestionDraft {
        subject_kind: "ticket".into(),
        subject_id: Some(ticket.id),
        question: question.into(),
    };
    let first = add_meeting_question(&db, &draft("Should we replace the <b>switch</b>?"), wednesday).unwrap();
    assert_eq!(first.week.to_string(), "2026-11-23");
    assert_eq!(first.subject_label, format!("{} — {}", ticket.number, ticket.title));
    let second = add_meeting_question(&db, &draft("Who owns the backup checks?"), wednesday).unwrap();
    let later = add_meeting_question(&db, &draft("Next week's question"), next_monday).unwrap();
    assert_eq!(later.week.to_string(), "2026-11-30");

    // Bad input: nothing written.
    for (text, kind) in [("", "ticket"), ("two\nlines", "ticket"), ("about what?", "invoice")] {
        let bad =
            MeetingQuestionDraft { subject_kind: kind.into(), subject_id: Some(ticket.id), question: text.into() };
        assert!(matches!(add_meeting_question(&db, &bad, wednesday), Err(TeamError::Invalid(_))), "{text:?} {kind}");
    }
    let gone =
        MeetingQuestionDraft { subject_kind: "ticket".into(), subject_id: Some(Uuid::new_v4()), question: "x".into() };
    assert!(matches!(add_meeting_question(&db, &gone, wednesday), Err(TeamError::NotPossible(_))));
    assert!(matches!(answer_meeting_question(&db, first.id, "  ", wednesday), Err(TeamError::Invalid(_))));

    let answered = answer_meeting_question(&db, second.id, "The office admin, from December.", next_monday).unwrap();
    assert_eq!(answered.answer.as_deref(), Some("The office admin, from December."));
    let all = list_meeting_questions(&db).unwrap();
    assert_eq!(all.iter().map(|q| q.id).collect::<Vec<_>>(), [later.id, first.id, second.id], "newest week first");

    let exports = dir.path().join("exports");
    let exported = export_meeting_questions(&db, &exports, first.week).unwrap();
    assert!(exported.path.ends_with("weekly-questions-2026-11-23.md"));
    let text = std::fs::read_to_string(&exported.path).unwrap();
    assert!(text.starts_with("# Questions for the weekly meeting — week of 2026-11-23\n"));
    assert!(text.contains("- [ ] Should we replace the &lt;b&gt;switch&lt;/b&gt;?"), "{text}");
    assert!(text.contains("- [x] Who owns the backup checks?"));
    assert!(text.contains("  - Answer: The office admin, from December."));
    assert!(!text.contains("Next week's question"), "only that week");
}

#[test]
fn the_handoff_lists_my_day_and_posts_its_note_to_tickets_and_slack_in_one_go() {
    use fieldkit_core::team::{export_handoff, handoff_overview, post_handoff, HandoffDraft};
    use fieldkit_core::tickets::{add_note, NoteDraft};
    let (dir, db) = loaded();
    let now = Utc::now();
    let ticket = a_ticket(&db);
    add_note(
        &db,
        &NoteDraft {
            ticket_id: ticket.id,
            body: "Swapped the PSU;\nwaiting for parts".into(),
            is_customer_visible: false,
        },
        now,
    )
    .unwrap();
    let overview = handoff_overview(&db, now).unwrap();
    let touched = overview.tickets.iter().find(|t| t.id == ticket.id).expect("the ticket I noted today");
    assert_eq!(touched.last_note, "Swapped the PSU; waiting for parts");
    assert!(overview.unsent.iter().any(|s| s.contains(&ticket.number)), "the unsent note is listed");
    assert!(overview.note.starts_with("Handoff\n"));
    assert!(overview.note.contains(&format!("- {} — ", ticket.number)));
    assert!(overview.note.contains("Not yet sent to the PSA:"));

    // Nowhere to post: refused, nothing written.
    let before = list_pending(&db).unwrap().len();
    let nowhere = HandoffDraft { note: overview.note.clone(), ticket_ids: vec![], to_slack: false };
    assert!(matches!(post_handoff(&db, &nowhere, now), Err(TeamError::Invalid(_))));
    assert_eq!(list_pending(&db).unwrap().len(), before);

    let draft = HandoffDraft { note: overview.note.clone(), ticket_ids: vec![ticket.id], to_slack: true };
    assert_eq!(post_handoff(&db, &draft, now).unwrap(), 2);
    let pending = list_pending(&db).unwrap();
    let added: Vec<&str> = pending[before..].iter().map(|e| e.entity.as_str()).collect();
    assert_eq!(added, ["TicketNote", "SlackMessage"]);
    let slack = list_slack_messages(&db, None).unwrap();
    assert_eq!((slack[0].kind.as_str(), slack[0].text.as_str()), ("handoff", overview.note.trim()));
    let detail = get_ticket(&db, ticket.id, now).unwrap();
    assert!(detail.notes.iter().any(|n| n.body.starts_with("Handoff") && !n.is_customer_visible));

    let exported = export_handoff(&dir.path().join("exports"), &overview.note, now).unwrap();
    let text = std::fs::read_to_string(&exported.path).unwrap();
    assert!(text.starts_with("# Shift handoff — "));
    assert!(text.contains("Tickets I worked on today:"));
}
