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
