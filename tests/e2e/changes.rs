use fieldkit_e2e::{ensure, run, App, TestResult};

const SECRET: &str = "Zq7-Kestrel-Plaintext-4471";
const PASSPHRASE: &str = "correct horse battery staple";

async fn page_text(app: &App) -> TestResult<String> {
    Ok(app.client.execute("return document.body.innerText", vec![]).await?.as_str().unwrap_or_default().to_string())
}

async fn rows(app: &App) -> TestResult<Vec<String>> {
    app.texts_of_all("change-row").await
}

#[test]
fn a_documented_password_stays_secret_and_a_corrected_change_keeps_its_history() {
    run(
        "changes_log",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;

            // From a ticket: document a password change with the new password.
            app.click("nav-tickets").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?.click().await?;
            let customer = app.text_of("ticket-customer").await?.replace("MSA", "").trim().to_string();
            app.click("ticket-document-change").await?;
            app.testid("change-form").await?;
            app.choose("change-category", "Password change").await?;
            app.type_into("field-summary", "Reset the front desk admin password").await?;
            app.type_into("field-fields-system", "FRONTDESK local admin").await?;
            app.type_into("field-fields-vault-reference", "IT Glue: Front desk").await?;
            app.type_into("change-secret", SECRET).await?;
            app.click("change-save").await?;

            // First secret: protect it with a passphrase (no keychain under test).
            app.testid("vault-dialog").await?;
            app.type_into("vault-passphrase", PASSPHRASE).await?;
            app.type_into("vault-passphrase-confirm", PASSPHRASE).await?;
            app.click("vault-set-passphrase").await?;
            app.eventually("the record in the list", async || {
                let rows = rows(app).await?;
                Ok(rows.iter().any(|row| row.contains("Reset the front desk admin password")).then_some(()))
            })
            .await?;
            app.testid("change-row-secret").await?;
            ensure(!page_text(app).await?.contains(SECRET), "the list shows no secret")?;

            // Reveal on request, hide again.
            let row = app.wait_for("[data-testid='change-row']").await?;
            row.click().await?;
            app.click("change-reveal").await?;
            app.wait_for_texts("change-secret-value", &[SECRET]).await?;
            app.click("change-hide").await?;
            app.eventually("the secret to be hidden", async || {
                Ok((!page_text(app).await?.contains(SECRET)).then_some(()))
            })
            .await?;

            // The Markdown export leaves the secret out.
            app.click("changes-export-md").await?;
            let exported = app
                .eventually("the export path", async || {
                    let text = app.text_of("changes-export-path").await?;
                    Ok(text.split_whitespace().find(|word| word.ends_with(".md")).map(String::from))
                })
                .await?;
            let markdown = std::fs::read_to_string(&exported)?;
            ensure(markdown.contains("Reset the front desk admin password"), "the export lists the record")?;
            ensure(!markdown.contains(SECRET), "the export has no secret")?;

            // A network change, then its correction: both revisions in the history.
            app.click("changes-new").await?;
            app.choose("change-category", "Network change or addition").await?;
            app.type_into("field-summary", "Moved the printer to the office VLAN").await?;
            app.type_into("field-fields-what-changed", "VLAN").await?;
            app.type_into("field-fields-after", "VLAN 20").await?;
            app.click("change-save").await?;
            app.eventually("the network change selected", async || {
                Ok(app.text_of("change-detail").await?.contains("VLAN 20").then_some(()))
            })
            .await?;
            app.click("change-correct").await?;
            app.type_into("field-fields-after", "VLAN 30").await?;
            app.click("change-save").await?;
            app.eventually("two revisions in the history", async || {
                Ok((app.texts_of_all("change-revision").await?.len() == 2).then_some(()))
            })
            .await?;

            // Restart: all there; the secret opens with the passphrase.
            let restarted = slot.take().expect("app").restart().await?;
            let app = &*slot.insert(restarted);
            app.click("nav-changes").await?;
            app.choose("changes-customer", &customer).await?;
            app.eventually("both records after the restart", async || Ok((rows(app).await?.len() == 2).then_some(())))
                .await?;
            let password_row = app
                .client
                .execute(
                    "return Array.from(document.querySelectorAll(\"[data-testid='change-row']\")).findIndex(e => e.textContent.includes('front desk'))",
                    vec![],
                )
                .await?
                .as_i64()
                .unwrap_or(-1);
            ensure(password_row >= 0, "the password change is listed")?;
            app.client
                .execute(
                    &format!("document.querySelectorAll(\"[data-testid='change-row']\")[{password_row}].click()"),
                    vec![],
                )
                .await?;
            app.click("change-reveal").await?;
            app.testid("vault-dialog").await?;
            app.type_into("vault-passphrase", PASSPHRASE).await?;
            app.click("vault-unlock").await?;
            app.wait_for_texts("change-secret-value", &[SECRET]).await?;
            app.testid("change-event").await?;
            Ok(())
        },
    );
}
