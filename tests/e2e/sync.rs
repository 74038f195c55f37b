use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fieldkit_e2e::desktop_notifications::NotificationServer;
use fieldkit_e2e::{app_binary, ensure, run, App, TestResult};
use serde_json::{json, Value};

use crate::time::save_entry;

const PASSPHRASE: &str = "correct horse battery staple";
const NOTE: &str = "Replaced the toner while the PSA was unreachable";
const SUMMARY: &str = "Toner replaced; test page printed.";

/// Which PSA the journey runs against: its stand-in, the connection form
/// filled as a technician would, and the checks made through the PSA's own API.
#[derive(Clone, Copy, PartialEq)]
enum Psa {
    Autotask,
    Halo,
}

/// The Halo stand-in's client credentials (`fieldkit_standin::halo`).
const HALO_CLIENT_ID: &str = "fieldkit-standin";
const HALO_CLIENT_SECRET: &str = "halo-standin-secret";
/// Alex Morgan, the stand-ins' first resource (Halo's agents keep the ids).
const ME: &str = "29682885";

/// The stand-in, started as a technician's demo would start it.
struct StandIn {
    child: Child,
    port: u16,
    psa: Psa,
}

impl StandIn {
    fn start(psa: Psa, port: u16) -> TestResult<StandIn> {
        let binary = app_binary().with_file_name("fieldkit-standin");
        ensure(binary.exists(), format!("{} is missing: cargo build -p fieldkit-standin", binary.display()))?;
        let name = match psa {
            Psa::Autotask => "autotask",
            Psa::Halo => "halo",
        };
        let mut child = Command::new(binary)
            .args(["--psa", name, "--port", &port.to_string(), "--latency-ms", "120"])
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
        Ok(StandIn { child, port, psa })
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// One HTTP request to the stand-in: its status and body.
    fn send(&self, method: &str, path: &str, headers: &str, body: &str) -> TestResult<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(20)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut reader = BufReader::new(stream);
        let mut status_line = String::new();
        reader.read_line(&mut status_line)?;
        let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
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
        Ok((status, String::from_utf8_lossy(&bytes).to_string()))
    }

    /// One JSON request to the stand-in, as the PSA's own users would make it
    /// (Autotask's headers; Halo's bearer token), or to its `/_standin/` controls.
    fn call(&self, method: &str, path: &str, body: &Value) -> TestResult<Value> {
        let headers = match self.psa {
            Psa::Autotask => "ApiIntegrationCode: FIELDKITSTANDIN\r\nUserName: fieldkit-api@example.com\r\n\
                              Secret: standin-secret\r\nContent-Type: application/json\r\n"
                .to_string(),
            Psa::Halo if path.starts_with("/api/") => {
                format!("Authorization: Bearer {}\r\nContent-Type: application/json\r\n", self.halo_token()?)
            }
            Psa::Halo => "Content-Type: application/json\r\n".to_string(),
        };
        let body = if body.is_null() { String::new() } else { body.to_string() };
        let (status, answer) = self.send(method, path, &headers, &body)?;
        ensure((200..300).contains(&status), format!("{method} {path}: {status} {answer}"))?;
        Ok(serde_json::from_str(&answer)?)
    }

    /// A token from Halo's OAuth endpoint (client credentials).
    fn halo_token(&self) -> TestResult<String> {
        let form = format!(
            "grant_type=client_credentials&client_id={HALO_CLIENT_ID}&client_secret={HALO_CLIENT_SECRET}&scope=all"
        );
        let (status, answer) =
            self.send("POST", "/auth/token", "Content-Type: application/x-www-form-urlencoded\r\n", &form)?;
        ensure(status == 200, format!("the Halo token: {status} {answer}"))?;
        let token: Value = serde_json::from_str(&answer)?;
        Ok(token["access_token"].as_str().ok_or("no access_token")?.to_string())
    }

    fn query(&self, entity: &str, filter: Value) -> TestResult<Vec<Value>> {
        let page = self.call("POST", &format!("/atservicesrest/V1.0/{entity}/query"), &json!({ "filter": filter }))?;
        Ok(page["items"].as_array().cloned().unwrap_or_default())
    }

    /// A ticket's actions, read through Halo's API (Halo lists them per ticket).
    fn halo_actions(&self, ticket: i64) -> TestResult<Vec<Value>> {
        let page = self.call("GET", &format!("/api/Actions?ticket_id={ticket}"), &Value::Null)?;
        Ok(page["actions"].as_array().cloned().unwrap_or_default())
    }

    /// How many times the offline note and time entry arrived, and on which
    /// ticket (by the number the app showed; in Halo it is the ticket's id).
    fn arrivals(&self, number: &str) -> TestResult<(usize, usize, i64)> {
        match self.psa {
            Psa::Autotask => {
                let notes =
                    self.query("TicketNotes", json!([{ "op": "eq", "field": "description", "value": NOTE }]))?;
                let times =
                    self.query("TimeEntries", json!([{ "op": "eq", "field": "summaryNotes", "value": SUMMARY }]))?;
                let ticket =
                    notes.first().and_then(|n| n["ticketID"].as_i64()).ok_or("no note, or one without ticket")?;
                Ok((notes.len(), times.len(), ticket))
            }
            Psa::Halo => {
                let ticket: i64 = number.parse()?;
                let actions = self.halo_actions(ticket)?;
                let text = |a: &Value| a["note"].as_str().unwrap_or_default().to_string();
                let hours = |a: &Value| a["timetaken"].as_f64().unwrap_or(0.0);
                let notes = actions.iter().filter(|a| text(a).ends_with(NOTE) && hours(a) == 0.0).count();
                let times = actions.iter().filter(|a| text(a).starts_with(SUMMARY) && hours(a) > 0.0).count();
                // Nowhere else either.
                let everywhere = self.call("GET", "/_standin/Actions", &Value::Null)?;
                let anywhere = everywhere
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|a| text(a).contains(NOTE) || text(a).contains(SUMMARY))
                    .count();
                ensure(anywhere == notes + times, format!("{anywhere} actions carry the note or the entry"))?;
                Ok((notes, times, ticket))
            }
        }
    }

    /// The PSA answers at once from now on: a cycle then takes well under a
    /// second, so none is still between its pull and its push when the
    /// ticket changes on both sides (that window is a known limit, see the
    /// closing note of the trust issue).
    fn answer_at_once(&self) -> TestResult {
        self.call("POST", "/_standin/faults", &json!({ "latencyMs": 0, "rate": 0.0, "kinds": [], "seed": 1 }))?;
        Ok(())
    }

    /// Sets a ticket's status in the PSA, as its own users would.
    fn change_status(&self, ticket: i64, status: i64) -> TestResult {
        let field = match self.psa {
            Psa::Autotask => "status",
            Psa::Halo => "status_id",
        };
        self.call("PATCH", "/_standin/Tickets", &json!({ "id": ticket, field: status }))?;
        Ok(())
    }

    /// A ticket's status in the PSA, read through its API.
    fn status_of(&self, ticket: i64) -> TestResult<Option<i64>> {
        Ok(match self.psa {
            Psa::Autotask => self
                .query("Tickets", json!([{ "op": "eq", "field": "id", "value": ticket }]))?
                .first()
                .and_then(|t| t["status"].as_i64()),
            Psa::Halo => self.call("GET", &format!("/api/Tickets/{ticket}"), &Value::Null)?["status_id"].as_i64(),
        })
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
    journey(Psa::Autotask, "sync");
}

#[test]
fn the_app_syncs_with_halopsa_and_offline_work_arrives_once() {
    journey(Psa::Halo, "sync-halo");
}

/// Fills the connection form as a technician would for this PSA.
async fn configure(app: &App, psa: Psa, port: u16) -> TestResult {
    if psa == Psa::Halo {
        app.choose("sync-psa", "HaloPSA").await?;
        // The form turns to Halo's fields (a tenant instead of an integration code).
        app.testid("sync-tenant").await?;
    }
    app.type_into("sync-url", &format!("http://127.0.0.1:{port}")).await?;
    match psa {
        Psa::Autotask => {
            app.type_into("sync-api-user", "fieldkit-api@example.com").await?;
            app.type_into("sync-integration-code", "FIELDKITSTANDIN").await?;
            app.type_into("sync-secret", "standin-secret").await?;
        }
        Psa::Halo => {
            // No tenant: a self-hosted Halo (the token endpoint without `?tenant=`).
            app.type_into("sync-api-user", HALO_CLIENT_ID).await?;
            app.type_into("sync-secret", HALO_CLIENT_SECRET).await?;
        }
    }
    app.type_into("sync-resource-id", ME).await
}

/// The journey, against either PSA's stand-in: configure in the UI, the
/// first sync with its progress, a note and a time entry made offline
/// arriving once, a ticket changed on both sides asking, `sync --once`.
fn journey(psa: Psa, name: &str) {
    let port = free_port().expect("a free port");
    let mut standin = Some(StandIn::start(psa, port).expect("the stand-in"));
    let shot = |what: &str| format!("{name}-{what}");
    let notifications = NotificationServer::start().expect("a notification server (dbus-daemon and dunst)");
    run(
        name,
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("start-empty").await?;
            // Configure the connection (the stand-in's first resource is Alex Morgan).
            app.click("sync-status").await?;
            app.testid("sync-settings").await?;
            configure(app, psa, port).await?;
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
            app.keep_screenshot(&shot("progress")).await;
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
            app.type_into("time-summary", SUMMARY).await?;
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
            app.keep_screenshot(&shot("offline")).await;

            // The PSA is back: they arrive, once.
            let back = StandIn::start(psa, port)?;
            app.click("sync-now").await?;
            app.testid("sync-pending-empty").await?;
            // That cycle is over before the ticket changes here (a cycle that
            // pulled before the PSA's change would send mine over it).
            wait_synced(app).await?;
            let (notes, times, ticket_id) = back.arrivals(&number)?;
            ensure(notes == 1, format!("the note arrived {notes} times"))?;
            ensure(times == 1, format!("the time entry arrived {times} times"))?;

            // The same ticket changed here and in the PSA: the app asks.
            back.answer_at_once()?;
            wait_synced(app).await?;
            app.click("nav-tickets").await?;
            app.click(&format!("ticket-row-{number}")).await?;
            app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{number}']")).await?;
            app.choose("ticket-status-select", "Waiting Customer").await?;
            app.click("ticket-status-apply").await?;
            app.wait_for_texts("ticket-status", &["Waiting Customer"]).await?;
            back.change_status(ticket_id, 10)?;
            notifications.close_all()?;
            app.click("sync-status").await?;
            app.click("sync-now").await?;
            app.testid("sync-conflict").await?;
            let mine = app.text_of("sync-conflict-mine").await?;
            let theirs = app.text_of("sync-conflict-theirs").await?;
            ensure(mine == "Waiting Customer" && theirs == "Scheduled", format!("conflict {mine} / {theirs}"))?;
            app.keep_screenshot(&shot("conflict")).await;
            // The desktop notification says so; clicked, it opens the ticket.
            app.eventually("the conflict's desktop notification", async || {
                Ok((notifications.displayed()? >= 1).then_some(()))
            })
            .await?;
            notifications.click_top()?;
            app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{number}']")).await?;
            // It is in the notices list too, which opens its ticket as well.
            app.click("sync-status").await?;
            app.click("notices-open").await?;
            app.eventually("the conflict's notice", async || {
                Ok((!app.texts_of_all("notice-conflict").await?.is_empty()).then_some(()))
            })
            .await?;
            app.keep_screenshot(&shot("notices")).await;
            app.click("notice-conflict").await?;
            app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{number}']")).await?;
            app.click("sync-status").await?;
            app.click("sync-keep-mine").await?;
            app.eventually("my status in the PSA", async || Ok((back.status_of(ticket_id)? == Some(7)).then_some(())))
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
