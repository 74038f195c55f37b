use fieldkit_e2e::{ensure, run, App, TestResult};
use serde_json::json;

use crate::reports::sign;

const CABLE: &str = "Cat6 patch cable 2 m";
const PASSPHRASE: &str = "correct horse battery staple";

/// The id of the stock row named `name` (the list's order changes as items run low).
async fn item_row(app: &App, name: &str) -> TestResult<String> {
    app.eventually(&format!("the stock row of {name}"), async || {
        let id = app
            .client
            .execute(
                "const row = Array.from(document.querySelectorAll(\"[data-testid='stock-row']\"))
                   .find(r => r.querySelector(\"[data-testid='stock-row-name']\")?.textContent.trim() === arguments[0]);
                 return row ? row.dataset.itemId : null",
                vec![json!(name)],
            )
            .await?;
        Ok(id.as_str().map(String::from))
    })
    .await
}

/// The text of `testid` inside the stock row of `item`.
async fn row_text(app: &App, item: &str, testid: &str) -> TestResult<Option<String>> {
    let value = app
        .client
        .execute(
            "const e = document.querySelector(`[data-testid='stock-row'][data-item-id='${arguments[0]}'] [data-testid='${arguments[1]}']`);
             return e ? e.textContent.trim() : null",
            vec![json!(item), json!(testid)],
        )
        .await?;
    Ok(value.as_str().map(String::from))
}

async fn wait_on_hand(app: &App, item: &str, expected: &str) -> TestResult {
    let mut last = None;
    let outcome = app
        .eventually(&format!("{CABLE} on hand to read {expected}"), async || {
            last = row_text(app, item, "stock-row-on-hand").await?;
            Ok(last.as_deref().is_some_and(|text| text.starts_with(expected)).then_some(()))
        })
        .await;
    outcome.map_err(|error| format!("{error}; last seen {last:?}").into())
}

async fn open_item(app: &App, item: &str) -> TestResult {
    let button = app
        .wait_for(&format!("[data-testid='stock-row'][data-item-id='{item}'] [data-testid='stock-row-open']"))
        .await?;
    app.client
        .execute("arguments[0].scrollIntoView({ block: 'center' })", vec![serde_json::to_value(&button)?])
        .await?;
    button.click().await?;
    app.testid("stock-item-detail").await?;
    Ok(())
}

async fn restock_requests(app: &App) -> TestResult<usize> {
    app.click("nav-outbox").await?;
    app.testid("outbox-list").await?;
    let summaries = app.texts_of_all("outbox-entry").await?;
    Ok(summaries.iter().filter(|summary| summary.contains("Restock request")).count())
}

#[test]
fn parts_sealed_on_a_report_come_off_the_stock_and_low_stock_asks_the_office_admin_once() {
    run(
        "stock",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;
            app.click("nav-stock").await?;
            app.testid("stock-list").await?;
            let cable = item_row(app, CABLE).await?;
            wait_on_hand(app, &cable, "7").await?;
            ensure(app.texts_of_all("nav-badge-stock").await?.is_empty(), "nothing is low in the sample kit")?;

            // Two cables on a service report, sealed.
            app.click("nav-tickets").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?.click().await?;
            app.click("ticket-report-start").await?;
            app.testid("report-view").await?;
            app.type_into("report-work", "Replaced the two patch cables at reception.").await?;
            app.click("report-part-add").await?;
            app.choose("report-part-stock", CABLE).await?;
            app.type_into("report-part-quantity", "2").await?;
            app.eventually("the draft to autosave", async || {
                Ok(app.text_of("report-autosave").await?.contains("Saved").then_some(()))
            })
            .await?;
            sign(app).await?;
            app.type_into("report-signer-name", "Dana Reyes").await?;
            app.click("report-seal").await?;
            app.testid("vault-dialog").await?;
            app.type_into("vault-passphrase", PASSPHRASE).await?;
            app.type_into("vault-passphrase-confirm", PASSPHRASE).await?;
            app.click("vault-set-passphrase").await?;
            app.testid("report-sealed-badge").await?;

            // Stock dropped by two, to the reorder level: low, badge, request.
            app.click("nav-stock").await?;
            wait_on_hand(app, &cable, "5").await?;
            ensure(row_text(app, &cable, "stock-row-low").await?.is_some(), "the cable is marked low")?;
            app.wait_for_texts("nav-badge-stock", &["1"]).await?;
            let pending = app.text_of("stock-restock-pending").await?;
            ensure(pending.contains(CABLE), format!("restock banner: {pending}"))?;

            // The item's history links the report.
            open_item(app, &cable).await?;
            let kinds = app.texts_of_all("stock-history-kind").await?;
            let deltas = app.texts_of_all("stock-history-delta").await?;
            ensure(kinds.first().map(String::as_str) == Some("Used"), format!("history kinds {kinds:?}"))?;
            ensure(deltas.first().map(String::as_str) == Some("−2"), format!("history deltas {deltas:?}"))?;
            app.keep_screenshot("stock-item").await;
            app.click("stock-history-report").await?;
            app.testid("report-sealed-badge").await?;

            ensure(restock_requests(app).await? == 1, "one restock request in the outbox")?;

            // One more used by hand (bad input first): still a single request.
            app.click("nav-stock").await?;
            open_item(app, &cable).await?;
            app.click("stock-use").await?;
            app.type_into("stock-movement-quantity", "two").await?;
            app.click("stock-movement-save").await?;
            let message = app.text_of("stock-movement-error-quantity").await?;
            ensure(message.contains("Enter a number"), format!("quantity message {message:?}"))?;
            app.type_into("stock-movement-quantity", "1").await?;
            app.click("stock-movement-save").await?;
            wait_on_hand(app, &cable, "4").await?;
            ensure(restock_requests(app).await? == 1, "still one restock request while it is pending")?;

            // The office admin's delivery arrives: the low badge clears.
            app.click("nav-stock").await?;
            open_item(app, &cable).await?;
            app.click("stock-receive").await?;
            app.type_into("stock-movement-quantity", "10").await?;
            app.click("stock-movement-save").await?;
            wait_on_hand(app, &cable, "14").await?;
            app.eventually("the low badge to clear", async || {
                Ok(app.texts_of_all("nav-badge-stock").await?.is_empty().then_some(()))
            })
            .await?;
            ensure(app.texts_of_all("stock-restock-pending").await?.is_empty(), "the request is closed")?;
            app.keep_screenshot("stock").await;

            // After a restart, all of it is still there.
            let restarted = slot.take().expect("app").restart().await?;
            let app = &*slot.insert(restarted);
            app.click("nav-stock").await?;
            app.testid("stock-list").await?;
            wait_on_hand(app, &cable, "14").await?;
            open_item(app, &cable).await?;
            let kinds = app.texts_of_all("stock-history-kind").await?;
            ensure(
                kinds.iter().take(3).map(String::as_str).collect::<Vec<_>>() == ["Received", "Used", "Used"],
                format!("history after restart {kinds:?}"),
            )?;
            ensure(!app.texts_of_all("stock-history-report").await?.is_empty(), "the report link survives")?;
            ensure(app.texts_of_all("nav-badge-stock").await?.is_empty(), "no low badge after restart")?;
            ensure(restock_requests(app).await? == 1, "one restock request after restart")?;
            Ok(())
        },
    );
}
