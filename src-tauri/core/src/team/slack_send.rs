//! Posting queued messages to the team's Slack webhook, run by the sync.
//!
//! A webhook post is not idempotent (Slack has no key to recognise a
//! repeat), so each message is marked *sending* — committed — before its
//! POST. A round first turns any message still *sending* (this process or
//! another died during its POST) into *possibly sent*, which waits for the
//! technician: it is never resent silently. One round at a time per data
//! folder (the sync's file lock). Slack takes about one message per second
//! per webhook: messages go at least [`SlackPace::min_interval`] apart, and
//! a `429` is honoured by waiting its `Retry-After` (or the next round when
//! that is long). The webhook URL never appears in a message or a log.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::slack::{is_webhook_problem, slack_error_message, slack_message_body, TicketLinkParts};
use super::slack_messages::set_state;
use super::slack_settings::{ticket_url, webhook_url};
use super::TeamError;
use crate::db::Db;
use crate::sync::SyncError;
use crate::vault::Vault;

/// How a round paces itself.
#[derive(Debug, Clone, Copy)]
pub struct SlackPace {
    /// The least time between two posts to the webhook.
    pub min_interval: Duration,
    /// A `Retry-After` up to this long is waited in the round; a longer one
    /// leaves the messages for the next round.
    pub max_retry_after: Duration,
    /// How long one POST may take before its outcome is unknown.
    pub timeout: Duration,
}

impl Default for SlackPace {
    fn default() -> Self {
        Self {
            min_interval: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
            timeout: Duration::from_secs(20),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SlackSendReport {
    pub sent: u32,
    pub failed: u32,
    /// Left in line for the next round (offline, rate limited, no webhook).
    pub waiting: u32,
    /// Found *sending* from an interrupted post: the technician decides.
    pub possibly_sent: u32,
}

/// The most of Slack's answer read (its error words are a few bytes).
const MAX_ANSWER_BYTES: usize = 4 * 1024;
/// `429`s waited out in one round before the rest waits for the next.
const MAX_RATE_LIMIT_WAITS: u32 = 5;

const INTERRUPTED: &str = "Fieldkit stopped while this message was being sent, so it may be in the channel already. \
                           Look there, then send it again or discard it.";

/// How one POST ended.
enum Outcome {
    Posted,
    /// `429`: not posted; wait this long.
    RateLimited(Duration),
    /// Certainly not posted (no connection, or Slack's server failed): try later.
    NotSent(String),
    /// Slack refused this message (its status and words).
    Refused(u16, String),
    /// The request may have arrived: the answer was lost.
    Unknown(String),
}

fn client(timeout: Duration) -> Result<reqwest::Client, TeamError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .build()
        .map_err(|error| TeamError::NotPossible(format!("Could not prepare the connection: {}", error.without_url())))
}

fn retry_after(response: &reqwest::Response) -> Duration {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(30))
}

async fn answer_words(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() >= MAX_ANSWER_BYTES {
            bytes.truncate(MAX_ANSWER_BYTES);
            break;
        }
    }
    String::from_utf8_lossy(&bytes).trim().to_string()
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> Outcome {
    let request = client.post(url).header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string());
    let response = match request.send().await {
        Ok(response) => response,
        // The connection was never made: nothing reached Slack.
        Err(error) if error.is_connect() || error.is_builder() => {
            return Outcome::NotSent(format!("Slack could not be reached: {}", error.without_url()))
        }
        Err(error) => {
            return Outcome::Unknown(format!(
                "The connection to Slack broke during the post ({}): the message may be in the channel. \
                 Look there, then send it again or discard it.",
                error.without_url()
            ))
        }
    };
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Outcome::Posted;
    }
    if status == 429 {
        return Outcome::RateLimited(retry_after(&response));
    }
    let words = answer_words(response).await;
    if status >= 500 {
        return Outcome::NotSent(slack_error_message(status, &words));
    }
    Outcome::Refused(status, words)
}

/// The body of a message, with the link to its ticket when known.
fn compose(c: &Connection, text: &str, ticket_id: Option<&str>) -> rusqlite::Result<Value> {
    let ticket: Option<(String, String, Option<i64>)> = match ticket_id {
        Some(id) => c
            .query_row("SELECT number, title, psa_id FROM tickets WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?,
        None => None,
    };
    if let Some((number, title, psa_id)) = &ticket {
        if let Some(url) = ticket_url(c, *psa_id)? {
            return Ok(slack_message_body(text, Some(&TicketLinkParts { url: &url, number, title })));
        }
    }
    Ok(slack_message_body(text, None))
}

fn pending_count(db: &Db) -> Result<u32, TeamError> {
    Ok(db.read(|c| c.query_row("SELECT count(*) FROM slack_messages WHERE state = 'pending'", [], |r| r.get(0)))?)
}

/// One round: messages left *sending* become *possibly sent*, then every
/// pending message is posted, in order, paced.
pub async fn send_slack_messages(
    db: &Db,
    vault: &Vault,
    pace: SlackPace,
    now: DateTime<Utc>,
) -> Result<SlackSendReport, TeamError> {
    let _one_round = match crate::sync::cycle_lock(db) {
        Ok(lock) => lock,
        Err(SyncError::Busy) => return Err(TeamError::NotPossible("A sync is already running.".into())),
        Err(other) => return Err(TeamError::NotPossible(other.to_string())),
    };
    let possibly_sent = db.write(|tx| -> rusqlite::Result<u32> {
        let interrupted: Vec<String> = tx
            .prepare("SELECT id FROM slack_messages WHERE state = 'sending'")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in &interrupted {
            set_state(tx, id, "possibly_sent", Some(INTERRUPTED), now)?;
        }
        Ok(interrupted.len() as u32)
    })?;
    let mut report = SlackSendReport { possibly_sent, ..SlackSendReport::default() };
    let Some(url) = webhook_url(db, vault)? else {
        report.waiting = pending_count(db)?;
        return Ok(report);
    };
    let client = client(pace.timeout)?;
    let mut last_post: Option<Instant> = None;
    let mut rate_limit_waits = 0;
    loop {
        let next: Option<(String, String, Option<String>)> = db.read(|c| {
            c.query_row(
                "SELECT id, text, ticket_id FROM slack_messages WHERE state = 'pending' ORDER BY created_at, rowid LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
        })?;
        let Some((id, text, ticket_id)) = next else { break };
        if let Some(at) = last_post {
            tokio::time::sleep(pace.min_interval.saturating_sub(at.elapsed())).await;
        }
        let body = db.read(|c| compose(c, &text, ticket_id.as_deref()))?;
        // Marked sending, committed, before the POST.
        let claimed = db.write(|tx| -> rusqlite::Result<bool> {
            let changed = tx.execute(
                "UPDATE slack_messages SET state = 'sending', attempts = attempts + 1, body = ?2
                 WHERE id = ?1 AND state = 'pending'",
                params![id, body.to_string()],
            )?;
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1 WHERE entity = ?1 AND entity_id = ?2",
                params![super::SLACK_ENTITY, id],
            )?;
            Ok(changed == 1)
        })?;
        if !claimed {
            continue;
        }
        last_post = Some(Instant::now());
        match post(&client, &url, &body).await {
            Outcome::Posted => {
                db.write(|tx| set_state(tx, &id, "sent", None, now))?;
                report.sent += 1;
            }
            Outcome::RateLimited(wait) => {
                let words = format!("Slack asked to wait {} s before the next message (rate limit).", wait.as_secs());
                db.write(|tx| set_state(tx, &id, "pending", Some(&words), now))?;
                rate_limit_waits += 1;
                if wait > pace.max_retry_after || rate_limit_waits > MAX_RATE_LIMIT_WAITS {
                    break;
                }
                tokio::time::sleep(wait).await;
                last_post = None;
            }
            Outcome::NotSent(words) => {
                db.write(|tx| set_state(tx, &id, "pending", Some(&words), now))?;
                break;
            }
            Outcome::Refused(status, words) => {
                let message = slack_error_message(status, &words);
                db.write(|tx| set_state(tx, &id, "failed", Some(&message), now))?;
                report.failed += 1;
                if is_webhook_problem(status, &words) {
                    break;
                }
            }
            Outcome::Unknown(words) => {
                db.write(|tx| set_state(tx, &id, "possibly_sent", Some(&words), now))?;
                report.possibly_sent += 1;
                break;
            }
        }
    }
    report.waiting = pending_count(db)?;
    Ok(report)
}

/// "Send a test message": one post, now, outside the queue; the answer in words.
pub async fn send_slack_test_message(db: &Db, vault: &Vault, timeout: Duration) -> Result<String, TeamError> {
    let url =
        webhook_url(db, vault)?.ok_or_else(|| TeamError::NotPossible("Save the Slack webhook URL first.".into()))?;
    let who = db.read(crate::settings::my_name)?.unwrap_or_else(|| "a technician".into());
    let body = slack_message_body(&format!("Test message from Fieldkit ({who}): this webhook works."), None);
    match post(&client(timeout)?, &url, &body).await {
        Outcome::Posted => Ok("Slack accepted the test message: it is in the channel.".into()),
        Outcome::RateLimited(wait) => {
            Err(TeamError::Slack(format!("Slack asks to wait {} s (rate limit); try again then.", wait.as_secs())))
        }
        Outcome::NotSent(words) | Outcome::Unknown(words) => Err(TeamError::Slack(words)),
        Outcome::Refused(status, words) => Err(TeamError::Slack(slack_error_message(status, &words))),
    }
}
