use fieldkit_e2e::{ensure, run, App, TestResult};

const VIEWS: &[&str] = &[
    "my_todo",
    "technicians_queue",
    "patch_issues",
    "backup_checks_due",
    "primary_resource",
    "needs_attention",
    "high_priority_alerts",
    "office_admin",
    "all",
];

#[test]
fn a_days_work_on_tickets_survives_a_restart_and_waits_in_the_outbox_in_order() {
    run(
        "tickets_day_of_work",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;

            // The week's schedule holds my sample appointments; one opens its ticket.
            app.click("nav-schedule").await?;
            // A timer can start right from an appointment; the shell shows it.
            app.click("schedule-appointment-timer").await?;
            app.testid("timer-bar").await?;
            let booked = app.wait_for("[data-testid='schedule-appointment'] [data-testid^='schedule-ticket-']").await?;
            let booked_number = booked.attr("data-testid").await?.unwrap_or_default().replace("schedule-ticket-", "");
            booked.click().await?;
            app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{booked_number}']")).await?;
            app.click("nav-tickets").await?;

            // Every view lists as many tickets as its count in the navigation says.
            for view in VIEWS {
                app.click(&format!("view-{view}")).await?;
                let count = app
                    .eventually(&format!("the count of {view}"), async || {
                        let text = app.text_of(&format!("view-count-{view}")).await?;
                        Ok(text.parse::<u32>().ok())
                    })
                    .await?;
                app.eventually(&format!("{view} to list {count} tickets"), async || {
                    let total = app.attribute_of("ticket-list", "data-total").await?;
                    Ok((total.as_deref() == Some(count.to_string().as_str())).then_some(()))
                })
                .await?;
                if *view == "all" {
                    ensure(count == 60, format!("60 sample tickets, the view says {count}"))?;
                }
            }

            // Open the first ticket of my todo.
            app.click("view-my_todo").await?;
            let first = app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?;
            let row_id = first.attr("data-testid").await?.unwrap_or_default();
            let number = row_id.trim_start_matches("ticket-row-").to_string();
            first.click().await?;
            app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{number}']")).await?;

            // Click-to-call hands the number to the system; the window stays on the ticket
            // (here no phone app is installed, so a message says so).
            app.click("ticket-contact-phone").await?;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{number}']")).await?;

            // An internal note, and one with markup that must stay text.
            app.type_into("note-body", "Swapped the zebra-striped patch cable at the front desk").await?;
            app.click("note-save").await?;
            // (No emoji here: WebKitWebDriver's send_keys drops characters
            // outside the BMP. The core tests cover emoji.)
            let hostile = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b> مرحبا";
            app.type_into("note-body", hostile).await?;
            app.click("note-save").await?;
            app.eventually("both notes in the timeline", async || {
                let notes = app.texts_of_all("ticket-note").await?;
                Ok((notes.iter().any(|n| n.contains("zebra-striped")) && notes.iter().any(|n| n.contains(hostile)))
                    .then_some(()))
            })
            .await?;
            let title = app.client.title().await?;
            ensure(title != "pwned", "markup in a note must not run")?;
            ensure(
                app.client
                    .find(fantoccini::Locator::Css("[data-testid='ticket-notes'] img, [data-testid='ticket-notes'] b"))
                    .await
                    .is_err(),
                "markup in a note is not turned into elements",
            )?;

            // Change the status.
            app.choose("ticket-status-select", "Waiting Customer").await?;
            app.click("ticket-status-apply").await?;
            app.wait_for_texts("ticket-status", &["Waiting Customer"]).await?;

            // Noticed while working on it: a validation error first, then a ticket with the office admin as secondary.
            app.click("ticket-raise-noticed").await?;
            app.click("noticed-create").await?;
            ensure(app.text_of("error-title").await? == "Required.", "the title is required")?;
            let hostile_title = "UPS <b>battery</b> beeping in the <script>closet</script>";
            app.type_into("field-title", hostile_title).await?;
            app.click("noticed-create").await?;
            app.wait_for_texts("ticket-title", &[hostile_title]).await?;
            app.wait_for_texts("ticket-secondary", &["Pat Delgado"]).await?;
            app.wait_for_texts("ticket-primary", &["Alex Morgan"]).await?;
            app.wait_for_texts("ticket-noticed-on", &[number.as_str()]).await?;

            // Back to the original ticket, then a discrepancy report for the senior technician.
            app.click("ticket-noticed-on").await?;
            app.wait_for(&format!("[data-testid='ticket-detail'][data-ticket-number='{number}']")).await?;
            app.click("ticket-raise-discrepancy").await?;
            app.choose("discrepancy-kind", "End user with admin privileges").await?;
            app.type_into("field-description", "The receptionist's account is a local administrator.").await?;
            app.click("discrepancy-send").await?;
            app.wait_for_texts("ticket-primary", &["Chris Whitaker"]).await?;
            let report = app.text_of("ticket-title").await?;
            ensure(
                report.starts_with("Discrepancy: End user with admin privileges"),
                format!("report title {report:?}"),
            )?;
            app.keep_screenshot("tickets").await;

            // Quit and start again: all still there.
            let restarted = slot.take().expect("app").restart().await?;
            let app = &*slot.insert(restarted);
            app.click("nav-tickets").await?;
            app.type_into("ticket-search", "zebra").await?;
            app.wait_for(&format!("[data-testid='search-results'] [data-testid='ticket-row-{number}']")).await?;
            app.click(&format!("ticket-row-{number}")).await?;
            app.wait_for_texts("ticket-status", &["Waiting Customer"]).await?;

            // The outbox lists the changes in the order they were made.
            app.click("nav-outbox").await?;
            let entries = app
                .eventually("five entries in the outbox", async || {
                    let entries = app.texts_of_all("outbox-entry").await?;
                    Ok((entries.len() >= 5).then_some(entries))
                })
                .await?;
            let position = |needle: &str| entries.iter().position(|entry| entry.contains(needle));
            let expected = [
                format!("Internal note on {number}"),
                format!("Status of {number} → Waiting Customer"),
                format!("New ticket (noticed on {number})"),
                "Discrepancy report".to_string(),
            ];
            let positions: Vec<_> = expected.iter().map(|needle| position(needle)).collect();
            ensure(
                positions.iter().all(Option::is_some) && positions.windows(2).all(|pair| pair[0] < pair[1]),
                format!("outbox order {positions:?} in {entries:?}"),
            )?;
            Ok(())
        },
    );
}
