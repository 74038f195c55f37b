//! The Fieldkit desktop app's entry point.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(code) = fieldkit_app::cli::run(&args) {
        std::process::exit(code);
    }
    fieldkit_app::run();
}
