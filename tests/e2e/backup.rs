use fieldkit_e2e::{ensure, run, App, TestResult, DIALOG_ANSWER_FILE};

/// Answers the app's next Save/Open dialog with `path` (test switch
/// `FIELDKIT_DIALOG_ANSWER`: WebDriver cannot reach a native dialog).
fn answer_dialog(app: &App, path: &std::path::Path) -> TestResult {
    std::fs::write(app.data_dir().join(DIALOG_ANSWER_FILE), format!("{}\n", path.display()))?;
    Ok(())
}

#[test]
fn back_up_change_something_restore_and_the_earlier_data_is_back() {
    run(
        "backup_restore",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.wait_for_texts("customer-count", &["10 customers"]).await?;

            // Back up: the Save dialog answered with a path beside the data.
            let archive = app.data_dir().join("monday.fkbackup");
            answer_dialog(app, &archive)?;
            app.click("nav-settings").await?;
            let expected = app.data_dir().display().to_string();
            app.eventually("the data folder shown", async || {
                Ok((app.text_of("data-folder").await? == expected).then_some(()))
            })
            .await?;
            app.click("data-backup").await?;
            let done = app.text_of("data-backup-done").await?;
            ensure(done.contains(&archive.display().to_string()), format!("backup result: {done}"))?;
            ensure(std::fs::metadata(&archive)?.len() > 10_000, "the backup file was written")?;

            // Something changes afterwards: a new customer.
            app.click("nav-customers").await?;
            app.click("customer-new").await?;
            app.type_into("field-name", "After Backup Clinic").await?;
            app.click("customer-save").await?;
            ensure(app.text_of("customer-detail-name").await? == "After Backup Clinic", "the new customer saved")?;
            app.wait_for_texts("customer-count", &["11 customers"]).await?;

            // A file that is not a backup is refused, and nothing changes.
            let bogus = app.data_dir().join("shopping-list.fkbackup");
            std::fs::write(&bogus, b"cat6 cables, 2x usb-c, label tape\n".repeat(50))?;
            answer_dialog(app, &bogus)?;
            app.click("nav-settings").await?;
            app.click("data-restore").await?;
            app.testid("data-restore-dialog").await?;
            app.click("data-restore-confirm").await?;
            let refused = app.text_of("data-restore-error").await?;
            ensure(refused.contains("not a Fieldkit backup"), format!("refusal: {refused}"))?;
            app.click("data-restore-cancel").await?;

            // Restore the backup: confirmed, then the Open dialog answered.
            answer_dialog(app, &archive)?;
            app.click("data-restore").await?;
            app.click("data-restore-confirm").await?;
            let kept = app.text_of("data-restore-kept").await?;
            let kept = std::path::PathBuf::from(kept);
            ensure(
                kept.starts_with(app.data_dir()) && kept.join("fieldkit.db").exists(),
                format!("the data before the restore is kept at {}", kept.display()),
            )?;
            let restored = app.text_of("data-restore-done").await?;
            ensure(restored.contains("monday.fkbackup"), format!("restore result: {restored}"))?;
            app.scroll_to("data-restore-done").await?;
            app.keep_screenshot("backup_restore_settings").await;

            // The UI shows the restored data: the change is gone, the earlier data back.
            app.click("nav-customers").await?;
            app.wait_for_texts("customer-count", &["10 customers"]).await?;
            app.type_into("customer-search", "After Backup").await?;
            app.testid("customer-empty").await?;
            app.type_into("customer-search", "Harbor Dental Group").await?;
            app.eventually("the earlier customer found", async || {
                let names = app.texts_of_all("customer-row-name").await?;
                Ok(names.contains(&"Harbor Dental Group".to_string()).then_some(()))
            })
            .await?;
            app.keep_screenshot("backup_restore_customers").await;
            Ok(())
        },
    );
}
