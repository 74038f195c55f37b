use fieldkit_e2e::{ensure, run, App, TestResult};

#[test]
fn a_damaged_database_is_explained_and_moved_aside_on_request_and_a_second_start_hands_over() {
    let garbage = b"PK\x03\x04 this is a zip file, not a database ".repeat(200);
    let written = garbage.clone();
    run(
        "database_damaged",
        move |dir| std::fs::write(dir.join("fieldkit.db"), &written).expect("write damaged database"),
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app");
            let message = app.text_of("database-problem-message").await?;
            ensure(message.contains("cannot be read"), format!("message: {message}"))?;
            // Nothing was written to the damaged file by opening it.
            ensure(std::fs::read(app.data_dir().join("fieldkit.db"))? == garbage, "the damaged file is untouched")?;

            app.click("database-move-aside").await?;
            app.testid("welcome").await?;
            let kept: Vec<_> = std::fs::read_dir(app.data_dir())?
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_string_lossy().starts_with("fieldkit.db.unreadable-"))
                .collect();
            ensure(kept.len() == 1, format!("one moved-aside file, found {}", kept.len()))?;
            ensure(std::fs::read(kept[0].path())? == garbage, "the moved file holds the original bytes")?;

            // A second start on the same data folder hands over to this one and exits.
            let mut second = std::process::Command::new(fieldkit_e2e::app_binary())
                .env("FIELDKIT_DATA_DIR", app.data_dir())
                .stdout(std::process::Stdio::null())
                .spawn()?;
            let started = std::time::Instant::now();
            let exited = loop {
                if let Some(status) = second.try_wait()? {
                    break Some(status);
                }
                if started.elapsed() > std::time::Duration::from_secs(15) {
                    let _ = second.kill();
                    let _ = second.wait();
                    break None;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            };
            ensure(
                exited.is_some_and(|status| status.success()),
                format!("the second start exited at once: {exited:?}"),
            )?;
            app.testid("welcome").await?;
            Ok(())
        },
    );
}
