//! The team: asking for help on Slack (the message, its note and their
//! outbox entries), the queued messages ("send again", "discard"), and the
//! Slack settings (the webhook goes to the vault) with a test message.

use std::time::Duration;

use chrono::NaiveDate;
use fieldkit_core::changes::Exported;
use fieldkit_core::clock::now;
use fieldkit_core::team::{
    self, Assignee, EscalationDraft, HelpRequestDraft, SlackMessage, SlackSettings, SlackSettingsDraft,
};
use fieldkit_core::team::{HandoffDraft, HandoffOverview, MeetingQuestion, MeetingQuestionDraft};
use fieldkit_core::tickets::{self, TicketDetail};
use fieldkit_core::ErrorPayload;
use tauri::State;
use uuid::Uuid;

use super::{with_db, DatabaseHandle, VaultHandle};
use crate::sync_service::SyncService;

#[tauri::command]
pub async fn help_request_draft(
    database: DatabaseHandle<'_>,
    ticket_id: Uuid,
) -> Result<HelpRequestDraft, ErrorPayload> {
    with_db(database, move |db| Ok(team::help_request_draft(db, ticket_id)?)).await
}

/// Queues the message for Slack with its note on the ticket; the sync sends it.
#[tauri::command]
pub async fn help_request_send(
    database: DatabaseHandle<'_>,
    service: State<'_, SyncService>,
    draft: HelpRequestDraft,
) -> Result<SlackMessage, ErrorPayload> {
    let message = with_db(database, move |db| {
        let message = team::ask_for_help(db, &draft, now())?;
        tickets::catch_up_search(db)?;
        Ok(message)
    })
    .await?;
    service.wake();
    Ok(message)
}

/// A ticket's messages, or (without one) those waiting or needing the technician.
#[tauri::command]
pub async fn slack_messages_list(
    database: DatabaseHandle<'_>,
    ticket_id: Option<Uuid>,
) -> Result<Vec<SlackMessage>, ErrorPayload> {
    with_db(database, move |db| Ok(team::list_slack_messages(db, ticket_id)?)).await
}

#[tauri::command]
pub async fn slack_message_resend(
    database: DatabaseHandle<'_>,
    service: State<'_, SyncService>,
    id: Uuid,
) -> Result<SlackMessage, ErrorPayload> {
    let message = with_db(database, move |db| Ok(team::resend_slack_message(db, id, now())?)).await?;
    service.wake();
    Ok(message)
}

#[tauri::command]
pub async fn slack_message_discard(database: DatabaseHandle<'_>, id: Uuid) -> Result<SlackMessage, ErrorPayload> {
    with_db(database, move |db| Ok(team::discard_slack_message(db, id, now())?)).await
}

#[tauri::command]
pub async fn slack_settings_get(database: DatabaseHandle<'_>) -> Result<SlackSettings, ErrorPayload> {
    with_db(database, |db| Ok(team::get_slack_settings(db)?)).await
}

/// Saves the Slack settings; the webhook URL is sealed by the vault.
#[tauri::command]
pub async fn slack_settings_save(
    database: DatabaseHandle<'_>,
    vault: VaultHandle<'_>,
    service: State<'_, SyncService>,
    draft: SlackSettingsDraft,
) -> Result<SlackSettings, ErrorPayload> {
    let vault = vault.inner().clone();
    let saved = with_db(database, move |db| Ok(team::save_slack_settings(db, &vault, &draft)?)).await?;
    service.wake();
    Ok(saved)
}

/// Posts a test message to the stored webhook now; Slack's answer in words.
#[tauri::command]
pub async fn slack_test(database: DatabaseHandle<'_>, vault: VaultHandle<'_>) -> Result<String, ErrorPayload> {
    let db = database.db()?;
    Ok(team::send_slack_test_message(&db, &vault, Duration::from_secs(20)).await?)
}

/// The people a ticket can be handed to (senior technicians first).
#[tauri::command]
pub async fn assignees_list(database: DatabaseHandle<'_>) -> Result<Vec<Assignee>, ErrorPayload> {
    with_db(database, |db| Ok(team::list_assignees(db)?)).await
}

/// Escalates to a senior technician; answers the ticket as it now stands.
#[tauri::command]
pub async fn ticket_escalate(
    database: DatabaseHandle<'_>,
    draft: EscalationDraft,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        team::escalate_ticket(db, &draft, now())?;
        tickets::catch_up_search(db)?;
        Ok(tickets::get_ticket(db, draft.ticket_id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_reassign(database: DatabaseHandle<'_>, id: Uuid, to: String) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        team::reassign_ticket(db, id, &to, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_change_priority(
    database: DatabaseHandle<'_>,
    id: Uuid,
    priority: i64,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        team::change_priority(db, id, priority, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

#[tauri::command]
pub async fn ticket_change_queue(
    database: DatabaseHandle<'_>,
    id: Uuid,
    queue: i64,
) -> Result<TicketDetail, ErrorPayload> {
    with_db(database, move |db| {
        team::change_queue(db, id, queue, now())?;
        Ok(tickets::get_ticket(db, id, now())?)
    })
    .await
}

/// "Add to my questions for the weekly meeting" (a ticket, change or report).
#[tauri::command]
pub async fn meeting_question_add(
    database: DatabaseHandle<'_>,
    draft: MeetingQuestionDraft,
) -> Result<MeetingQuestion, ErrorPayload> {
    with_db(database, move |db| Ok(team::add_meeting_question(db, &draft, now())?)).await
}

#[tauri::command]
pub async fn meeting_questions_list(database: DatabaseHandle<'_>) -> Result<Vec<MeetingQuestion>, ErrorPayload> {
    with_db(database, |db| Ok(team::list_meeting_questions(db)?)).await
}

#[tauri::command]
pub async fn meeting_question_answer(
    database: DatabaseHandle<'_>,
    id: Uuid,
    answer: String,
) -> Result<MeetingQuestion, ErrorPayload> {
    with_db(database, move |db| Ok(team::answer_meeting_question(db, id, &answer, now())?)).await
}

/// Writes a week's questions as Markdown into the exports folder.
#[tauri::command]
pub async fn meeting_questions_export(database: DatabaseHandle<'_>, week: NaiveDate) -> Result<Exported, ErrorPayload> {
    let folder = database.inner().exports_dir();
    with_db(database, move |db| Ok(team::export_meeting_questions(db, &folder, week)?)).await
}

/// The shift handoff: what I touched today, with the note composed from it.
#[tauri::command]
pub async fn handoff_overview(database: DatabaseHandle<'_>) -> Result<HandoffOverview, ErrorPayload> {
    with_db(database, |db| Ok(team::handoff_overview(db, now())?)).await
}

/// Posts the handoff note to the chosen tickets (internal) and/or Slack; answers how many.
#[tauri::command]
pub async fn handoff_post(
    database: DatabaseHandle<'_>,
    service: State<'_, SyncService>,
    draft: HandoffDraft,
) -> Result<u32, ErrorPayload> {
    let posted = with_db(database, move |db| {
        let posted = team::post_handoff(db, &draft, now())?;
        tickets::catch_up_search(db)?;
        Ok(posted)
    })
    .await?;
    service.wake();
    Ok(posted)
}

#[tauri::command]
pub async fn handoff_export(database: DatabaseHandle<'_>, note: String) -> Result<Exported, ErrorPayload> {
    let folder = database.inner().exports_dir();
    Ok(team::export_handoff(&folder, &note, now())?)
}
