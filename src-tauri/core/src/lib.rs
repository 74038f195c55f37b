//! Fieldkit's core: the technician's domain model and its local SQLite store.
//!
//! This crate never depends on `tauri`: everything here builds, runs and is
//! tested without a window. The shell (`src-tauri`) wraps one core function
//! per command.

pub mod about;
pub mod app_database;
pub mod backup;
pub mod changes;
pub mod clock;
pub mod customers;
pub mod data_dir;
pub mod db;
pub mod devices;
pub mod error;
pub mod files;
pub mod first_screen;
pub mod notice_inbox;
pub mod notifications;
pub mod outbox;
pub mod picklists;
pub mod reports;
pub mod resources;
pub mod sample_data;
pub mod schedule;
pub mod secret_clipboard;
pub mod settings;
pub mod stock;
pub mod sync;
pub mod team;
pub mod test_switches;
pub mod tickets;
pub mod time;
pub mod today;
pub mod updates;
pub mod url_templates;
pub mod validation;
pub mod vault;
pub mod visits;

pub use db::Db;
pub use error::ErrorPayload;
