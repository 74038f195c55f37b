use fantoccini::key::Key;
use fieldkit_e2e::{ensure, run, App, TestResult};

#[test]
fn every_area_is_reachable_by_mouse_and_keyboard() {
    run(
        "shell_navigation",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;
            for area in ["today", "tickets", "schedule", "reports", "changes", "stock", "customers", "settings"] {
                app.click(&format!("nav-{area}")).await?;
                app.testid(&format!("area-{area}")).await?;
            }
            // Alt+1 jumps to Today; arrow keys walk the list from the focused entry.
            app.testid("nav-settings").await?.send_keys(&format!("{}1", char::from(Key::Alt))).await?;
            app.testid("area-today").await?;
            app.testid("nav-today").await?.send_keys(&char::from(Key::Down).to_string()).await?;
            app.testid("area-tickets").await?;

            // Each tile on Today opens its own view of the tickets.
            for view in ["high_priority_alerts", "office_admin", "my_todo"] {
                app.click("nav-today").await?;
                app.click(&format!("today-count-{view}")).await?;
                app.testid("area-tickets").await?;
                app.eventually(&format!("the {view} view"), async || {
                    Ok((app.attribute_of(&format!("view-{view}"), "aria-current").await?.as_deref() == Some("page"))
                        .then_some(()))
                })
                .await?;
            }

            // Settings tell where the data lives, and list the team from the sample data.
            app.click("nav-settings").await?;
            let path = app.text_of("settings-database-path").await?;
            let expected = app.data_dir().join("fieldkit.db");
            ensure(path == expected.display().to_string(), format!("database path {path}"))?;
            let team = app.text_of("settings-people").await?;
            ensure(team.contains("Office admin") && team.contains("Senior technician"), format!("team: {team}"))?;

            // About Fieldkit: the version the app was built as (the workspace's).
            let version = app
                .eventually("the version in About Fieldkit", async || {
                    let text = app.text_of("app-version").await?;
                    Ok((!text.is_empty()).then_some(text))
                })
                .await?;
            ensure(version == env!("CARGO_PKG_VERSION"), format!("About shows version {version:?}"))?;
            Ok(())
        },
    );
}
