use std::process::Command;
use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fieldkit_e2e::{app_binary, ensure, run, App, TestResult};

const WORK: &str = "Replaced the 8-port switch in the server closet and relabelled every drop.";
const PASSPHRASE: &str = "correct horse battery staple";

/// Two strokes across the pad, as a mouse would draw them.
pub async fn sign(app: &App) -> TestResult {
    let pad = app.testid("signature-pad").await?;
    for (start, moves) in [
        (-120.0, [(15.0, -12.0), (15.0, 14.0), (15.0, -10.0), (15.0, 9.0), (15.0, -6.0)]),
        (10.0, [(12.0, 10.0), (14.0, -14.0), (16.0, 12.0), (10.0, -8.0), (20.0, 4.0)]),
    ] {
        let mut stroke = MouseActions::new("signature".into())
            .then(PointerAction::MoveToElement { element: pad.clone(), duration: None, x: start, y: 0.0 })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT });
        for (x, y) in moves {
            stroke = stroke.then(PointerAction::MoveBy { duration: Some(Duration::from_millis(40)), x, y });
        }
        stroke = stroke.then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        app.client.perform_actions(stroke).await?;
    }
    Ok(())
}

#[test]
fn a_signed_report_is_sealed_rendered_to_pdf_and_a_changed_byte_is_caught() {
    run(
        "service_report",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;
            app.click("nav-tickets").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?.click().await?;
            app.click("ticket-report-start").await?;
            app.testid("report-view").await?;

            app.click("report-arrived").await?;
            app.eventually("the arrival stamp", async || {
                Ok((!app.text_of("report-arrived-at").await?.trim().is_empty()).then_some(()))
            })
            .await?;
            app.type_into("report-work", WORK).await?;
            app.click("report-part-add").await?;
            app.type_into("report-part-item", "Cat6 patch cable 2 m").await?;
            app.type_into("report-part-quantity", "2").await?;
            app.eventually("the draft to autosave", async || {
                Ok(app.text_of("report-autosave").await?.contains("Saved").then_some(()))
            })
            .await?;

            sign(app).await?;
            app.type_into("report-signer-name", "Dana Reyes").await?;
            app.type_into("report-signer-title", "Owner").await?;
            app.click("report-seal").await?;
            app.testid("vault-dialog").await?;
            app.type_into("vault-passphrase", PASSPHRASE).await?;
            app.type_into("vault-passphrase-confirm", PASSPHRASE).await?;
            app.click("vault-set-passphrase").await?;
            let hash = app
                .eventually("the seal hash", async || {
                    let text = app.text_of("report-hash").await.unwrap_or_default();
                    Ok(text
                        .split_whitespace()
                        .find(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit()))
                        .map(String::from))
                })
                .await?;
            let editable = app.client.execute(
                "const e = document.querySelector(\"[data-testid='report-work']\"); return !!e && !e.disabled && !e.readOnly && e.tagName === 'TEXTAREA'",
                vec![],
            ).await?;
            ensure(editable == serde_json::json!(false), "a sealed report is read-only")?;

            // The PDF holds the work, the signer and the hash.
            app.click("report-pdf-a4").await?;
            let pdf = app
                .eventually("the PDF path", async || {
                    let text = app.text_of("report-pdf-path").await.unwrap_or_default();
                    Ok(text.split_whitespace().find(|w| w.ends_with(".pdf")).map(String::from))
                })
                .await?;
            let text = Command::new("pdftotext").arg(&pdf).arg("-").output()?;
            let text = String::from_utf8_lossy(&text.stdout).replace('\n', " ");
            ensure(
                text.contains("Replaced the 8-port switch") && text.contains("Dana Reyes") && text.contains(&hash),
                format!("PDF text: {}", text.chars().take(400).collect::<String>()),
            )?;
            app.click("report-verify").await?;
            app.eventually("verified", async || {
                Ok(app.text_of("report-verification").await?.contains("Verified").then_some(()))
            })
            .await?;
            let cli =
                Command::new(app_binary()).args(["verify", &pdf]).env("FIELDKIT_DATA_DIR", app.data_dir()).output()?;
            ensure(
                cli.status.code() == Some(0),
                format!("fieldkit verify <pdf>: {}", String::from_utf8_lossy(&cli.stdout)),
            )?;

            // On another machine: the file alone, against the key Settings shows.
            app.click("nav-settings").await?;
            let shown = app.text_of("settings-seal-key").await?;
            let key = shown.trim_start_matches("Ed25519").trim().to_string();
            ensure(app.text_of("settings-seal-fingerprint").await?.len() >= 39, "the key's fingerprint is shown")?;
            app.scroll_to("settings-seal-fingerprint").await?;
            app.keep_screenshot("settings-seal-key").await;
            let elsewhere = tempfile::tempdir()?;
            let cli = Command::new(app_binary())
                .args(["verify", &pdf, "--key", &key])
                .env("FIELDKIT_DATA_DIR", elsewhere.path())
                .output()?;
            ensure(
                cli.status.code() == Some(0),
                format!(
                    "fieldkit verify <pdf> --key {key:?} (Settings showed {shown:?}) on a fresh folder: {}",
                    String::from_utf8_lossy(&cli.stdout)
                ),
            )?;
            let mut changed = std::fs::read(&pdf)?;
            let middle = changed.len() / 2;
            changed[middle] ^= 0x20;
            let altered = elsewhere.path().join("altered.pdf");
            std::fs::write(&altered, &changed)?;
            let cli = Command::new(app_binary())
                .args(["verify", &altered.to_string_lossy(), "--key", &key])
                .env("FIELDKIT_DATA_DIR", elsewhere.path())
                .output()?;
            ensure(cli.status.code() == Some(1), "a PDF with one changed byte is not verified")?;
            app.click("nav-reports").await?;
            app.click("report-row").await?;
            app.testid("report-view").await?;

            // One changed byte in the stored report: named by the app and by the command line.
            let database = rusqlite::Connection::open(app.data_dir().join("fieldkit.db"))?;
            database.busy_timeout(Duration::from_secs(5))?;
            let id: String = database.query_row("SELECT id FROM service_reports", [], |r| r.get(0))?;
            database.execute(
                "UPDATE service_reports SET work_performed = replace(work_performed, '8-port', '9-port')",
                [],
            )?;
            drop(database);
            app.click("report-verify").await?;
            app.eventually("the tampered field named", async || {
                Ok(app.text_of("report-verification").await?.contains("work_performed").then_some(()))
            })
            .await?;
            let cli =
                Command::new(app_binary()).args(["verify", &id]).env("FIELDKIT_DATA_DIR", app.data_dir()).output()?;
            let said = String::from_utf8_lossy(&cli.stdout).to_string();
            ensure(
                cli.status.code() == Some(1) && said.contains("work_performed"),
                format!("fieldkit verify <id>: {said}"),
            )?;
            Ok(())
        },
    );
}
