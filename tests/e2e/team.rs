use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fieldkit_e2e::{app_binary, ensure, run, App, TestResult};
use serde_json::Value;

const PASSPHRASE: &str = "correct horse battery staple";
const WEBHOOK_PATH: &str = "/services/T0FIELDKIT/B0STANDIN/standinwebhooksecret";

fn free_port() -> TestResult<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The Slack webhook stand-in, as its own process.
fn start_slack(port: u16) -> TestResult<Child> {
    let binary = app_binary().with_file_name("fieldkit-slack-standin");
    ensure(binary.exists(), format!("{} is missing: cargo build -p fieldkit-standin", binary.display()))?;
    Ok(Command::new(binary).args(["--port", &port.to_string()]).stdout(Stdio::null()).spawn()?)
}

/// The messages in the stand-in's channel (empty while it does not answer).
fn received(port: u16) -> Vec<Value> {
    let ask = || -> TestResult<Vec<Value>> {
        let mut stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        write!(stream, "GET /_slack/received HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        let body = answer.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
        Ok(serde_json::from_str::<Value>(body)?.as_array().cloned().unwrap_or_default())
    };
    ask().unwrap_or_default()
}

async fn open_first_ticket(app: &App) -> TestResult<String> {
    app.click("nav-tickets").await?;
    app.click("view-my_todo").await?;
    let first = app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?;
    let number = first.attr("data-testid").await?.unwrap_or_default().trim_start_matches("ticket-row-").to_string();
    first.click().await?;
    app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{number}']")).await?;
    Ok(number)
}

#[test]
fn asking_for_help_offline_reaches_slack_once_then_escalate_ask_the_meeting_and_hand_off() {
    let port = free_port().expect("a free port");
    let mut slack: Option<Child> = None;
    run(
        "team",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;

            // The team's webhook, sealed by the vault (set up on the way).
            app.click("nav-settings").await?;
            app.type_into("slack-webhook-url", &format!("http://127.0.0.1:{port}{WEBHOOK_PATH}")).await?;
            app.click("slack-save").await?;
            app.testid("vault-dialog").await?;
            app.type_into("vault-passphrase", PASSPHRASE).await?;
            app.type_into("vault-passphrase-confirm", PASSPHRASE).await?;
            app.click("vault-set-passphrase").await?;
            app.testid("slack-saved").await?;

            // Ask for help on a ticket while Slack cannot be reached: it waits.
            let number = open_first_ticket(app).await?;
            app.click("ask-for-help").await?;
            app.testid("ask-for-help-dialog").await?;
            let prefilled = app.testid("ask-for-help-text").await?.prop("value").await?.unwrap_or_default();
            ensure(prefilled.contains(&number), format!("the message names the ticket: {prefilled:?}"))?;
            app.click("ask-for-help-send").await?;
            app.testid("ask-for-help-queued").await?;
            app.eventually("the internal note on the ticket", async || {
                let notes = app.texts_of_all("ticket-note").await?;
                Ok(notes.iter().any(|n| n.contains("Asked for help on Slack:")).then_some(()))
            })
            .await?;
            tokio::time::sleep(Duration::from_secs(3)).await;
            ensure(app.text_of("slack-message-state").await? == "Waiting to be sent", "waiting while offline")?;

            // Slack comes back: the message arrives, once.
            slack = Some(start_slack(port)?);
            let started = std::time::Instant::now();
            while received(port).is_empty() {
                ensure(started.elapsed() < Duration::from_secs(60), "the message reached Slack within a minute")?;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            tokio::time::sleep(Duration::from_secs(3)).await;
            let messages = received(port);
            ensure(messages.len() == 1, format!("once: {} messages", messages.len()))?;
            ensure(
                messages[0]["text"].as_str().is_some_and(|t| t.contains(&number)) && messages[0]["blocks"].is_array(),
                format!("Slack's shape: {}", messages[0]),
            )?;

            // Escalate to the senior technician: the primary changes.
            let before = app.text_of("ticket-primary").await?;
            app.click("ticket-escalate").await?;
            app.testid("ticket-escalate-form").await?;
            app.type_into("ticket-escalate-reason", "Needs domain admin rights").await?;
            app.click("ticket-escalate-send").await?;
            app.eventually("a new primary resource", async || {
                let now = app.text_of("ticket-primary").await?;
                Ok((now != before).then_some(()))
            })
            .await?;

            // A question for the weekly meeting.
            app.click("meeting-question-add").await?;
            app.type_into("meeting-question-text", "Should this customer move to the MSA?").await?;
            app.click("meeting-question-save").await?;
            app.testid("meeting-question-added").await?;

            // The handoff note names the ticket and is posted on it.
            app.click("nav-time").await?;
            app.click("handoff-open").await?;
            app.eventually("the handoff note", async || {
                let note = app.testid("handoff-note").await?.prop("value").await?.unwrap_or_default();
                Ok(note.contains(&number).then_some(()))
            })
            .await?;
            app.click("handoff-ticket").await?;
            app.click("handoff-post").await?;
            app.testid("handoff-done").await?;
            Ok(())
        },
    );
    if let Some(mut slack) = slack.take() {
        let _ = slack.kill();
        let _ = slack.wait();
    }
}
