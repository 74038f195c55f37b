use fieldkit_e2e::{ensure, run, App, TestResult};

/// The links the app handed to the system opener (recorded, not opened: the
/// test switch `FIELDKIT_OPEN_LOG`).
fn opened(app: &App) -> Vec<String> {
    std::fs::read_to_string(app.data_dir().join("opened.txt")).unwrap_or_default().lines().map(String::from).collect()
}

#[test]
fn a_checklist_ticked_on_a_ticket_waits_in_the_outbox_and_links_open_from_rust() {
    run(
        "checklist_and_links",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;

            // Settings → Links: a forbidden scheme is refused on its field; a good template is kept.
            app.click("nav-settings").await?;
            app.click("url-templates-add-tool").await?;
            app.type_into("field-remote-tools-0-name", "ScreenConnect").await?;
            app.type_into("field-remote-tools-0-url-template", "javascript:alert(1)").await?;
            app.click("url-templates-save").await?;
            let message = app.text_of("error-remote-tools-0-url-template").await?;
            ensure(message.contains("not allowed"), format!("the scheme is refused: {message}"))?;
            app.type_into(
                "field-remote-tools-0-url-template",
                "sc://relay.example.com/{device_name}?t={ticket_number}",
            )
            .await?;
            app.click("url-templates-save").await?;
            app.testid("url-templates-saved").await?;

            // A ticket of mine with a checklist.
            app.click("nav-tickets").await?;
            app.click("view-my_todo").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?;
            let rows: Vec<String> = {
                let value = app
                    .client
                    .execute(
                        "return Array.from(document.querySelectorAll(`[data-testid^='ticket-row-']`), e => e.dataset.testid)",
                        vec![],
                    )
                    .await?;
                serde_json::from_value(value)?
            };
            let mut number = None;
            for row in rows.iter().take(12) {
                app.click(row).await?;
                let this = row.trim_start_matches("ticket-row-").to_string();
                app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{this}']")).await?;
                let has_items = app
                    .eventually("the checklist to load", async || {
                        let empty = app.texts_of_all("checklist-empty").await?;
                        let first = app.texts_of_all("checklist-progress").await?;
                        Ok((!empty.is_empty() || !first.is_empty()).then_some(first.is_empty()))
                    })
                    .await
                    .map(|empty| !empty)?;
                if has_items {
                    number = Some(this);
                    break;
                }
            }
            let number = number.ok_or("none of my first tickets has a checklist")?;

            // Tick the second item: it waits to be sent, and the outbox lists it.
            app.click("checklist-item-1").await?;
            app.testid("checklist-waiting-1").await?;
            // An unticked item becomes a discrepancy report naming it, in one click.
            app.click("checklist-discrepancy-2").await?;
            app.testid("checklist-reported-2").await?;

            // Directions and the remote tool open from Rust, with the values encoded.
            app.click("directions").await?;
            app.eventually("the map link to be opened", async || {
                Ok(opened(app)
                    .iter()
                    .any(|l| l.starts_with("https://www.openstreetmap.org/search?query="))
                    .then_some(()))
            })
            .await?;
            if !app.texts_of_all("remote-tool-0").await?.is_empty() {
                app.click("remote-tool-0").await?;
                app.testid("remote-tools-launched").await?;
                let links = opened(app);
                ensure(
                    links
                        .iter()
                        .any(|l| l.starts_with("sc://relay.example.com/") && l.ends_with(&format!("?t={number}"))),
                    format!("the remote tool's link: {links:?}"),
                )?;
            }

            app.click("nav-outbox").await?;
            let entries = app
                .eventually("the tick and the report in the outbox", async || {
                    let entries = app.texts_of_all("outbox-entry").await?;
                    Ok((entries.len() >= 2).then_some(entries))
                })
                .await?;
            ensure(
                entries.iter().any(|e| e.contains(&format!("Checklist on {number}: ticked"))),
                format!("the tick waits in the outbox: {entries:?}"),
            )?;
            ensure(entries.iter().any(|e| e.contains("Discrepancy report")), format!("and the report: {entries:?}"))?;
            Ok(())
        },
    );
}
