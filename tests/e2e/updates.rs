//! Updates in Settings, with the development build (not installed from a
//! package): an address refused, then the MSP's `latest.json` served on
//! loopback; the update found with its notes as text; "Install and
//! restart" waits while a change is not yet sent and says so; "Install
//! anyway" downloads the package and refuses it — signed with a key that is
//! not the project's — and the installed version stays.
//! (The full install of a signed `.deb` is `e2e/update.rs`, ignored: root.)

use fieldkit_e2e::files_server::{latest_json, FilesServer};
use fieldkit_e2e::{ensure, run, App, TestResult};

/// `b"not the project's package"` signed once with a throwaway key
/// (`cargo tauri signer generate`, then `cargo tauri signer sign`; the key
/// was not kept): a well-formed Tauri update signature that the project's
/// public key cannot verify.
const FOREIGN_SIGNATURE: &str = include_str!("updates/foreign.sig");
const FOREIGN_PACKAGE: &[u8] = b"not the project's package";

#[test]
fn an_update_waits_for_unsent_changes_and_a_foreign_signature_is_refused() {
    let server = FilesServer::start();
    let notes = "Faster search.\n<b>not bold</b> <img src=x onerror=\"document.title='pwned'\">";
    server.put(
        "/stable/latest.json",
        latest_json("9.9.9", notes, "linux-x86_64", &server.url("/fieldkit_9.9.9_amd64.deb"), FOREIGN_SIGNATURE),
    );
    server.put("/fieldkit_9.9.9_amd64.deb", FOREIGN_PACKAGE);
    run(
        "updates_wait_and_refuse",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;
            app.click("nav-settings").await?;
            let installed = app.text_of("updates-current-version").await?;

            // Off by default; plain http to another machine is refused.
            ensure(app.attribute_of("updates-check", "disabled").await?.is_some(), "check is off without an address")?;
            app.type_into("updates-endpoint", "http://updates.example.com/latest.json").await?;
            app.click("updates-save").await?;
            let refused = app.text_of("updates-endpoint-error").await?;
            ensure(refused.contains("https"), format!("the refusal names https: {refused}"))?;

            app.type_into("updates-endpoint", &server.url("/{channel}/latest.json")).await?;
            app.click("updates-save").await?;
            app.testid("updates-saved").await?;
            app.click("updates-check").await?;
            let version = app.text_of("updates-available-version").await?;
            ensure(version == "9.9.9", format!("the update found: {version}"))?;
            let shown = app.text_of("updates-notes").await?;
            ensure(shown.contains("<b>not bold</b>"), format!("the notes shown as text: {shown}"))?;
            let markup = app.client.find_all(fantoccini::Locator::Css("[data-testid='updates-notes'] *")).await?;
            ensure(markup.is_empty(), "no element made from the notes")?;

            // A note written offline: the install waits and says why.
            app.click("nav-tickets").await?;
            app.click("view-all").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?.click().await?;
            app.testid("ticket-detail").await?;
            app.type_into("note-body", "Replaced the switch's power supply").await?;
            app.click("note-save").await?;
            app.eventually("the note saved", async || {
                let notes = app.texts_of_all("ticket-note").await?;
                Ok(notes.iter().any(|n| n.contains("power supply")).then_some(()))
            })
            .await?;
            app.click("nav-settings").await?;
            app.click("updates-install").await?;
            let waiting = app.text_of("updates-waiting").await?;
            ensure(waiting.contains("not yet sent"), format!("the wait says why: {waiting}"))?;
            ensure(!server.requests().iter().any(|p| p.ends_with(".deb")), "nothing downloaded while it waits")?;

            // Install anyway: downloaded, the signature refused, nothing installed.
            app.click("updates-install-anyway").await?;
            let error = app.text_of("updates-install-error").await?;
            ensure(error.contains("refused") && error.contains("signature"), format!("a clear refusal: {error}"))?;
            ensure(server.requests().iter().any(|p| p.ends_with(".deb")), "the package was downloaded and checked")?;
            app.eventually("no longer waiting after the refusal", async || {
                Ok(app
                    .client
                    .find(fantoccini::Locator::Css("[data-testid='updates-waiting']"))
                    .await
                    .is_err()
                    .then_some(()))
            })
            .await?;
            ensure(app.text_of("updates-current-version").await? == installed, "the installed version stays")?;
            app.scroll_to("updates-status").await?;
            app.keep_screenshot("settings-updates").await;
            let title = app.client.title().await?;
            ensure(title != "pwned", "the notes' markup never ran")?;
            Ok(())
        },
    );
}
