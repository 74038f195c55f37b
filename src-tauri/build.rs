//! Generates the Tauri context and one `allow-<command>` permission per app
//! command, so `capabilities/` can grant exactly the commands the UI uses.

// `with_commands!`: the one list of commands, shared with `commands::handler`.
include!("src/commands/list.rs");

/// The commands' names, from `file::command` paths.
macro_rules! names {
    ($($file:ident::$command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

const COMMANDS: &[&str] = with_commands!(names);

fn main() {
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
