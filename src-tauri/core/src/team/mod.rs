//! The team around the technician: asking colleagues for help on Slack
//! (a message queued with its outbox entry and posted by the sync to an
//! incoming webhook, exactly once or shown as "possibly sent").
//!
//! `slack.rs` the message shape Slack receives and Slack's error words;
//! `slack_settings.rs` the webhook (sealed by the vault) and the PSA ticket
//! link; `help_request.rs` "Ask for help" from a ticket; `slack_messages.rs`
//! the queued messages, "send again" and "discard"; `slack_send.rs` the
//! sender (pace, `429` + `Retry-After`, *sending* before the POST);
//! `escalate.rs` escalation to the senior technician, reassignment,
//! priority and queue changes (merged three-way by the sync);
//! `weekly_meeting.rs` my questions for the weekly meeting, per week,
//! answered, exported as Markdown; `handoff.rs` the shift handoff note
//! (posted as internal notes and/or to Slack, exported as Markdown).

mod escalate;
mod handoff;
mod help_request;
mod slack;
mod slack_messages;
mod slack_send;
mod slack_settings;
mod weekly_meeting;

use crate::db::DbError;
use crate::error::ErrorPayload;
use crate::validation::FieldError;
use crate::vault::VaultError;

pub use escalate::{
    change_priority, change_queue, escalate_ticket, list_assignees, reassign_ticket, Assignee, EscalationDraft,
};
pub use handoff::{export_handoff, handoff_overview, post_handoff, HandoffDraft, HandoffOverview, HandoffTicket};
pub use help_request::{ask_for_help, help_request_draft, HelpRequestDraft};
pub use slack::{slack_error_message, slack_message_body, TicketLinkParts};
pub(crate) use slack_messages::hold_after_restore;
pub use slack_messages::{discard_slack_message, list_slack_messages, resend_slack_message, SlackMessage};
pub use slack_send::{send_slack_messages, send_slack_test_message, SlackPace, SlackSendReport};
pub use slack_settings::{get_slack_settings, save_slack_settings, SlackSettings, SlackSettingsDraft};
pub use weekly_meeting::{
    add_meeting_question, answer_meeting_question, export_meeting_questions, list_meeting_questions,
    meeting_questions_markdown, MeetingQuestion, MeetingQuestionDraft,
};

/// The outbox entity of a Slack message: sent by [`send_slack_messages`],
/// never by the PSA push.
pub const SLACK_ENTITY: &str = "SlackMessage";

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    #[error("That ticket is not in the cache.")]
    TicketNotFound,
    #[error("That message is not here any more.")]
    MessageNotFound,
    #[error("{0}")]
    NotPossible(String),
    /// Slack (or the way to it) said no; the words are for the technician.
    #[error("{0}")]
    Slack(String),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for TeamError {
    fn from(error: rusqlite::Error) -> Self {
        TeamError::Db(DbError::Sqlite(error))
    }
}

impl From<crate::tickets::TicketError> for TeamError {
    fn from(error: crate::tickets::TicketError) -> Self {
        use crate::tickets::TicketError;
        match error {
            TicketError::Invalid(fields) => TeamError::Invalid(fields),
            TicketError::NotFound(_) => TeamError::TicketNotFound,
            TicketError::NotPossible(message) => TeamError::NotPossible(message),
            TicketError::Db(db) => TeamError::Db(db),
        }
    }
}

impl From<TeamError> for ErrorPayload {
    fn from(error: TeamError) -> Self {
        match error {
            TeamError::Invalid(fields) => ErrorPayload::validation(fields),
            TeamError::TicketNotFound | TeamError::MessageNotFound => ErrorPayload::not_found(error.to_string()),
            TeamError::Vault(vault) => vault.into(),
            TeamError::Db(db) => db.into(),
            other => ErrorPayload::internal(other.to_string()),
        }
    }
}

impl crate::validation::Invalid for TeamError {
    fn from_fields(fields: Vec<FieldError>) -> Self {
        TeamError::Invalid(fields)
    }
}
