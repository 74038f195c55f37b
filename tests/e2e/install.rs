//! The installed package, as a technician gets it: the `.deb` built by
//! `scripts/package.sh --debug` is installed with apt-get, the INSTALLED
//! `/usr/bin/fieldkit` is started under Xvfb through the driver (window,
//! version in Settings, a first-run data folder only its owner can open), its
//! desktop entry and icons are checked, and the package is removed again,
//! leaving the technician's data folder in place.
//!
//! It changes the system, so it is ignored by default and needs root (CI runs
//! as root): `scripts/test.sh` runs it after `scripts/package.sh --debug`.
//! By hand: `FIELDKIT_DEB=target/debug/bundle/deb/Fieldkit_….deb xvfb-run -a
//! cargo test -p fieldkit-e2e --test e2e install:: -- --ignored --nocapture`.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use fieldkit_e2e::{ensure, App, TestResult};

const INSTALLED: &str = "/usr/bin/fieldkit";
const DESKTOP_ENTRY: &str = "/usr/share/applications/Fieldkit.desktop";
/// The window's WM_CLASS class (checked with `xprop`): the desktop entry's
/// `StartupWMClass` must name it so docks group the window under the entry.
const WM_CLASS: &str = "Fieldkit";
const ICON_SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];

#[test]
#[ignore = "installs the .deb into the system (needs root): run by scripts/test.sh after scripts/package.sh --debug"]
fn the_deb_installs_starts_shows_its_version_and_uninstalls_keeping_the_data() {
    if !is_root() {
        eprintln!(
            "[install] SKIPPED: installing a package needs root (CI runs as root); run it as root to check the .deb"
        );
        return;
    }
    if which("apt-get").is_none() {
        eprintln!("[install] SKIPPED: no apt-get here (the .deb test needs Debian or Ubuntu)");
        return;
    }
    let deb = find_deb();
    let version = dpkg_field(&deb, "Version");
    eprintln!("[install] package {} version {version}", deb.display());

    every_linked_library_is_a_declared_dependency(&deb);

    // Depends only: what a missing dependency would break is what is checked.
    run(&[
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
        "--allow-downgrades",
        "--reinstall",
        &deb.display().to_string(),
    ]);
    let outcome = std::panic::catch_unwind(|| {
        the_installed_files_are_whole();
        let home = tempfile::tempdir().expect("a home folder");
        let data = home.path().join(".local/share/com.fieldkit.app");
        run_installed_app(home.path(), &data, &version);
        (home, data)
    });
    // Removed whatever happened, so a failure leaves no package behind.
    run(&["apt-get", "remove", "-y", "fieldkit"]);
    let (home, data) = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic));

    assert!(!Path::new(INSTALLED).exists(), "{INSTALLED} is still there after apt-get remove");
    assert!(!Path::new(DESKTOP_ENTRY).exists(), "the desktop entry is still there after apt-get remove");
    assert!(
        data.join("fieldkit.db").is_file(),
        "removing the package must leave the technician's data in {}",
        data.display()
    );
    drop(home);
}

/// Starts the installed app twice on an empty home: the first start creates
/// the data folder (owner-only) and shows the version in Settings.
fn run_installed_app(home: &Path, data: &Path, version: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let (app, cold) = App::launch_installed(Path::new(INSTALLED), home).await.expect("the installed app starts");
        println!("[install] cold start of the installed app to its first drivable page: {} ms", cold.as_millis());
        let checked = check_first_start(&app, data, version).await;
        if let Err(error) = &checked {
            app.keep_screenshot("install_failed").await;
            let _ = app.quit().await;
            panic!("the installed app: {error}");
        }
        app.quit().await.expect("the app quits");
        tokio::time::sleep(Duration::from_millis(500)).await;

        let (app, warm) = App::launch_installed(Path::new(INSTALLED), home).await.expect("the app starts again");
        println!("[install] second start of the installed app to its first drivable page: {} ms", warm.as_millis());
        app.quit().await.expect("the app quits");
    });
}

async fn check_first_start(app: &App, data: &Path, version: &str) -> TestResult {
    let title = app.client.title().await?;
    ensure(title == "Fieldkit", format!("page title {title:?}"))?;
    // The X window: titled Fieldkit, with the class the desktop entry names.
    if which("xwininfo").is_some() {
        let tree = Command::new("xwininfo").args(["-root", "-tree"]).output()?;
        let tree = String::from_utf8_lossy(&tree.stdout);
        let window = format!("\"Fieldkit\": (\"fieldkit\" \"{WM_CLASS}\")");
        ensure(tree.lines().any(|line| line.contains(&window)), format!("no window {window} in:\n{tree}"))?;
    } else {
        eprintln!("[install] xwininfo (x11-utils) is not installed: the window's WM_CLASS was not checked");
    }
    app.click("start-empty").await?;
    app.click("nav-settings").await?;
    let shown = app
        .eventually("the version in Settings", async || {
            let text = app.text_of("app-version").await?;
            Ok((!text.is_empty()).then_some(text))
        })
        .await?;
    ensure(shown == version, format!("Settings shows version {shown:?}, the package is {version:?}"))?;
    let database = app.text_of("settings-database-path").await?;
    ensure(
        database == data.join("fieldkit.db").display().to_string(),
        format!("the installed app keeps its database at {database}, not in the OS app-data folder {}", data.display()),
    )?;
    app.scroll_to("app-version").await?;
    app.keep_screenshot("install_settings").await;

    let mode = |path: &Path| std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777);
    ensure(mode(data)? == 0o700, format!("data folder {} has mode {:o}, not 700", data.display(), mode(data)?))?;
    let db = data.join("fieldkit.db");
    ensure(mode(&db)? == 0o600, format!("database has mode {:o}, not 600", mode(&db)?))?;
    Ok(())
}

/// The binary, its desktop entry (valid, with our class, icon and
/// categories) and the icon at every size, each a PNG of that size.
fn the_installed_files_are_whole() {
    let binary = std::fs::metadata(INSTALLED).expect("the package installs /usr/bin/fieldkit");
    assert!(binary.permissions().mode() & 0o111 != 0, "{INSTALLED} is not executable");

    let entry = std::fs::read_to_string(DESKTOP_ENTRY).expect("the package installs its desktop entry");
    for line in [
        "Name=Fieldkit",
        "Exec=fieldkit",
        "Icon=fieldkit",
        "Type=Application",
        "Categories=Office;ProjectManagement;",
        &format!("StartupWMClass={WM_CLASS}"),
    ] {
        assert!(entry.lines().any(|l| l == line), "the desktop entry lacks {line:?}:\n{entry}");
    }
    if which("desktop-file-validate").is_some() {
        let output = Command::new("desktop-file-validate").arg(DESKTOP_ENTRY).output().expect("desktop-file-validate");
        let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success() && said.trim().is_empty(), "desktop-file-validate: {said}");
    } else {
        eprintln!("[install] desktop-file-validate is not installed: the entry was checked line by line only");
    }

    for size in ICON_SIZES {
        let path = format!("/usr/share/icons/hicolor/{size}x{size}/apps/fieldkit.png");
        let png = std::fs::read(&path).unwrap_or_else(|error| panic!("icon {path}: {error}"));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{path} is not a PNG");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (size, size), "{path} has the wrong size");
    }
}

/// What the binary links (dpkg-shlibdeps over the built binary) is all in
/// the package's `Depends`, so `apt install ./Fieldkit_….deb` on a clean
/// machine pulls it, even though this machine has it all already.
fn every_linked_library_is_a_declared_dependency(deb: &Path) {
    let depends = dpkg_field(deb, "Depends");
    let declared: BTreeSet<String> = depends
        .split([',', '|'])
        .filter_map(|alternative| alternative.split_whitespace().next())
        .map(str::to_string)
        .collect();
    if which("dpkg-shlibdeps").is_none() {
        eprintln!("[install] dpkg-shlibdeps is not installed (dpkg-dev): linked libraries not compared with Depends");
        return;
    }
    let scratch = tempfile::tempdir().expect("scratch");
    let unpacked = scratch.path().join("root");
    run(&["dpkg-deb", "-x", &deb.display().to_string(), &unpacked.display().to_string()]);
    std::fs::create_dir_all(scratch.path().join("debian")).unwrap();
    std::fs::write(scratch.path().join("debian/control"), "Source: fieldkit\n\nPackage: fieldkit\nArchitecture: any\n")
        .unwrap();
    let output = Command::new("dpkg-shlibdeps")
        .arg("-O")
        .arg(unpacked.join("usr/bin/fieldkit"))
        .current_dir(scratch.path())
        .output()
        .expect("dpkg-shlibdeps");
    assert!(output.status.success(), "dpkg-shlibdeps: {}", String::from_utf8_lossy(&output.stderr));
    let needed = String::from_utf8_lossy(&output.stdout);
    let needed =
        needed.trim().strip_prefix("shlibs:Depends=").unwrap_or_else(|| panic!("dpkg-shlibdeps said {needed}"));
    let missing: Vec<&str> = needed
        .split(',')
        .filter_map(|dependency| dependency.split_whitespace().next())
        .filter(|package| !declared.contains(*package) && !declared.contains(&format!("{package}t64")))
        .collect();
    assert!(
        missing.is_empty(),
        "the binary links libraries of {missing:?}, which the .deb does not declare (Depends: {depends}); add them to bundle.linux.deb.depends in src-tauri/tauri.conf.json"
    );
}

fn find_deb() -> PathBuf {
    if let Some(deb) = std::env::var_os("FIELDKIT_DEB") {
        return PathBuf::from(deb);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let folder = target.join("debug/bundle/deb");
    let mut debs: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    debs.retain(|path| path.extension().is_some_and(|e| e == "deb"));
    debs.sort_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok());
    debs.pop().unwrap_or_else(|| {
        panic!("no .deb in {}: run scripts/package.sh --debug first (or set FIELDKIT_DEB)", folder.display())
    })
}

fn dpkg_field(deb: &Path, field: &str) -> String {
    let output = Command::new("dpkg-deb").arg("-f").arg(deb).arg(field).output().expect("dpkg-deb");
    assert!(output.status.success(), "dpkg-deb -f {}: {}", deb.display(), String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn run(command: &[&str]) {
    eprintln!("[install] {}", command.join(" "));
    let status = Command::new(command[0])
        .args(&command[1..])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .unwrap_or_else(|error| panic!("{}: {error}", command[0]));
    assert!(status.success(), "{} failed: {status}", command.join(" "));
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(tool)).find(|path| path.is_file())
}
