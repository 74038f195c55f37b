//! A stand-in for a Slack incoming webhook (`POST /services/T…/B…/…`), as
//! Slack documents it: a JSON body with `text` and/or `blocks`, answered
//! `200 ok` (plain text), or Slack's own error words with their statuses —
//! `400 invalid_payload` (not JSON), `400 no_text` (neither text nor
//! blocks), `400 invalid_blocks` (a block that is not a section with text),
//! `404 no_service` (an unknown webhook), `410 channel_is_archived` — and
//! `429` with `Retry-After` when posts come faster than one a second (when
//! asked to enforce it) or when a test queues it.
//!
//! Tests queue answers ([`SlackReply`]) for the next posts, including one
//! that takes the message and never answers (a post whose outcome the
//! client cannot know).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::http::{read_request, ReadError, Request};
use crate::lock;

/// The webhook's path (a real one has the team, bot and secret parts).
pub const SLACK_WEBHOOK_PATH: &str = "/services/T0FIELDKIT/B0STANDIN/standinwebhooksecret";

/// `GET` here answers the messages in the channel as a JSON array (for a
/// test driving the app from another process).
pub const RECEIVED_PATH: &str = "/_slack/received";

/// How the stand-in answers a post (queued with [`SlackStandin::reply_next`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SlackReply {
    /// Check the shape; `200 ok` when it is right.
    Normal,
    /// Slack's error words with a status (`410`, `"channel_is_archived"`).
    Error(u16, &'static str),
    /// `429 Too Many Requests` with `Retry-After: seconds`.
    RateLimited(u64),
    /// Take the message (it is in the channel) and never answer.
    Hang,
}

#[derive(Default)]
struct State {
    replies: VecDeque<SlackReply>,
    /// Messages in the channel, in order.
    received: Vec<Value>,
    /// Every post, answered or not.
    posts: u64,
    /// Posts faster than this after the last accepted one get a 429.
    min_interval: Option<Duration>,
    last_accepted: Option<Instant>,
    /// Times (since start) of accepted posts.
    accepted_at: Vec<Duration>,
}

struct Shared {
    state: Mutex<State>,
    started: Instant,
}

/// A running Slack webhook stand-in.
pub struct SlackStandin {
    shared: Arc<Shared>,
    port: u16,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SlackStandin {
    /// Listens on 127.0.0.1:`port` (0: any free port).
    pub async fn start(port: u16) -> std::io::Result<SlackStandin> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared { state: Mutex::new(State::default()), started: Instant::now() });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(listener, shared.clone(), stopped));
        Ok(SlackStandin { shared, port, stop, task })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The webhook URL to store in Fieldkit.
    pub fn webhook_url(&self) -> String {
        format!("http://127.0.0.1:{}{SLACK_WEBHOOK_PATH}", self.port)
    }

    /// Answers the next posts so, in order (then normally again).
    pub fn reply_next(&self, replies: impl IntoIterator<Item = SlackReply>) {
        lock(&self.shared.state).replies.extend(replies);
    }

    /// Answers `429` to a post sooner than `interval` after the last accepted one.
    pub fn enforce_rate(&self, interval: Duration) {
        lock(&self.shared.state).min_interval = Some(interval);
    }

    /// The messages in the channel (accepted, or taken by a `Hang`), in order.
    pub fn received(&self) -> Vec<Value> {
        lock(&self.shared.state).received.clone()
    }

    /// Every post that arrived, answered or not.
    pub fn posts(&self) -> u64 {
        lock(&self.shared.state).posts
    }

    /// When each accepted message arrived, since the stand-in started.
    pub fn accepted_at(&self) -> Vec<Duration> {
        lock(&self.shared.state).accepted_at.clone()
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                tokio::spawn(connection(stream, shared.clone()));
            }
        }
    }
}

async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader).await {
            Ok(request) => request,
            Err(ReadError::Gone) => return,
            Err(ReadError::Refused(_)) => {
                let _ = answer(reader.get_mut(), 400, "invalid_payload", None).await;
                return;
            }
        };
        let Some((status, words, retry_after)) = decide(&shared, &request) else {
            // Hang: the message is in; the answer never comes.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        };
        if answer(reader.get_mut(), status, &words, retry_after).await.is_err() || request.close {
            return;
        }
    }
}

async fn answer(stream: &mut TcpStream, status: u16, words: &str, retry_after: Option<u64>) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        _ => "Error",
    };
    let retry = retry_after.map(|s| format!("Retry-After: {s}\r\n")).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n{retry}\r\n",
        words.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(words.as_bytes()).await?;
    stream.flush().await
}

/// The shape Slack accepts: `text` or `blocks`; each block a section with
/// a `mrkdwn`/`plain_text` text of 1–3,000 characters.
fn check_shape(body: &Value) -> Result<(), &'static str> {
    let object = body.as_object().ok_or("invalid_payload")?;
    let text = object.get("text");
    if text.is_some_and(|t| !t.is_string()) {
        return Err("invalid_payload");
    }
    let has_text = text.and_then(Value::as_str).is_some_and(|t| !t.trim().is_empty());
    let Some(blocks) = object.get("blocks") else {
        return if has_text { Ok(()) } else { Err("no_text") };
    };
    let blocks = blocks.as_array().ok_or("invalid_blocks")?;
    if blocks.is_empty() && !has_text {
        return Err("no_text");
    }
    for block in blocks {
        if block["type"] != "section" {
            return Err("invalid_blocks");
        }
        let kind = block["text"]["type"].as_str();
        let words = block["text"]["text"].as_str().unwrap_or_default();
        if !matches!(kind, Some("mrkdwn" | "plain_text")) || words.is_empty() || words.chars().count() > 3_000 {
            return Err("invalid_blocks");
        }
    }
    Ok(())
}

/// The answer: status, words, `Retry-After`; `None` to hang.
fn decide(shared: &Shared, request: &Request) -> Option<(u16, String, Option<u64>)> {
    let mut state = lock(&shared.state);
    // For a test in another process: the messages in the channel, as JSON.
    if request.method == "GET" && request.path == RECEIVED_PATH {
        return Some((200, Value::Array(state.received.clone()).to_string(), None));
    }
    state.posts += 1;
    decide_post(&mut state, shared.started, request).map(|(status, words, retry)| (status, words.to_string(), retry))
}

fn decide_post(state: &mut State, started: Instant, request: &Request) -> Option<(u16, &'static str, Option<u64>)> {
    if request.path != SLACK_WEBHOOK_PATH {
        return Some((404, "no_service", None));
    }
    if request.method != "POST" {
        return Some((405, "invalid_payload", None));
    }
    let reply = state.replies.pop_front().unwrap_or(SlackReply::Normal);
    match reply {
        SlackReply::Error(status, words) => return Some((status, words, None)),
        SlackReply::RateLimited(seconds) => return Some((429, "rate_limited", Some(seconds))),
        SlackReply::Normal | SlackReply::Hang => {}
    }
    let json = request.header("content-type").is_some_and(|t| t.starts_with("application/json"));
    let body: Value = match serde_json::from_slice(&request.body) {
        Ok(body) if json => body,
        _ => return Some((400, "invalid_payload", None)),
    };
    if let Err(words) = check_shape(&body) {
        return Some((400, words, None));
    }
    let now = Instant::now();
    if let (Some(interval), Some(last)) = (state.min_interval, state.last_accepted) {
        if now.duration_since(last) < interval {
            return Some((429, "rate_limited", Some(1)));
        }
    }
    state.last_accepted = Some(now);
    state.accepted_at.push(now.duration_since(started));
    state.received.push(body);
    match reply {
        SlackReply::Hang => None,
        _ => Some((200, "ok", None)),
    }
}
