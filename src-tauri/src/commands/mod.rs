//! The IPC commands: each unpacks its arguments, calls one core function off
//! the main thread and returns. Errors cross as `ErrorPayload`.

mod changes;
mod customers;
mod database;
mod reports;
mod settings;
mod stock;
mod sync;
mod tickets;
mod time;

use std::sync::Arc;

use fieldkit_core::app_database::AppDatabase;
use fieldkit_core::{Db, ErrorPayload};
use tauri::{ipc::Invoke, State, Wry};

/// The registered commands; `build.rs` lists the same names for permissions.
pub fn handler() -> impl Fn(Invoke<Wry>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        database::database_status,
        database::database_move_aside,
        customers::customers_list,
        customers::customer_get,
        customers::customer_save,
        customers::resources_list,
        customers::sample_data_load,
        customers::contact_open,
        tickets::tickets_list,
        tickets::ticket_view_counts,
        tickets::ticket_get,
        tickets::tickets_search,
        tickets::ticket_add_note,
        tickets::ticket_change_status,
        tickets::ticket_take,
        tickets::ticket_schedule,
        tickets::ticket_send_scheduling_link,
        tickets::ticket_raise_noticed,
        tickets::discrepancy_report_file,
        tickets::picklists_list,
        tickets::schedule_agenda,
        tickets::outbox_list,
        settings::settings_get,
        settings::settings_save,
        time::timer_get,
        time::timer_start,
        time::timer_pause,
        time::timer_resume,
        time::timer_stop,
        time::time_entry_save,
        time::time_placeholder_save,
        time::time_placeholders_list,
        time::time_week,
        time::time_weekly_check,
        changes::vault_status,
        changes::vault_set_up,
        changes::vault_unlock,
        changes::vault_lock,
        changes::vault_set_idle_lock,
        changes::vault_reset_preview,
        changes::vault_reset,
        changes::change_forms,
        changes::devices_list,
        changes::changes_list,
        changes::change_save,
        changes::change_history,
        changes::change_secret,
        changes::change_copy_secret,
        changes::change_post_to_ticket,
        changes::changes_export,
        reports::reports_list,
        reports::report_create,
        reports::report_get,
        reports::report_correct,
        reports::report_save_draft,
        reports::report_stamp,
        reports::report_seal,
        reports::report_verify,
        reports::seal_public_key,
        reports::report_pdf,
        reports::report_pdf_save_as,
        reports::report_pdf_open,
        stock::stock_list,
        stock::stock_item_save,
        stock::stock_item_history,
        stock::stock_record,
        stock::stock_take,
        stock::stock_usage,
        sync::sync_settings_get,
        sync::sync_settings_save,
        sync::sync_test,
        sync::sync_now,
        sync::sync_overview,
        sync::sync_retry,
        sync::sync_conflicts,
        sync::sync_resolve,
    ]
}

type AppState<'a> = State<'a, Arc<AppDatabase>>;

/// The app's clock: the system's, moved by `FIELDKIT_CLOCK_OFFSET_MINUTES`
/// when set (end-to-end tests move time forward across restarts with it) —
/// at most seven days, and in a release build only with
/// `FIELDKIT_TEST_SWITCHES=1` (see `fieldkit_core::test_switches`).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    static OFFSET: std::sync::OnceLock<chrono::Duration> = std::sync::OnceLock::new();
    let offset = OFFSET.get_or_init(fieldkit_core::test_switches::clock_offset_from_env);
    chrono::Utc::now() + *offset
}

/// Runs `work` on the blocking pool with the open database.
async fn with_db<T, F>(state: AppState<'_>, work: F) -> Result<T, ErrorPayload>
where
    T: Send + 'static,
    F: FnOnce(&Db) -> Result<T, ErrorPayload> + Send + 'static,
{
    let db = state.db()?;
    tauri::async_runtime::spawn_blocking(move || work(&db))
        .await
        .map_err(|error| ErrorPayload::internal(format!("The operation stopped unexpectedly: {error}")))?
}
