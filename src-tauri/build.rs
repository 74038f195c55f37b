//! Generates the Tauri context and one `allow-<command>` permission per app
//! command, so `capabilities/` can grant exactly the commands the UI uses.

/// Every command the shell registers; keep in step with `commands::handler`.
const COMMANDS: &[&str] = &[
    "database_status",
    "database_move_aside",
    "customers_list",
    "customer_get",
    "customer_save",
    "resources_list",
    "sample_data_load",
    "contact_open",
    "tickets_list",
    "ticket_view_counts",
    "ticket_get",
    "tickets_search",
    "ticket_add_note",
    "ticket_change_status",
    "ticket_take",
    "ticket_schedule",
    "ticket_send_scheduling_link",
    "ticket_raise_noticed",
    "discrepancy_report_file",
    "picklists_list",
    "schedule_agenda",
    "outbox_list",
    "settings_get",
    "settings_save",
    "timer_get",
    "timer_start",
    "timer_pause",
    "timer_resume",
    "timer_stop",
    "time_entry_save",
    "time_placeholder_save",
    "time_placeholders_list",
    "time_week",
    "time_weekly_check",
    "vault_status",
    "vault_set_up",
    "vault_unlock",
    "vault_lock",
    "change_forms",
    "devices_list",
    "changes_list",
    "change_save",
    "change_history",
    "change_secret",
    "change_post_to_ticket",
    "changes_export",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
