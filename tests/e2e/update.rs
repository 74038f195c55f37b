//! (ignored: needs root, the Tauri CLI and a few minutes) The update path of
//! an installed `.deb`, end to end, through tauri-plugin-updater's own code:
//!
//! 1. A test key pair is generated now (`cargo tauri signer generate`); two
//!    debug `.deb`s are built with its public key in the configuration
//!    (`TAURI_CONFIG` for the build, `--config` for `cargo tauri bundle`; so
//!    the app has no runtime key override): the current version, and the
//!    same source with the version bumped the same way (the honest way to
//!    make "a newer release" from one checkout). The CLI signs each with the
//!    test private key (`TAURI_SIGNING_PRIVATE_KEY`), as a release does.
//! 2. The current `.deb` is installed with `dpkg -i`, so the running binary
//!    carries the bundler's `deb` mark and the plugin takes its deb path
//!    (`dpkg -i` through `pkexec`, a graphical `sudo`, or `sudo`).
//! 3. The installed app is driven through the e2e driver against a loopback
//!    server: a `latest.json` whose signature belongs to another file, and
//!    one whose package has one byte changed, are both refused with a clear
//!    message and the installed version stays; the real one installs, the
//!    app restarts, and the new version is installed and shown.
//! 4. The package is removed again.
//!
//! Run (as root, after `npm --prefix ui run build`):
//!     FIELDKIT_APP=/usr/bin/fieldkit xvfb-run -a cargo test -p fieldkit-e2e \
//!       update::a_signed_deb -- --ignored --test-threads=1 --nocapture

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fieldkit_e2e::files_server::{latest_json, FilesServer};
use fieldkit_e2e::{app_binary, ensure, run, App, TestResult};

const INSTALLED: &str = "/usr/bin/fieldkit";
const PACKAGE: &str = "fieldkit";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `TAURI_CLI` (set by scripts/tauri-cli.sh) or `CARGO_TAURI`, else the one
/// in `.tools/tauri-cli`, else npm's in `ui/node_modules`, else `cargo-tauri`
/// on PATH.
fn tauri_cli() -> PathBuf {
    if let Some(cli) = std::env::var_os("TAURI_CLI").or_else(|| std::env::var_os("CARGO_TAURI")) {
        return PathBuf::from(cli);
    }
    [".tools/tauri-cli/bin/cargo-tauri", "ui/node_modules/.bin/tauri"]
        .into_iter()
        .map(|path| workspace().join(path))
        .find(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from("cargo-tauri"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace().join("target"))
}

fn sh(command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn installed_version() -> Option<String> {
    let output = Command::new("dpkg-query").args(["-W", "-f", "${Status} ${Version}", PACKAGE]).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.starts_with("install ok installed").then(|| text.rsplit(' ').next().unwrap_or_default().to_string())
}

/// Whether dpkg knows the package in any state but "not installed" (an
/// install under way elsewhere counts: this test must not touch it).
fn package_present() -> bool {
    let Ok(output) = Command::new("dpkg-query").args(["-W", "-f", "${Status}", PACKAGE]).output() else {
        return false;
    };
    let status = String::from_utf8_lossy(&output.stdout).into_owned();
    output.status.success() && !status.contains("not-installed") && !status.contains("config-files")
}

/// The version in tauri.conf.json, and the next patch version.
fn versions() -> (String, String) {
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workspace().join("src-tauri/tauri.conf.json")).unwrap()).unwrap();
    let current = config["version"].as_str().expect("version").to_string();
    let mut parts: Vec<u64> = current.split('.').map(|p| p.parse().expect("x.y.z")).collect();
    parts[2] += 1;
    let next = parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
    (current, next)
}

/// Builds a debug `.deb` of `version` trusting `pubkey`, signed with `key`;
/// returns the package and its signature, copied into `out`. Built as
/// scripts/package.sh --debug builds (the same cargo packages, so the test
/// script's debug build is reused; `TAURI_CONFIG` is how the CLI hands its
/// `--config` to the build), then bundled and signed by the CLI.
fn build_deb(version: &str, pubkey: &str, key: &Path, out: &Path) -> (PathBuf, String) {
    let config = serde_json::json!({
        "version": version,
        "bundle": { "createUpdaterArtifacts": true },
        "plugins": { "updater": { "pubkey": pubkey } }
    })
    .to_string();
    eprintln!("[update] building the {version} .deb (debug) …");
    let started = Instant::now();
    sh(Command::new("cargo")
        .args(["build", "--locked", "-p", "fieldkit", "-p", "fieldkit-standin"])
        .current_dir(workspace())
        .env("TAURI_CONFIG", &config));
    let _ = std::fs::remove_dir_all(target_dir().join("debug/bundle/deb"));
    sh(Command::new(tauri_cli())
        .args(["bundle", "--debug", "--bundles", "deb", "--ci", "--config", &config])
        .current_dir(workspace().join("src-tauri"))
        .env("TAURI_SIGNING_PRIVATE_KEY", key)
        .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", ""));
    eprintln!("[update] built and signed in {:?}", started.elapsed());
    let folder = target_dir().join("debug/bundle/deb");
    let deb = std::fs::read_dir(&folder)
        .expect("bundle/deb")
        .flatten()
        .map(|entry| entry.path())
        .find(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            name.contains(&format!("_{version}_")) && name.ends_with(".deb")
        })
        .unwrap_or_else(|| panic!("no {version} .deb in {}", folder.display()));
    let signature = std::fs::read_to_string(format!("{}.sig", deb.display())).expect("the .deb's signature");
    let copy = out.join(deb.file_name().unwrap());
    std::fs::copy(&deb, &copy).unwrap();
    (copy, signature)
}

/// "Check for updates", waiting for this check's answer (the offer shown
/// before it is the previous address's).
async fn check(app: &App) -> TestResult {
    let before = app.attribute_of("updates-status", "data-checked-at").await?;
    app.click("updates-check").await?;
    app.eventually("the check's answer", async || {
        Ok((app.attribute_of("updates-status", "data-checked-at").await? != before).then_some(()))
    })
    .await
}

/// Removes the package when the test ends, however it ends.
struct Uninstall;

impl Drop for Uninstall {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["-r", PACKAGE]).status();
    }
}

#[test]
#[ignore = "root: builds two .deb packages and installs them (scripts/test.sh runs it after the package build)"]
fn a_signed_deb_update_installs_and_a_tampered_one_is_refused() {
    assert_eq!(sh(Command::new("id").arg("-u")).trim(), "0", "run as root: it installs a package");
    assert_eq!(app_binary(), Path::new(INSTALLED), "run with FIELDKIT_APP={INSTALLED}: the installed app is driven");
    let cli = Command::new(tauri_cli()).arg("--version").output();
    assert!(
        cli.is_ok_and(|out| out.status.success()),
        "the Tauri CLI ({}) does not run: scripts/package.sh installs it, or set TAURI_CLI",
        tauri_cli().display()
    );
    assert!(
        !package_present(),
        "{PACKAGE} is installed already (or being installed): remove it first (dpkg -r {PACKAGE})"
    );

    // 1. The test key pair, and two signed packages.
    let work = tempfile::tempdir().unwrap();
    let key = work.path().join("update-test.key");
    sh(Command::new(tauri_cli()).args(["signer", "generate", "--ci", "-p", "", "-w"]).arg(&key));
    let pubkey = std::fs::read_to_string(key.with_extension("key.pub")).expect("the public key").trim().to_string();
    let (current, next) = versions();
    let (new_deb, new_sig) = build_deb(&next, &pubkey, &key, work.path());
    let (old_deb, old_sig) = build_deb(&current, &pubkey, &key, work.path());

    // 2. The current version, installed from its package.
    let _uninstall = Uninstall;
    sh(Command::new("dpkg").arg("-i").arg(&old_deb));
    assert_eq!(installed_version().as_deref(), Some(current.as_str()));

    // 3. The MSP's update folder on loopback.
    let server = FilesServer::start();
    let new_bytes = std::fs::read(&new_deb).unwrap();
    let mut tampered = new_bytes.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    server.put("/new.deb", new_bytes.clone());
    server.put("/tampered.deb", tampered);
    let notes = "Faster search.\nA fix for the timer.";
    let platform = "linux-x86_64-deb";
    // The newer package with the older package's signature: a valid key, the wrong file.
    server.put("/wrong-signature/latest.json", latest_json(&next, notes, platform, &server.url("/new.deb"), &old_sig));
    // One byte changed on the way.
    server.put("/tampered/latest.json", latest_json(&next, notes, platform, &server.url("/tampered.deb"), &new_sig));
    server.put("/stable/latest.json", latest_json(&next, notes, platform, &server.url("/new.deb"), &new_sig));

    run(
        "update_deb",
        |_| {},
        async |slot: &mut Option<App>| -> TestResult {
            let app = slot.as_ref().expect("app running");
            app.click("load-sample-data").await?;
            app.testid("area-customers").await?;
            app.click("nav-settings").await?;
            ensure(app.text_of("updates-current-version").await? == current, "the installed version is shown")?;

            for (folder, what) in
                [("/wrong-signature", "a signature of another file"), ("/tampered", "one byte changed")]
            {
                eprintln!("[update] {what}");
                app.type_into("updates-endpoint", &server.url(&format!("{folder}/latest.json"))).await?;
                app.click("updates-save").await?;
                app.testid("updates-saved").await?;
                check(app).await?;
                ensure(app.text_of("updates-available-version").await? == next, "the update is offered")?;
                // The sample data is quiet (no open visit, nothing unsent): no wait.
                app.click("updates-install").await?;
                let error = app.text_of("updates-install-error").await?;
                eprintln!("[update] refused: {error}");
                ensure(error.contains("refused") && error.contains("signature"), format!("{what}: {error}"))?;
                ensure(installed_version().as_deref() == Some(current.as_str()), "the installed version stays")?;
            }

            // The real update: verified, installed with dpkg, and the app restarts.
            app.type_into("updates-endpoint", &server.url("/{channel}/latest.json")).await?;
            app.click("updates-save").await?;
            app.testid("updates-saved").await?;
            check(app).await?;
            ensure(app.text_of("updates-available-version").await? == next, "the update is offered")?;
            ensure(app.text_of("updates-notes").await?.contains("A fix for the timer."), "its notes")?;
            app.click("updates-install").await?;
            let started = Instant::now();
            while installed_version().as_deref() != Some(next.as_str()) {
                ensure(started.elapsed() < Duration::from_secs(120), "the new package was not installed in 2 minutes")?;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            eprintln!("[update] {next} installed in {:?}", started.elapsed());

            // The restarted app (in the driver's process group) goes with the
            // old session; a new session sees the new version.
            let data_dir = app.data_dir().to_path_buf();
            if let Some(old) = slot.take() {
                let _ = tokio::time::timeout(Duration::from_secs(5), old.quit()).await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            let app = slot.insert(App::launch(&data_dir).await?);
            app.click("nav-settings").await?;
            let shown = app.text_of("updates-current-version").await?;
            ensure(shown == next, format!("the new version runs: {shown}"))?;
            Ok(())
        },
    );
}
