//! A benchmark, not a pass/fail timing: how long after a click the first rows
//! of a view appear, with 100,000 tickets and ~1,000,000 notes in the cache.
//! Ignored by default (it builds a 600 MB database); run it with
//! `xvfb-run -a cargo test -p fieldkit-e2e first_rows -- --ignored --nocapture`.

use std::process::Command;

use fieldkit_e2e::{ensure, run, App, TestResult};
use serde_json::Value;

#[test]
#[ignore = "benchmark: builds a 100,000-ticket database (about a minute)"]
fn first_rows_of_each_view_at_100000_tickets() {
    run(
        "first_rows_100k",
        |dir| {
            let status = Command::new(env!("CARGO"))
                .args(["run", "--release", "-q", "-p", "fieldkit-core", "--bin", "fieldkit-bench", "--"])
                .args(["--iterations", "1", "--dir"])
                .arg(dir)
                .status()
                .expect("run fieldkit-bench");
            assert!(status.success(), "fieldkit-bench failed");
            std::fs::rename(dir.join("bench.db"), dir.join("fieldkit.db")).expect("move the database into place");
        },
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("nav-tickets").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?;
            let script = include_str!("scripts/first-rows.js");
            let figures = app.client.execute_async(script, vec![]).await?;
            let figures: Vec<Value> = serde_json::from_str(figures.as_str().unwrap_or("[]"))?;
            for figure in &figures {
                println!(
                    "first rows of {:<20} {:>5} ms  ({} tickets in the view)",
                    figure["view"].as_str().unwrap_or("?"),
                    figure["ms"],
                    figure["total"].as_str().unwrap_or("?")
                );
            }
            ensure(figures.iter().all(|f| f["ms"].as_i64().unwrap_or(-1) >= 0), "every view showed rows")?;
            Ok(())
        },
    );
}
