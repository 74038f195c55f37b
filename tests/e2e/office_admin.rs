use fieldkit_e2e::{ensure, run, App, TestResult};

#[test]
fn filling_in_for_the_office_admin_a_call_becomes_a_ticket_that_waits_in_the_outbox() {
    run(
        "office_admin_log_call",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;

            // The mode is on: the reminder line says when to check the shared mailbox.
            app.click("nav-tickets").await?;
            app.click("view-office_admin").await?;
            app.click("office-admin-mode").await?;
            app.eventually("the reminder line", async || {
                let line = app.text_of("office-admin-reminder").await.unwrap_or_default();
                Ok(line.contains("check the shared mailbox every 60 min").then_some(()))
            })
            .await?;

            // A call: nothing filled in is refused field by field.
            app.click("office-admin-log-call").await?;
            app.click("call-create").await?;
            app.testid("error-customer-id").await?;
            ensure(app.text_of("error-title").await? == "Required.", "the title is required")?;

            // Customer and contact found as you type; the contact's open tickets shown first.
            app.type_into("field-customer-id", "Maple").await?;
            app.wait_for("[data-testid='call-customer-hits'] button").await?.click().await?;
            app.wait_for("[data-testid='call-contact-hits'] button").await?.click().await?;
            app.testid("call-open-tickets").await?;
            let title = "Printer jams on every second page (called in)";
            app.type_into("field-title", title).await?;
            app.choose("call-priority", "High").await?;
            app.click("call-create").await?;
            app.wait_for_texts("ticket-title", &[title]).await?;
            app.keep_screenshot("office_admin").await;

            // It waits in the outbox to be created in the PSA.
            app.click("nav-outbox").await?;
            app.eventually("the new ticket in the outbox", async || {
                let entries = app.texts_of_all("outbox-entry").await?;
                Ok(entries
                    .iter()
                    .any(|entry| entry.contains("from a phone call") && entry.contains(title))
                    .then_some(()))
            })
            .await?;

            // Today carries the reminder line too, and a tile that opens the form.
            app.click("nav-today").await?;
            app.eventually("the reminder line on Today", async || {
                let line = app.text_of("today-mailbox-reminder").await.unwrap_or_default();
                Ok(line.contains("check the shared mailbox").then_some(()))
            })
            .await?;
            app.click("today-log-call").await?;
            app.testid("call-form").await?;
            Ok(())
        },
    );
}
