use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fieldkit_e2e::{app_binary, ensure, run, App, TestResult};
use serde_json::{json, Value};

use crate::time::save_entry;

const PASSPHRASE: &str = "correct horse battery staple";
const NOTE: &str = "Replaced the toner while the PSA was unreachable";

/// The stand-in, started as a technician's demo would start it.
struct StandIn {
    child: Child,
    port: u16,
}

impl StandIn {
    fn start(port: u16) -> TestResult<StandIn> {
        let binary = app_binary().with_file_name("fieldkit-standin");
        ensure(binary.exists(), format!("{} is missing: cargo build -p fieldkit-standin", binary.display()))?;
        let mut child = Command::new(binary)
            .args(["--port", &port.to_string(), "--latency-ms", "120"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        match lines.next() {
            Some(Ok(line)) if line.contains("stand-in at") => {}
            other => return Err(format!("the stand-in did not start: {other:?}").into()),
        }
        // Keep reading its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(StandIn { child, port })
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// One HTTP request to the stand-in, as the PSA's own users would make it.
    fn call(&self, method: &str, path: &str, body: &Value) -> TestResult<Value> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(20)))?;
        let body = body.to_string();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nApiIntegrationCode: FIELDKITSTANDIN\r\nUserName: fieldkit-api@example.com\r\n\
             Secret: standin-secret\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut answer = String::new();
        let mut reader = BufReader::new(stream);
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            if line.trim().is_empty() {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse()?;
            }
        }
        let mut bytes = vec![0; length];
        reader.read_exact(&mut bytes)?;
        answer.push_str(&String::from_utf8_lossy(&bytes));
        Ok(serde_json::from_str(&answer)?)
    }

    fn query(&self, entity: &str, filter: Value) -> TestResult<Vec<Value>> {
        let page = self.call("POST", &format!("/atservicesrest/V1.0/{entity}/query"), &json!({ "filter": filter }))?;
        Ok(page["items"].as_array().cloned().unwrap_or_default())
    }
}

fn free_port() -> TestResult<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn wait_synced(app: &App) -> TestResult {
    app.eventually("a complete sync", async || {
        let text = app.text_of("sync-summary").await.unwrap_or_default();
        Ok((text.starts_with("Synced") && !text.contains("Syncing")).then_some(()))
    })
    .await
}

#[test]
fn the_app_syncs_with_the_psa_and_offline_work_arrives_once() {
    let port = free_port().expect("a free port");
    let mut standin = Some(StandIn::start(port).expect("the stand-in"));
    run(
        "sync",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("start-empty").await?;
            // Configure the connection (the stand-in's first resource is Alex Morgan).
            app.click("sync-status").await?;
            app.testid("sync-settings").await?;
            app.type_into("sync-url", &format!("http://127.0.0.1:{port}")).await?;
            app.type_into("sync-api-user", "fieldkit-api@example.com").await?;
            app.type_into("sync-integration-code", "FIELDKITSTANDIN").await?;
            app.type_into("sync-secret", "standin-secret").await?;
            app.type_into("sync-resource-id", "29682885").await?;
            app.click("sync-save").await?;
            app.testid("vault-dialog").await?;
            app.type_into("vault-passphrase", PASSPHRASE).await?;
            app.type_into("vault-passphrase-confirm", PASSPHRASE).await?;
            app.click("vault-set-passphrase").await?;

            // The first sync shows its progress, then the views fill.
            app.eventually("the first sync's progress", async || {
                let kinds = app.texts_of_all("sync-progress-kind").await?;
                Ok((!kinds.is_empty()).then_some(()))
            })
            .await?;
            app.keep_screenshot("sync-progress").await;
            wait_synced(app).await?;
            ensure(app.texts_of_all("sync-settings-error").await?.is_empty(), "the settings saved")?;
            app.click("nav-tickets").await?;
            app.click("view-my_todo").await?;
            let first = app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?;
            let number =
                first.attr("data-testid").await?.unwrap_or_default().trim_start_matches("ticket-row-").to_string();

            // Offline: the PSA is gone; a note and a time entry wait in the outbox.
            standin.take().expect("running").stop();
            first.click().await?;
            app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{number}']")).await?;
            app.type_into("note-body", NOTE).await?;
            app.click("note-save").await?;
            app.eventually("the note in the timeline", async || {
                Ok(app.texts_of_all("ticket-note").await?.iter().any(|n| n.contains(NOTE)).then_some(()))
            })
            .await?;
            app.click("ticket-time-enter").await?;
            app.testid("time-entry-form").await?;
            app.type_into("time-summary", "Toner replaced; test page printed.").await?;
            save_entry(app).await?;
            app.click("sync-status").await?;
            app.click("sync-now").await?;
            app.eventually("the changes waiting", async || {
                let rows = app.texts_of_all("sync-pending-row").await?;
                Ok((rows.len() >= 2 && rows.iter().any(|r| r.contains("TimeEntry"))).then_some(()))
            })
            .await?;
            app.eventually("the status to say offline", async || {
                Ok(app.text_of("sync-status-text").await?.starts_with("Offline").then_some(()))
            })
            .await?;
            app.keep_screenshot("sync-offline").await;

            // The PSA is back: they arrive, once.
            let back = StandIn::start(port)?;
            app.click("sync-now").await?;
            app.testid("sync-pending-empty").await?;
            // That cycle is over before the ticket changes here (a cycle that
            // pulled before the PSA's change would send mine over it).
            wait_synced(app).await?;
            let notes = back.query("TicketNotes", json!([{ "op": "eq", "field": "description", "value": NOTE }]))?;
            ensure(notes.len() == 1, format!("the note arrived {} times", notes.len()))?;
            let times = back.query(
                "TimeEntries",
                json!([{ "op": "eq", "field": "summaryNotes", "value": "Toner replaced; test page printed." }]),
            )?;
            ensure(times.len() == 1, format!("the time entry arrived {} times", times.len()))?;
            let ticket_id = notes[0]["ticketID"].as_i64().ok_or("note without ticket")?;

            // The same ticket changed here and in the PSA: the app asks.
            app.click("nav-tickets").await?;
            app.click(&format!("ticket-row-{number}")).await?;
            app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{number}']")).await?;
            app.choose("ticket-status-select", "Waiting Customer").await?;
            app.click("ticket-status-apply").await?;
            app.wait_for_texts("ticket-status", &["Waiting Customer"]).await?;
            back.call("PATCH", "/_standin/Tickets", &json!({ "id": ticket_id, "status": 10 }))?;
            app.click("sync-status").await?;
            app.click("sync-now").await?;
            app.testid("sync-conflict").await?;
            let mine = app.text_of("sync-conflict-mine").await?;
            let theirs = app.text_of("sync-conflict-theirs").await?;
            ensure(mine == "Waiting Customer" && theirs == "Scheduled", format!("conflict {mine} / {theirs}"))?;
            app.keep_screenshot("sync-conflict").await;
            app.click("sync-keep-mine").await?;
            app.eventually("my status in the PSA", async || {
                let ticket = back.query("Tickets", json!([{ "op": "eq", "field": "id", "value": ticket_id }]))?;
                Ok((ticket.first().and_then(|t| t["status"].as_i64()) == Some(7)).then_some(()))
            })
            .await?;
            ensure(app.texts_of_all("sync-conflict").await?.is_empty(), "the conflict is resolved")?;

            // The same cycle without a window: `fieldkit sync --once`.
            let cli = Command::new(app_binary())
                .args(["sync", "--once"])
                .env("FIELDKIT_DATA_DIR", app.data_dir())
                .env("FIELDKIT_VAULT_PASSPHRASE", PASSPHRASE)
                .output()?;
            let said = String::from_utf8_lossy(&cli.stdout).to_string();
            ensure(
                cli.status.code() == Some(0) && said.starts_with("Synced in"),
                format!("fieldkit sync --once: {said} {}", String::from_utf8_lossy(&cli.stderr)),
            )?;
            back.stop();
            Ok(())
        },
    );
    if let Some(standin) = standin {
        standin.stop();
    }
}
