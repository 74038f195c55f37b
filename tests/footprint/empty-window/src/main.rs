//! An empty Tauri 2 window: the yardstick `fieldkit-footprint` measures
//! Fieldkit against. Nothing but the window and its embedded page (one
//! element the benchmark waits for, as it waits for Fieldkit's first screen).

// No console window on Windows release builds, like Fieldkit.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("error while running the empty window");
}
