//! The ticket cache: views, detail, search, the technician's actions on a
//! ticket (each answered with the ticket as it now stands) and tickets
//! raised from the field.

use fieldkit_core::clock::now;
use fieldkit_core::tickets::{
    self, AppointmentDraft, CallTicketDraft, ChecklistItem, DiscrepancyDraft, NoteDraft, NoticedTicketDraft,
    OfficeAdminMode, OfficeAdminModeDraft, TicketDetail, TicketPage, TicketQuery, TicketSearchResults, TicketSummary,
    ViewCount,
};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{with_db, DatabaseHandle};

#[tauri::command]
pub async fn tickets_list(database: DatabaseHandle<'_>, query: TicketQuery) -> Result<TicketPage, ErrorPayload> {
    with_db(database, move |db| Ok(tickets::list_tickets(db, &query, now())?)).await
}

#[tauri::command]
pub async fn ticket_view_counts(database: DatabaseHandle<'_>) -> Result<Vec<ViewCount>, ErrorPayload> {
    with_db(database, |db| Ok(tickets::view_counts(db, now())?)).await
}

#[tauri::command]
pub async fn ticket_get(database: DatabaseHandle<'_>, id: Uuid) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| Ok(tickets::get_ticket(db, id, now())?)).await
}

#[tauri::command]
pub async fn tickets_search(database: DatabaseHandle<'_>, text: String) -> Result<TicketSearchResults, ErrorPayload> {
    with_db(database, move |db| {
        // A note saved a moment ago is found too.
        tickets::catch_up_search(db)?;
        Ok(tickets::search_tickets(db, &text, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_add_note(database: DatabaseHandle<'_>, draft: NoteDraft) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        tickets::add_note(db, &draft, now())?;
        tickets::catch_up_search(db)?;
        Ok(tickets::get_ticket(db, draft.ticket_id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_change_status(
    database: DatabaseHandle<'_>,
    id: Uuid,
    status: i64,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        tickets::change_status(db, id, status, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_take(database: DatabaseHandle<'_>, id: Uuid) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        tickets::take_ticket(db, id, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_schedule(
    database: DatabaseHandle<'_>,
    draft: AppointmentDraft,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        tickets::schedule_appointment(db, &draft, now())?;
        Ok(tickets::get_ticket(db, draft.ticket_id, now())?)
    })
    .await
}

/// Posts a customer-visible note on the ticket with my scheduling link.
#[tauri::command]
pub async fn ticket_post_scheduling_link(database: DatabaseHandle<'_>, id: Uuid) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        tickets::post_scheduling_link_note(db, id, now())?;
        tickets::catch_up_search(db)?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_raise_noticed(
    database: DatabaseHandle<'_>,
    draft: NoticedTicketDraft,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        let id = tickets::raise_noticed_ticket(db, &draft, now())?;
        tickets::catch_up_search(db)?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn discrepancy_report_file(
    database: DatabaseHandle<'_>,
    draft: DiscrepancyDraft,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        let id = tickets::file_discrepancy_report(db, &draft, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

/// A ticket's checklist, in the PSA's order.
#[tauri::command]
pub async fn ticket_checklist(
    database: DatabaseHandle<'_>,
    ticket_id: Uuid,
) -> Result<Vec<ChecklistItem>, ErrorPayload> {
    with_db(database, move |db| Ok(tickets::ticket_checklist(db, ticket_id)?)).await
}

/// Ticks or unticks a checklist item as me (sent to the PSA by the sync).
#[tauri::command]
pub async fn ticket_checklist_set(
    database: DatabaseHandle<'_>,
    item_id: Uuid,
    completed: bool,
) -> Result<ChecklistItem, ErrorPayload> {
    with_db(database, move |db| Ok(tickets::set_checklist_item(db, item_id, completed, now())?)).await
}

/// A discrepancy report naming an unticked checklist item; the new ticket.
#[tauri::command]
pub async fn ticket_checklist_report(
    database: DatabaseHandle<'_>,
    item_id: Uuid,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        let id = tickets::report_unticked_checklist_item(db, item_id, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

/// Filling in for the office admin: a new ticket from a phone call or an
/// e-mail, created offline with its outbox entry.
#[tauri::command]
pub async fn ticket_log_call(
    database: DatabaseHandle<'_>,
    draft: CallTicketDraft,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        let id = tickets::log_call_ticket(db, &draft, now())?;
        tickets::catch_up_search(db)?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

/// A contact's open tickets, newest first (shown before a new one is logged).
#[tauri::command]
pub async fn contact_open_tickets(
    database: DatabaseHandle<'_>,
    contact_id: Uuid,
) -> Result<Vec<TicketSummary>, ErrorPayload> {
    with_db(database, move |db| Ok(tickets::contact_open_tickets(db, contact_id, now())?)).await
}

#[tauri::command]
pub async fn office_admin_mode_get(database: DatabaseHandle<'_>) -> Result<OfficeAdminMode, ErrorPayload> {
    with_db(database, |db| Ok(tickets::get_office_admin_mode(db, now())?)).await
}

#[tauri::command]
pub async fn office_admin_mode_save(
    database: DatabaseHandle<'_>,
    draft: OfficeAdminModeDraft,
) -> Result<OfficeAdminMode, ErrorPayload> {
    with_db(database, move |db| Ok(tickets::save_office_admin_mode(db, &draft, now())?)).await
}
