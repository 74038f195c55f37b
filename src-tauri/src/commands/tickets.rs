//! The ticket cache: views, detail, search, the technician's actions on a
//! ticket (each answered with the ticket as it now stands), tickets raised
//! from the field, the schedule and the outbox.

use fieldkit_core::outbox::{self, OutboxEntry};
use fieldkit_core::picklists::{self, PicklistValue};
use fieldkit_core::schedule::{self, Agenda, DayQuery};
use fieldkit_core::tickets::{
    self, AppointmentDraft, DiscrepancyDraft, NoteDraft, NoticedTicketDraft, TicketDetail, TicketPage, TicketQuery,
    TicketSearchResults, ViewCount,
};
use fieldkit_core::ErrorPayload;
use uuid::Uuid;

use super::{now, with_db, AppState};

#[tauri::command]
pub async fn tickets_list(state: AppState<'_>, query: TicketQuery) -> Result<TicketPage, ErrorPayload> {
    with_db(state, move |db| Ok(tickets::list_tickets(db, &query, now())?)).await
}

#[tauri::command]
pub async fn ticket_view_counts(state: AppState<'_>) -> Result<Vec<ViewCount>, ErrorPayload> {
    with_db(state, |db| Ok(tickets::view_counts(db, now())?)).await
}

#[tauri::command]
pub async fn ticket_get(state: AppState<'_>, id: Uuid) -> Result<TicketDetail, ErrorPayload> {
    with_db(state, move |db| Ok(tickets::get_ticket(db, id, now())?)).await
}

#[tauri::command]
pub async fn tickets_search(state: AppState<'_>, text: String) -> Result<TicketSearchResults, ErrorPayload> {
    with_db(state, move |db| {
        // A note saved a moment ago is found too.
        tickets::catch_up_search(db)?;
        Ok(tickets::search_tickets(db, &text, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_add_note(state: AppState<'_>, draft: NoteDraft) -> Result<TicketDetail, ErrorPayload> {
    with_db(state, move |db| {
        tickets::add_note(db, &draft, now())?;
        tickets::catch_up_search(db)?;
        Ok(tickets::get_ticket(db, draft.ticket_id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_change_status(state: AppState<'_>, id: Uuid, status: i64) -> Result<TicketDetail, ErrorPayload> {
    with_db(state, move |db| {
        tickets::change_status(db, id, status, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_take(state: AppState<'_>, id: Uuid) -> Result<TicketDetail, ErrorPayload> {
    with_db(state, move |db| {
        tickets::take_ticket(db, id, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_schedule(state: AppState<'_>, draft: AppointmentDraft) -> Result<TicketDetail, ErrorPayload> {
    with_db(state, move |db| {
        tickets::schedule_appointment(db, &draft, now())?;
        Ok(tickets::get_ticket(db, draft.ticket_id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_send_scheduling_link(state: AppState<'_>, id: Uuid) -> Result<TicketDetail, ErrorPayload> {
    with_db(state, move |db| {
        tickets::copy_scheduling_link(db, id, now())?;
        tickets::catch_up_search(db)?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_raise_noticed(
    state: AppState<'_>,
    draft: NoticedTicketDraft,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(state, move |db| {
        let id = tickets::raise_noticed_ticket(db, &draft, now())?;
        tickets::catch_up_search(db)?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn discrepancy_report_file(
    state: AppState<'_>,
    draft: DiscrepancyDraft,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(state, move |db| {
        let id = tickets::file_discrepancy_report(db, &draft, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn picklists_list(state: AppState<'_>) -> Result<Vec<PicklistValue>, ErrorPayload> {
    with_db(state, |db| Ok(picklists::list_picklists(db)?)).await
}

#[tauri::command]
pub async fn schedule_agenda(state: AppState<'_>, day: DayQuery) -> Result<Agenda, ErrorPayload> {
    with_db(state, move |db| Ok(schedule::agenda(db, &day, now())?)).await
}

#[tauri::command]
pub async fn outbox_list(state: AppState<'_>) -> Result<Vec<OutboxEntry>, ErrorPayload> {
    with_db(state, |db| Ok(outbox::list_pending(db)?)).await
}
