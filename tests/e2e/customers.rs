use fieldkit_e2e::{ensure, run, App, TestResult};

#[test]
fn sample_data_then_a_new_customer_survives_a_restart_and_is_found() {
    run(
        "customers_restart_and_search",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            // First run: an empty data folder offers sample data.
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;
            let names = app
                .eventually("ten sample customers", async || {
                    let names = app.texts_of_all("customer-row-name").await?;
                    Ok((names.len() == 10).then_some(names))
                })
                .await?;
            ensure(names.contains(&"Harbor Dental Group".to_string()), format!("sample customers: {names:?}"))?;

            // A first attempt with mistakes: every problem is shown at its field and nothing is lost.
            app.click("customer-new").await?;
            app.click("contact-add").await?;
            app.type_into("field-phone", "call me maybe").await?;
            app.type_into("field-contacts-0-first-name", "Ines").await?;
            app.type_into("field-contacts-0-last-name", "Varga").await?;
            app.type_into("field-contacts-0-email", "ines.varga@zephyr").await?;
            app.click("customer-save").await?;
            ensure(app.text_of("error-name").await? == "Required.", "name error")?;
            ensure(app.text_of("error-phone").await?.contains("6 to 15 digits"), "phone error")?;
            ensure(app.text_of("error-contacts-0-email").await?.contains("email address"), "email error")?;
            let kept = app.testid("field-contacts-0-first-name").await?.prop("value").await?;
            ensure(kept.as_deref() == Some("Ines"), format!("typed text kept, got {kept:?}"))?;

            // Corrected input saves and shows the customer.
            app.type_into("field-name", "Zephyr Test Clinic").await?;
            app.type_into("field-phone", "+1 503 555 0199").await?;
            app.type_into("field-sites-0-city", "Astoria").await?;
            app.type_into("field-contacts-0-email", "ines.varga@zephyr.example").await?;
            app.click("customer-save").await?;
            ensure(app.text_of("customer-detail-name").await? == "Zephyr Test Clinic", "detail after save")?;
            app.wait_for_texts("customer-count", &["11 customers"]).await?;

            // Quit and start again: the customer is still there and search finds it.
            let restarted = slot.take().expect("app").restart().await?;
            let app = &*slot.insert(restarted);
            ensure(
                app.client.find(fantoccini::Locator::Css("[data-testid='welcome']")).await.is_err(),
                "no first-run offer once there is data",
            )?;
            app.click("nav-customers").await?;
            app.wait_for_texts("customer-count", &["11 customers"]).await?;
            app.type_into("customer-search", "zeph").await?;
            app.wait_for_texts("customer-row-name", &["Zephyr Test Clinic"]).await?;
            app.type_into("customer-search", "varga astoria").await?;
            app.wait_for_texts("customer-row-name", &["Zephyr Test Clinic"]).await?;
            app.click("customer-row").await?;
            ensure(app.text_of("customer-detail-name").await? == "Zephyr Test Clinic", "detail after search")?;
            let contacts = app.texts_of_all("contact-card").await?;
            ensure(
                contacts.len() == 1 && contacts[0].contains("ines.varga@zephyr.example"),
                format!("contacts {contacts:?}"),
            )?;
            app.keep_screenshot("customers").await;
            Ok(())
        },
    );
}

#[test]
fn markup_in_a_customer_name_is_shown_as_text() {
    run(
        "customers_untrusted_text",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let hostile = "<img src=x onerror=\"document.title='pwned'\"><b>Bold</b> & Co";
            let app = slot.as_ref().expect("app running");
            app.click("start-empty").await?;
            app.click("nav-customers").await?;
            app.testid("customer-empty").await?;
            app.click("customer-new").await?;
            app.type_into("field-name", hostile).await?;
            app.click("customer-save").await?;
            app.wait_for_texts("customer-row-name", &[hostile]).await?;
            ensure(app.text_of("customer-detail-name").await? == hostile, "detail shows the literal text")?;
            let injected = app
                .client
                .find_all(fantoccini::Locator::Css(
                    "[data-testid='customer-row'] img, [data-testid='customer-detail'] b",
                ))
                .await?;
            ensure(injected.is_empty(), "no element was created from the name")?;
            ensure(app.client.title().await? == "Fieldkit", "no script ran")?;
            Ok(())
        },
    );
}
