//! Help requests to Slack against the webhook stand-in, over real HTTP:
//! the message's shape (text, blocks, the link to the ticket), sent once,
//! paced, `429` + `Retry-After`, Slack's error words, offline then online,
//! and a post interrupted mid-flight shown as "possibly sent", never resent
//! silently.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::team::{
    ask_for_help, get_slack_settings, help_request_draft, list_slack_messages, resend_slack_message,
    save_slack_settings, send_slack_messages, send_slack_test_message, SlackMessage, SlackPace, SlackSettingsDraft,
    TeamError,
};
use fieldkit_core::tickets::{list_tickets, TicketQuery, TicketSort, TicketSummary, TicketView};
use fieldkit_core::vault::Vault;
use fieldkit_core::Db;
use fieldkit_standin::{SlackReply, SlackStandin};

struct Setup {
    dir: tempfile::TempDir,
    db: Arc<Db>,
    vault: Vault,
}

fn setup(webhook: &str, ticket_url_template: &str) -> Setup {
    setup_with(webhook, ticket_url_template, true)
}

/// `sample`: the sample MSP in the cache (else empty, for a first sync).
fn setup_with(webhook: &str, ticket_url_template: &str, sample: bool) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
    if sample {
        load_sample_data(&db, 1, Utc::now()).unwrap();
    }
    let vault = Vault::default();
    vault.set_up(&db, Some("slack stand-in passphrase")).unwrap();
    let draft = SlackSettingsDraft {
        webhook_url: webhook.into(),
        ticket_url_template: ticket_url_template.into(),
        remove_webhook: false,
    };
    save_slack_settings(&db, &vault, &draft).unwrap();
    Setup { dir, db, vault }
}

fn tickets(db: &Db) -> Vec<TicketSummary> {
    tickets_in(db, TicketView::MyTodo)
}

fn tickets_in(db: &Db, view: TicketView) -> Vec<TicketSummary> {
    let query = TicketQuery {
        view,
        sort: TicketSort::Priority,
        customer_id: None,
        priority: None,
        status: None,
        offset: 0,
        limit: 10,
    };
    list_tickets(db, &query, Utc::now()).unwrap().rows
}

fn ask(db: &Db, ticket: &TicketSummary, need: &str) -> SlackMessage {
    let mut draft = help_request_draft(db, ticket.id).unwrap();
    draft.text = draft.text.replace("a second pair of eyes on this one.", need);
    ask_for_help(db, &draft, Utc::now()).unwrap()
}

/// Quick but real: the stand-in's 429s are seconds, so a test waits them.
fn pace(min_interval_ms: u64) -> SlackPace {
    SlackPace {
        min_interval: Duration::from_millis(min_interval_ms),
        max_retry_after: Duration::from_secs(5),
        timeout: Duration::from_secs(5),
    }
}

async fn round(setup: &Setup) -> fieldkit_core::team::SlackSendReport {
    send_slack_messages(&setup.db, &setup.vault, pace(50), Utc::now()).await.unwrap()
}

fn state(db: &Db, message: &SlackMessage) -> SlackMessage {
    list_slack_messages(db, message.ticket_id).unwrap().into_iter().find(|m| m.id == message.id).unwrap()
}

fn outbox_state(db: &Db, message: &SlackMessage) -> (String, Option<String>) {
    db.read(|c| {
        c.query_row(
            "SELECT state, last_error FROM outbox WHERE entity = 'SlackMessage' AND entity_id = ?1",
            [message.id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    })
    .unwrap()
}

#[tokio::test]
async fn a_help_request_reaches_the_channel_once_in_slacks_shape_with_a_link_to_the_ticket() {
    let slack = SlackStandin::start(0).await.unwrap();
    let template =
        "https://ww5.autotask.net/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID={id}";
    let setup = setup(&slack.webhook_url(), template);
    let ticket = &tickets(&setup.db)[0];
    setup.db.write(|tx| tx.execute("UPDATE tickets SET psa_id = 4711 WHERE id = ?1", [ticket.id.to_string()])).unwrap();
    let message = ask(&setup.db, ticket, "someone who knows <Ricoh> & Kyocera drivers.");

    let report = round(&setup).await;
    assert_eq!((report.sent, report.failed, report.waiting, report.possibly_sent), (1, 0, 0, 0));
    let received = slack.received();
    assert_eq!(received.len(), 1);
    let body = &received[0];
    let text = body["text"].as_str().unwrap();
    assert!(text.starts_with("Who is available to help?\n"));
    assert!(text.contains(&ticket.number));
    assert!(text.contains("someone who knows &lt;Ricoh&gt; &amp; Kyocera drivers."), "escaped for Slack: {text}");
    let blocks = body["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "section");
    assert_eq!(blocks[0]["text"]["text"], text);
    let link = blocks[1]["text"]["text"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("<{}|{}", template.replace("{id}", "4711"), ticket.number)),
        "a link to the ticket in the PSA: {link}"
    );

    let sent = state(&setup.db, &message);
    assert_eq!((sent.state.as_str(), sent.attempts), ("sent", 1));
    assert!(sent.sent_at.is_some());
    assert_eq!(outbox_state(&setup.db, &message), ("sent".into(), None));

    // Once: further rounds post nothing.
    round(&setup).await;
    round(&setup).await;
    assert_eq!((slack.posts(), slack.received().len()), (1, 1));
    slack.stop().await;
}

#[tokio::test]
async fn messages_are_paced_and_a_429_is_waited_out_with_its_retry_after() {
    let slack = SlackStandin::start(0).await.unwrap();
    let setup = setup(&slack.webhook_url(), "");
    let tickets = tickets(&setup.db);
    for (n, ticket) in tickets.iter().take(3).enumerate() {
        ask(&setup.db, ticket, &format!("help number {n}"));
    }
    // Slack's limit, about one a second: faster posts get a 429.
    slack.enforce_rate(Duration::from_millis(400));
    let started = std::time::Instant::now();
    let report = send_slack_messages(&setup.db, &setup.vault, pace(450), Utc::now()).await.unwrap();
    assert_eq!(report.sent, 3);
    assert_eq!(slack.posts(), 3, "no post was refused for going too fast");
    let at = slack.accepted_at();
    assert!(at.windows(2).all(|w| w[1] - w[0] >= Duration::from_millis(400)), "{at:?}");
    assert!(started.elapsed() >= Duration::from_millis(900));

    // A 429 with Retry-After: 1 — the round waits a second and sends it then.
    ask(&setup.db, &tickets[3], "after the rate limit");
    slack.reply_next([SlackReply::RateLimited(1)]);
    let started = std::time::Instant::now();
    let report = round(&setup).await;
    assert_eq!((report.sent, report.waiting), (1, 0));
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    assert_eq!(slack.posts(), 5);
    assert_eq!(slack.received().len(), 4);

    // A Retry-After longer than the round waits: the message waits for the next round, with why.
    let waiting = ask(&setup.db, &tickets[4], "after a long wait");
    slack.reply_next([SlackReply::RateLimited(120)]);
    let report = round(&setup).await;
    assert_eq!((report.sent, report.waiting), (0, 1));
    let message = state(&setup.db, &waiting);
    assert_eq!(message.state, "pending");
    assert!(message.last_error.unwrap().contains("wait 120 s"));
    slack.stop().await;
}

#[tokio::test]
async fn slacks_error_words_become_clear_messages_and_nothing_is_lost() {
    let slack = SlackStandin::start(0).await.unwrap();
    let setup = setup(&slack.webhook_url(), "");
    let tickets = tickets(&setup.db);
    let first = ask(&setup.db, &tickets[0], "first");
    let second = ask(&setup.db, &tickets[1], "second");
    let third = ask(&setup.db, &tickets[2], "third");

    // A message Slack cannot read fails alone; the next one goes.
    slack.reply_next([SlackReply::Error(400, "invalid_payload")]);
    let report = round(&setup).await;
    assert_eq!((report.sent, report.failed), (2, 1));
    let failed = state(&setup.db, &first);
    assert_eq!(failed.state, "failed");
    assert!(failed.last_error.as_deref().unwrap().contains("invalid_payload"));
    let (outbox, words) = outbox_state(&setup.db, &first);
    assert_eq!(outbox, "failed");
    assert!(words.unwrap().contains("invalid_payload"));
    assert_eq!(state(&setup.db, &second).state, "sent");
    assert_eq!(state(&setup.db, &third).state, "sent");

    // An archived channel: the webhook is the problem, so the round stops there.
    resend_slack_message(&setup.db, first.id, Utc::now()).unwrap();
    let fourth = ask(&setup.db, &tickets[3], "fourth");
    slack.reply_next([SlackReply::Error(410, "channel_is_archived")]);
    let report = round(&setup).await;
    assert_eq!((report.sent, report.failed, report.waiting), (0, 1, 1));
    let archived = state(&setup.db, &first);
    assert!(archived.last_error.as_deref().unwrap().contains("archived (channel_is_archived)"));
    assert!(archived.last_error.as_deref().unwrap().contains("Settings → Team"));
    assert_eq!(state(&setup.db, &fourth).state, "pending", "not tried against an archived channel");

    // no_text: the stand-in checks the shape — a post without text is refused with Slack's words.
    slack.reply_next([SlackReply::Error(400, "no_text")]);
    let report = round(&setup).await;
    assert_eq!((report.sent, report.failed), (0, 1));
    assert!(state(&setup.db, &fourth).last_error.unwrap().contains("no_text"));
    assert_eq!(slack.received().len(), 2);
    slack.stop().await;
}

#[tokio::test]
async fn an_unknown_webhook_is_404_no_service_and_the_test_message_says_so() {
    let slack = SlackStandin::start(0).await.unwrap();
    let wrong = format!("http://127.0.0.1:{}/services/T0/B0/gonehook", slack.port());
    let setup = setup(&wrong, "");
    let message = ask(&setup.db, &tickets(&setup.db)[0], "anyone?");
    match send_slack_test_message(&setup.db, &setup.vault, Duration::from_secs(5)).await {
        Err(TeamError::Slack(words)) => {
            assert!(words.contains("no_service") && words.contains("Settings → Team"), "{words}");
            assert!(!words.contains("gonehook"), "the webhook URL is never in a message");
        }
        other => panic!("expected Slack's words, got {other:?}"),
    }
    let report = round(&setup).await;
    assert_eq!(report.failed, 1);
    let failed = state(&setup.db, &message);
    assert!(failed.last_error.as_deref().unwrap().contains("no_service"));

    // The right webhook: the test message goes, then the failed message after "send again".
    save_slack_settings(
        &setup.db,
        &setup.vault,
        &SlackSettingsDraft {
            webhook_url: slack.webhook_url(),
            ticket_url_template: String::new(),
            remove_webhook: false,
        },
    )
    .unwrap();
    let answer = send_slack_test_message(&setup.db, &setup.vault, Duration::from_secs(5)).await.unwrap();
    assert!(answer.contains("accepted"));
    resend_slack_message(&setup.db, message.id, Utc::now()).unwrap();
    assert_eq!(round(&setup).await.sent, 1);
    assert_eq!(slack.received().len(), 2);
    slack.stop().await;
}

#[tokio::test]
async fn offline_the_message_waits_and_goes_once_when_slack_can_be_reached() {
    // A port nobody listens on yet.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}{}", fieldkit_standin::SLACK_WEBHOOK_PATH);
    let setup = setup(&url, "");
    let message = ask(&setup.db, &tickets(&setup.db)[0], "when you are back online");
    let report = round(&setup).await;
    assert_eq!((report.sent, report.waiting, report.possibly_sent), (0, 1, 0));
    let waiting = state(&setup.db, &message);
    assert_eq!(waiting.state, "pending");
    assert!(waiting.last_error.as_deref().unwrap().starts_with("Slack could not be reached"));
    assert!(!waiting.last_error.unwrap().contains("standinwebhooksecret"));
    assert_eq!(outbox_state(&setup.db, &message).0, "pending");

    let slack = SlackStandin::start(port).await.unwrap();
    assert_eq!(round(&setup).await.sent, 1);
    round(&setup).await;
    assert_eq!((slack.posts(), slack.received().len()), (1, 1));
    assert_eq!(state(&setup.db, &message).state, "sent");
    slack.stop().await;
}

#[tokio::test]
async fn a_post_interrupted_mid_flight_is_shown_as_possibly_sent_and_never_resent_silently() {
    let slack = SlackStandin::start(0).await.unwrap();
    let setup = setup(&slack.webhook_url(), "");
    let tickets = tickets(&setup.db);
    let message = ask(&setup.db, &tickets[0], "interrupted");
    let other = ask(&setup.db, &tickets[1], "the next one");
    // Slack takes the message; the answer never comes; the app stops
    // (the round is dropped mid-POST, as a killed process leaves it).
    slack.reply_next([SlackReply::Hang]);
    let interrupted = tokio::time::timeout(
        Duration::from_millis(700),
        send_slack_messages(&setup.db, &setup.vault, pace(50), Utc::now()),
    )
    .await;
    assert!(interrupted.is_err(), "the round was stopped during the post");
    assert_eq!(state(&setup.db, &message).state, "sending", "marked sending before the POST, committed");

    // The next start: possibly sent, for the technician to decide; the others go on.
    let report = round(&setup).await;
    assert_eq!((report.possibly_sent, report.sent), (1, 1));
    let shown = state(&setup.db, &message);
    assert_eq!(shown.state, "possibly_sent");
    assert!(shown.last_error.unwrap().contains("may be in the channel"));
    assert_eq!(state(&setup.db, &other).state, "sent");
    assert_eq!(outbox_state(&setup.db, &message).0, "pending", "still counted as waiting");
    round(&setup).await;
    let texts: Vec<String> = slack.received().iter().map(|b| b["text"].as_str().unwrap().to_string()).collect();
    assert_eq!(texts.iter().filter(|t| t.contains("interrupted")).count(), 1, "not resent: {texts:?}");
    assert_eq!(list_slack_messages(&setup.db, None).unwrap().len(), 1, "shown among those needing attention");

    // The technician looked: not in the channel → send again (their choice).
    resend_slack_message(&setup.db, message.id, Utc::now()).unwrap();
    assert_eq!(round(&setup).await.sent, 1);
    assert_eq!(state(&setup.db, &message).state, "sent");
    slack.stop().await;
}

#[tokio::test]
async fn the_webhook_url_is_never_stored_in_the_clear_nor_shown() {
    let slack = SlackStandin::start(0).await.unwrap();
    let setup = setup(&slack.webhook_url(), "");
    ask(&setup.db, &tickets(&setup.db)[0], "is the secret safe?");
    round(&setup).await;
    assert!(get_slack_settings(&setup.db).unwrap().has_webhook);
    for name in ["fieldkit.db", "fieldkit.db-wal"] {
        let path = setup.dir.path().join(name);
        if let Ok(bytes) = std::fs::read(&path) {
            let haystack = String::from_utf8_lossy(&bytes);
            assert!(!haystack.contains("standinwebhooksecret"), "{name} holds the webhook URL");
        }
    }
    slack.stop().await;
}

#[tokio::test]
async fn the_psa_sync_leaves_slack_messages_to_the_webhook() {
    use fieldkit_core::sync::autotask::{Autotask, Endpoint, RetryPolicy};
    use fieldkit_core::sync::{self, SyncProgress};
    use fieldkit_standin::{Seed, Standin};
    let psa = Standin::start(Seed::scaled(1), 0).await.unwrap();
    let setup = setup_with("http://127.0.0.1:9/services/T0/B0/nowhere", "", false);
    let credentials = psa.credentials();
    let connector = Autotask::new(
        Endpoint {
            discovery_url: psa.base_url(),
            api_user: credentials.api_user,
            integration_code: credentials.integration_code,
            secret: zeroize::Zeroizing::new(credentials.secret),
        },
        RetryPolicy { attempts: 3, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(20) },
    )
    .unwrap();
    let me = psa
        .snapshot("Resources")
        .iter()
        .find(|r| r["firstName"] == "Alex" && r["lastName"] == "Morgan")
        .and_then(|r| r["id"].as_i64())
        .unwrap();
    let scope = sync::Scope {
        me,
        queues: vec![29683],
        calls_since: Utc::now() - chrono::Duration::days(30),
        extra_tickets: Vec::new(),
    };
    sync::run_cycle(&setup.db, &connector, &scope, Utc::now(), false, &std::sync::Mutex::new(SyncProgress::default()))
        .await
        .unwrap();
    let ticket = tickets_in(&setup.db, TicketView::All).into_iter().next().expect("tickets after the first sync");
    let message = ask(&setup.db, &ticket, "from a synced ticket");
    let report = sync::run_cycle(
        &setup.db,
        &connector,
        &scope,
        Utc::now(),
        false,
        &std::sync::Mutex::new(SyncProgress::default()),
    )
    .await
    .unwrap();
    assert_eq!((report.pushed, report.failed), (1, 0), "the note went to the PSA, the Slack message did not");
    assert_eq!(state(&setup.db, &message).state, "pending");
    assert_eq!(outbox_state(&setup.db, &message), ("pending".into(), None));
    assert!(psa
        .snapshot("TicketNotes")
        .iter()
        .any(|n| n["description"].as_str().is_some_and(|d| d.starts_with("Asked for help on Slack: "))));
}
