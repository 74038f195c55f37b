use std::time::Duration;

use fieldkit_e2e::{ensure, run, App, TestResult};

/// Four days on: any placeholder saved today is past its next-working-morning due time.
const FOUR_DAYS_MINUTES: i64 = 4 * 24 * 60;

/// Saves the open time-entry form; an entry that happens to cross midnight
/// UTC (the test may run at any hour) is saved split, as the form offers.
pub async fn save_entry(app: &App) -> TestResult {
    app.click("time-save").await?;
    let outcome = app
        .eventually("the time entry to save", async || {
            let form_open = app.client.find(fantoccini::Locator::Css("[data-testid='time-entry-form']")).await.is_ok();
            let split_offered = app.client.find(fantoccini::Locator::Css("[data-testid='time-split']")).await.is_ok();
            Ok(if !form_open {
                Some("saved")
            } else if split_offered {
                Some("split")
            } else {
                None
            })
        })
        .await?;
    if outcome == "split" {
        app.click("time-split").await?;
        app.click("time-save").await?;
        app.eventually("the split entry to save", async || {
            Ok(app
                .client
                .find(fantoccini::Locator::Css("[data-testid='time-entry-form']"))
                .await
                .is_err()
                .then_some(()))
        })
        .await?;
    }
    Ok(())
}

async fn count(app: &App, id: &str) -> TestResult<usize> {
    Ok(app.texts_of_all(id).await?.len())
}

#[test]
fn a_timer_survives_a_restart_and_placeholders_and_the_weekly_check_lead_to_complete_time() {
    run(
        "time_day_of_work",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;

            // Start a timer on my first ticket.
            app.click("nav-tickets").await?;
            let first = app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?;
            let number = first.attr("data-testid").await?.unwrap_or_default().replace("ticket-row-", "");
            first.click().await?;
            app.click("ticket-timer-start").await?;
            app.wait_for_texts("timer-ticket", &[number.as_str()]).await?;
            tokio::time::sleep(Duration::from_secs(3)).await;

            // Quit and start again: the timer still runs and has counted on.
            let restarted = slot.take().expect("app").restart().await?;
            let app = &*slot.insert(restarted);
            app.wait_for_texts("timer-ticket", &[number.as_str()]).await?;
            let seconds: i64 = app.attribute_of("timer-elapsed", "data-seconds").await?.unwrap_or_default().parse()?;
            ensure(seconds >= 3, format!("the timer counted {seconds} s across the restart"))?;

            // Stop: the prefilled entry saves and ends the timer.
            app.click("timer-stop").await?;
            app.testid("time-entry-form").await?;
            app.type_into("time-summary", "Cleared the print queue and printed a test page.").await?;
            save_entry(app).await?;
            app.eventually("the timer to end", async || {
                Ok(app.client.find(fantoccini::Locator::Css("[data-testid='timer-bar']")).await.is_err().then_some(()))
            })
            .await?;

            // Running late: a placeholder, due the next working morning.
            app.click("nav-tickets").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?.click().await?;
            app.click("ticket-time-placeholder").await?;
            app.type_into("placeholder-notes", "Printer fixed, details in the morning").await?;
            app.click("placeholder-save").await?;
            app.click("nav-today").await?;
            let today = app.text_of("today-placeholder").await?;
            ensure(today.contains("due") && !today.contains("overdue"), format!("placeholder on Today: {today:?}"))?;

            // A service call that has started, without time: the weekly check lists it until time is entered.
            app.click("nav-tickets").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?.click().await?;
            app.testid("schedule-start").await?;
            app.client
                .execute(
                    "const el = document.querySelector(\"[data-testid='schedule-start']\");
                     const d = new Date(Date.now() - 10 * 60000); const p = (n) => String(n).padStart(2, '0');
                     el.value = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
                     el.dispatchEvent(new Event('input', { bubbles: true }));",
                    vec![],
                )
                .await?;
            app.click("schedule-book").await?;
            app.testid("ticket-appointment").await?;
            app.click("nav-time").await?;
            app.eventually("one service call without time", async || {
                Ok((count(app, "weekly-untimed").await? == 1).then_some(()))
            })
            .await?;
            app.click("weekly-enter-time").await?;
            app.type_into("time-summary", "On site: replaced the switch in the server closet.").await?;
            save_entry(app).await?;
            app.eventually("the weekly check to clear the call", async || {
                Ok((count(app, "weekly-untimed").await? == 0).then_some(()))
            })
            .await?;
            app.testid("week-chart").await?;

            // Four days later the placeholder is overdue: in the shell, on Today and in Time.
            let later = slot.take().expect("app").restart_at(FOUR_DAYS_MINUTES).await?;
            let app = &*slot.insert(later);
            app.testid("nav-placeholders-overdue").await?;
            app.click("nav-today").await?;
            let today = app.text_of("today-placeholder").await?;
            ensure(today.contains("overdue"), format!("placeholder on Today: {today:?}"))?;
            app.click("nav-time").await?;
            app.testid("weekly-overdue").await?;
            app.click("weekly-complete").await?;
            app.testid("time-entry-form").await?;
            app.type_into("time-summary", "Replaced the fuser unit; printer tested with the customer.").await?;
            save_entry(app).await?;
            app.eventually("the placeholder to be completed", async || {
                Ok((count(app, "weekly-placeholder").await? == 0).then_some(()))
            })
            .await?;
            app.eventually("the shell to stop warning", async || {
                Ok(app
                    .client
                    .find(fantoccini::Locator::Css("[data-testid='nav-placeholders-overdue']"))
                    .await
                    .is_err()
                    .then_some(()))
            })
            .await?;
            app.keep_screenshot("time").await;
            Ok(())
        },
    );
}
