//! Accessibility measured in the real web view: axe-core (the UI's npm dev
//! dependency) runs on every area, a ticket, the report form, the change
//! form and the guided visit's steps, in the light theme and in the dark one, against the WCAG 2.1 A/AA
//! rules. One app launch serves every screen.

use std::path::Path;
use std::time::Duration;

use fieldkit_e2e::{ensure, run, App, TestResult};
use serde_json::{json, Value};

const AREAS: &[&str] =
    &["today", "tickets", "schedule", "time", "reports", "changes", "stock", "customers", "settings", "outbox", "sync"];

/// axe-core's browser build, from the UI's node_modules.
fn axe_source() -> TestResult<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).map_err(|error| {
        format!("axe-core not found at {} (run `npm --prefix ui install`): {error}", path.display()).into()
    })
}

/// Makes the dark theme's rules apply whatever the OS prefers (or undoes it):
/// every `prefers-color-scheme: dark` block is copied to the end of its sheet
/// as plain rules, which CSP allows (CSSOM, no new `<style>`).
const THEME: &str = r#"
const dark = arguments[0];
for (const sheet of Array.from(document.styleSheets)) {
  if (dark) {
    const copies = [];
    for (const rule of Array.from(sheet.cssRules)) {
      if (rule instanceof CSSMediaRule && /prefers-color-scheme:\s*dark/.test(rule.conditionText || rule.media.mediaText)) {
        for (const inner of Array.from(rule.cssRules)) copies.push(inner.cssText);
      }
    }
    for (const text of copies) sheet.insertRule(text, sheet.cssRules.length);
    sheet.__fieldkitDark = copies.length;
  } else if (sheet.__fieldkitDark) {
    for (let i = 0; i < sheet.__fieldkitDark; i++) sheet.deleteRule(sheet.cssRules.length - 1);
    sheet.__fieldkitDark = 0;
  }
}
document.documentElement.style.colorScheme = dark ? 'dark' : '';
return true;
"#;

const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
  .then((result) => done(result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 200)),
  }))))
  .catch((error) => done([{ id: 'axe-error', impact: 'critical', nodes: [String(error)] }]));
"#;

/// Runs axe on the screen as it is now, in both themes; prints and returns
/// the number of violations (rule × element).
async fn check(app: &App, screen: &str, failures: &mut Vec<String>) -> TestResult<usize> {
    // Let the area's data arrive and render.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut total = 0;
    for dark in [false, true] {
        app.client.execute(THEME, vec![json!(dark)]).await?;
        let violations: Vec<Value> = serde_json::from_value(app.client.execute_async(RUN_AXE, vec![]).await?)?;
        let theme = if dark { "dark" } else { "light" };
        let count: usize = violations.iter().map(|v| v["nodes"].as_array().map_or(0, Vec::len)).sum();
        eprintln!("[a11y] {screen} ({theme}): {count} violations");
        for violation in &violations {
            let nodes = violation["nodes"].as_array().cloned().unwrap_or_default();
            eprintln!("[a11y]   {} ({}) on {} elements", violation["id"], violation["impact"], nodes.len());
            for node in nodes.iter().take(6) {
                eprintln!("[a11y]     {}", node.as_str().unwrap_or_default());
            }
            failures.push(format!("{screen} ({theme}): {} ×{}", violation["id"], nodes.len()));
        }
        total += count;
    }
    app.client.execute(THEME, vec![json!(false)]).await?;
    Ok(total)
}

#[test]
fn every_screen_passes_the_wcag_2_1_aa_rules_in_both_themes() {
    run(
        "accessibility",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            let axe = axe_source()?;
            let loaded = app.client.execute(&format!("{axe}\n;return typeof window.axe;"), vec![]).await?;
            ensure(loaded == json!("object"), format!("axe did not load: {loaded}"))?;
            let mut failures = Vec::new();
            let mut screens = 0;

            app.testid("load-sample-data").await?;
            check(app, "welcome", &mut failures).await?;
            screens += 1;
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;

            for area in AREAS {
                // The Sync area opens from the sync line under the navigation.
                let opener = if *area == "sync" { "sync-status".to_string() } else { format!("nav-{area}") };
                app.click(&opener).await?;
                app.testid(&format!("area-{area}")).await?;
                check(app, area, &mut failures).await?;
                screens += 1;
            }

            app.click("nav-tickets").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?.click().await?;
            app.testid("ticket-detail").await?;
            check(app, "ticket", &mut failures).await?;

            app.click("ticket-report-start").await?;
            app.testid("report-view").await?;
            check(app, "report form", &mut failures).await?;

            app.click("nav-tickets").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?.click().await?;
            app.click("ticket-document-change").await?;
            app.testid("change-form").await?;
            check(app, "change form", &mut failures).await?;
            screens += 3;

            // The guided visit: before, working, close-out.
            app.click("nav-tickets").await?;
            app.wait_for("[data-testid='ticket-list'] [data-testid^='ticket-row-']").await?.click().await?;
            app.click("ticket-visit-start").await?;
            app.testid("visit-arrive").await?;
            check(app, "visit: before", &mut failures).await?;
            app.click("visit-arrive").await?;
            app.testid("visit-notes").await?;
            check(app, "visit: working", &mut failures).await?;
            app.click("visit-close-out").await?;
            app.testid("visit-close-out-form").await?;
            check(app, "visit: close-out", &mut failures).await?;
            screens += 3;

            eprintln!("[a11y] {screens} screens, {} rule failures", failures.len());
            ensure(failures.is_empty(), format!("accessibility violations: {failures:#?}"))
        },
    );
}
