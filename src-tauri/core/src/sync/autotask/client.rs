//! Autotask's wire: zone discovery, the three auth headers, JSON bodies,
//! and the limits — at most 3 requests in flight per endpoint, back-off with
//! jitter on 429, 5xx and dropped connections, a slower pace past half the
//! hourly request budget, and one re-discovery after a 401.
//!
//! The credentials go only where the settings say: no redirect is followed,
//! an address is parsed (never matched as text) and has no `user:password@`,
//! plain `http://` is allowed only to this computer, and a page URL the
//! server hands out must stay on the zone's own origin. What comes back is
//! bounded: an answer is read piece by piece up to [`MAX_RESPONSE_BYTES`],
//! and the PSA's words kept from it up to [`MAX_ERROR_CHARS`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::sync::SyncError;

/// The largest answer read: a full page of 500 records is far below it, and
/// a server sending more is stopped before it can exhaust memory.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
/// The most of the PSA's own words kept from an answer (they end up in the
/// outbox's `last_error` and on screen).
pub const MAX_ERROR_CHARS: usize = 2_000;

/// Where and as whom to connect.
#[derive(Clone)]
pub struct Endpoint {
    /// The discovery base, e.g. `https://webservices.autotask.net` (any server speaking the API).
    pub discovery_url: String,
    pub api_user: String,
    pub integration_code: String,
    pub secret: zeroize::Zeroizing<String>,
}

/// How hard to try before giving up on one request.
#[derive(Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 6, base_delay: Duration::from_millis(200), max_delay: Duration::from_secs(8) }
    }
}

pub struct Client {
    http: reqwest::Client,
    endpoint: Endpoint,
    retry: RetryPolicy,
    /// `{zone url}V1.0/`, found by discovery.
    zone: tokio::sync::Mutex<Option<String>>,
    /// At most 3 requests in flight per endpoint (Autotask's thread limit).
    lanes: Mutex<HashMap<String, Arc<Semaphore>>>,
    requests: AtomicU64,
    /// Extra pause per request once past half the hourly budget (ms).
    pace_ms: AtomicU64,
    jitter: AtomicU64,
}

/// What a failed request means for the caller.
#[derive(Debug)]
pub enum Failure {
    /// The PSA refused the request as it is (validation, permission): its messages.
    Rejected(String),
    /// It may or may not have happened: the connection dropped or the answer was unreadable.
    Unknown(String),
    /// Nothing happened and trying later may work (limits, server trouble, offline).
    Transient(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Rejected(message) => write!(f, "The PSA refused it: {message}"),
            Failure::Unknown(message) => write!(f, "No answer from the PSA: {message}"),
            Failure::Transient(message) => write!(f, "The PSA could not be reached: {message}"),
        }
    }
}

impl From<Failure> for SyncError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Rejected(message) => SyncError::Rejected(message),
            Failure::Unknown(message) | Failure::Transient(message) => SyncError::Unreachable(message),
        }
    }
}

/// At most `max` characters of `text`, marked when cut.
/// At most `max` characters, the ellipsis included (the fuzz test holds it to that).
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().nth(max).is_none() {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

/// The `errors` of an Autotask error body, joined; or a short excerpt.
/// Never more than [`MAX_ERROR_CHARS`]: a server cannot fill the outbox.
pub(crate) fn error_text(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(value) => match value.get("errors").and_then(Value::as_array) {
            Some(errors) if !errors.is_empty() => truncate(
                &errors
                    .iter()
                    .map(|e| e.as_str().map(str::to_string).unwrap_or_else(|| e.to_string()))
                    .collect::<Vec<_>>()
                    .join(" "),
                MAX_ERROR_CHARS,
            ),
            _ => truncate(body, 200),
        },
        Err(_) => truncate(body, 200),
    }
}

/// Whether the parsed host is this computer (never a text match on the
/// address: `http://127.0.0.1:1@example.invalid/` goes to example.invalid).
fn is_loopback(url: &Url) -> bool {
    // The parser has normalised the host (`127.1` → `127.0.0.1`, IPv6 in brackets).
    let host = url.host_str().unwrap_or_default();
    host.eq_ignore_ascii_case("localhost")
        || host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Parses an address the credentials may be sent to: `https://`, or plain
/// `http://` only to this computer (credentials never cross a network in the
/// clear), with a host and no `user:password@` (which hides the real host
/// from a reader and would be sent as credentials of its own).
pub fn parse_url(url: &str) -> Result<Url, String> {
    let example = "Enter the address, such as https://webservices.autotask.net.";
    let text = url.trim();
    // The parser drops tabs and line breaks silently; the stored text must be what is used.
    if text.chars().any(char::is_control) {
        return Err(example.into());
    }
    let parsed = Url::parse(text).map_err(|_| example.to_string())?;
    if parsed.host().is_none() {
        return Err(example.into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("Enter the address without a user name or password in it (no “name@”).".into());
    }
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err("Use https:// (plain http:// is allowed only to this computer).".into()),
        _ => Err(example.into()),
    }
}

/// [`parse_url`] for callers that only need the verdict.
pub fn check_url(url: &str) -> Result<(), String> {
    parse_url(url).map(|_| ())
}

/// A page URL the server handed out must be on the zone's own origin
/// (scheme, host and port), or the credentials would follow it elsewhere.
pub fn check_same_origin(zone: &str, url: &str) -> Result<(), String> {
    let outside = "it gave a page address on another server, and Fieldkit sends the credentials only to the PSA's \
                   own zone: the query stopped.";
    let zone = parse_url(zone)?;
    let page = parse_url(url).map_err(|_| outside.to_string())?;
    if page.origin() == zone.origin() {
        Ok(())
    } else {
        Err(outside.into())
    }
}

/// The answer's body, read piece by piece and refused past
/// [`MAX_RESPONSE_BYTES`] — announced or not, it is never held whole first.
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, Failure> {
    let too_large = || {
        Failure::Rejected(format!(
            "its answer is larger than {} MiB, so Fieldkit stopped reading it.",
            MAX_RESPONSE_BYTES / (1024 * 1024)
        ))
    };
    if response.content_length().is_some_and(|length| length > MAX_RESPONSE_BYTES as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > MAX_RESPONSE_BYTES => return Err(too_large()),
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return Ok(body),
            Err(error) => return Err(Failure::Unknown(format!("the answer was cut off ({})", describe(&error)))),
        }
    }
}

/// A redirect is refused, not followed: it could send the `Secret` header to
/// any host. Its target is named (shortened) so the address can be fixed.
fn redirected(status: StatusCode, location: Option<&str>) -> Failure {
    let target = location.map(|l| format!(" to {}", truncate(l, 200))).unwrap_or_default();
    Failure::Rejected(format!(
        "it answered with a redirect ({status}){target}. Fieldkit follows no redirects, so that the credentials go \
         only to the address in Settings → Sync: enter the address the PSA names there."
    ))
}

impl Client {
    pub fn new(endpoint: Endpoint, retry: RetryPolicy) -> Result<Client, SyncError> {
        check_url(&endpoint.discovery_url).map_err(SyncError::Settings)?;
        let http = reqwest::Client::builder()
            // A redirect would carry the custom `Secret` header to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(6)
            .build()
            .map_err(|error| SyncError::Unreachable(error.to_string()))?;
        Ok(Client {
            http,
            endpoint,
            retry,
            zone: tokio::sync::Mutex::new(None),
            lanes: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            pace_ms: AtomicU64::new(0),
            jitter: AtomicU64::new(0x9E37_79B9_7F4A_7C15 ^ u64::from(std::process::id())),
        })
    }

    /// Requests sent so far (retries included).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn base(&self) -> String {
        self.endpoint.discovery_url.trim().trim_end_matches('/').to_string()
    }

    /// `{zone}V1.0/` — discovered once, again after a 401.
    async fn zone(&self, again: bool) -> Result<String, Failure> {
        let mut zone = self.zone.lock().await;
        if let (Some(url), false) = (zone.as_ref(), again) {
            return Ok(url.clone());
        }
        let url =
            format!("{}/atservicesrest/V1.0/zoneInformation?user={}", self.base(), encode(&self.endpoint.api_user));
        let value = self.send_once(Method::GET, &url, None, false).await?;
        let found = value
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| Failure::Rejected("The zone information has no url.".into()))?;
        check_url(found).map_err(|message| Failure::Rejected(format!("its zone address is not usable: {message}")))?;
        let found = format!("{}/V1.0/", found.trim_end_matches('/'));
        *zone = Some(found.clone());
        Ok(found)
    }

    /// The Autotask API version the server speaks (`versioninformation`).
    pub async fn versions(&self) -> Result<Vec<String>, Failure> {
        let url = format!("{}/atservicesrest/versioninformation", self.base());
        let value = self.send_once(Method::GET, &url, None, false).await?;
        Ok(value
            .get("apiVersions")
            .and_then(Value::as_array)
            .map(|versions| versions.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default())
    }

    fn lane(&self, key: &str) -> Arc<Semaphore> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        lanes.entry(key.to_string()).or_insert_with(|| Arc::new(Semaphore::new(3))).clone()
    }

    fn next_jitter(&self) -> u64 {
        // xorshift: enough to spread retries, no RNG crate needed.
        let mut x = self.jitter.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter.store(x, Ordering::Relaxed);
        x
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self.retry.base_delay.saturating_mul(1 << attempt.min(10));
        let capped = exponential.min(self.retry.max_delay);
        // Full jitter: anywhere between half and all of the capped delay.
        let millis = capped.as_millis() as u64;
        Duration::from_millis(millis / 2 + self.next_jitter() % (millis / 2 + 1))
    }

    /// Sends `method path` (relative to the zone, e.g. `Tickets/query`) with
    /// retries. `idempotent` is false for creates: a create whose answer was
    /// lost is reported as [`Failure::Unknown`] and never resent here.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Value, Failure> {
        let lane_key = format!("{method} {}", path.split('?').next().unwrap_or(path));
        self.call_url(method, None, path, &lane_key, body, idempotent).await
    }

    /// As [`call`](Self::call) for an absolute URL the server gave
    /// (`nextPageUrl`); refused unless it is on the zone's origin.
    pub async fn call_absolute(
        &self,
        method: Method,
        url: &str,
        lane: &str,
        body: Option<&Value>,
    ) -> Result<Value, Failure> {
        self.call_url(method, Some(url), "", lane, body, true).await
    }

    async fn call_url(
        &self,
        method: Method,
        absolute: Option<&str>,
        path: &str,
        lane_key: &str,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Value, Failure> {
        let lane = self.lane(lane_key);
        let mut rediscovered = false;
        let mut attempt = 0;
        loop {
            let url = match absolute {
                // Checked again: a 401 may have moved the zone.
                Some(url) => {
                    check_same_origin(&self.zone(false).await?, url).map_err(Failure::Rejected)?;
                    url.to_string()
                }
                None => format!("{}{}", self.zone(false).await?, path),
            };
            let pace = self.pace_ms.load(Ordering::Relaxed);
            if pace > 0 {
                tokio::time::sleep(Duration::from_millis(pace)).await;
            }
            let outcome = {
                let _permit = lane.acquire().await.map_err(|_| Failure::Transient("shutting down".into()))?;
                self.send_once(method.clone(), &url, body, true).await
            };
            match outcome {
                Ok(value) => return Ok(value),
                Err(Failure::Rejected(message)) if message == UNAUTHORIZED && !rediscovered => {
                    rediscovered = true;
                    self.zone(true).await?;
                }
                Err(Failure::Unknown(message)) if !idempotent => return Err(Failure::Unknown(message)),
                Err(failure @ (Failure::Transient(_) | Failure::Unknown(_))) => {
                    attempt += 1;
                    if attempt >= self.retry.attempts {
                        return Err(failure);
                    }
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Err(rejected) => return Err(rejected),
            }
        }
    }

    async fn send_once(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        authenticated: bool,
    ) -> Result<Value, Failure> {
        // Every address is checked where it is used, whatever built it.
        let url = parse_url(url).map_err(Failure::Rejected)?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.request(method, url).header("Accept", "application/json");
        if authenticated {
            request = request
                .header("ApiIntegrationCode", &self.endpoint.integration_code)
                .header("UserName", &self.endpoint.api_user)
                .header("Secret", self.endpoint.secret.as_str());
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body.to_string());
        }
        let response = match request.send().await {
            Ok(response) => response,
            // Refused before anything was sent: nothing happened.
            Err(error) if error.is_connect() => return Err(Failure::Transient(describe(&error))),
            Err(error) => return Err(Failure::Unknown(describe(&error))),
        };
        let status = response.status();
        if status.is_redirection() {
            let location = response.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok());
            return Err(redirected(status, location));
        }
        let bytes = read_body(response).await?;
        let text = String::from_utf8_lossy(&bytes);
        match status {
            s if s.is_success() => serde_json::from_slice(&bytes)
                .map_err(|_| Failure::Unknown(format!("the answer was not JSON: {}", truncate(&text, 80)))),
            StatusCode::UNAUTHORIZED => Err(Failure::Rejected(UNAUTHORIZED.into())),
            StatusCode::TOO_MANY_REQUESTS => {
                Err(Failure::Transient(format!("too many requests: {}", error_text(&text))))
            }
            // The server's own trouble: a write may or may not have happened.
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
                Err(Failure::Unknown(format!("{status}: {}", error_text(&text))))
            }
            // Autotask reports validation and permission problems as 500 with
            // `errors`, and its own trouble as 500 with an `errorId`.
            StatusCode::INTERNAL_SERVER_ERROR if text.contains("\"errorId\"") => {
                Err(Failure::Unknown(format!("server error: {}", error_text(&text))))
            }
            _ => Err(Failure::Rejected(error_text(&text))),
        }
    }

    /// Reads `ThresholdInformation` and slows down past half the hourly budget.
    pub async fn check_threshold(&self) -> Result<(u64, u64), Failure> {
        let value = self.call(Method::GET, "ThresholdInformation", None, true).await?;
        let limit = value.get("externalRequestThreshold").and_then(Value::as_u64).unwrap_or(10_000);
        let used = value.get("currentTimeframeRequestCount").and_then(Value::as_u64).unwrap_or(0);
        let pace = if used * 2 > limit {
            // Spread what is left of the hour over the remaining budget.
            let left = limit.saturating_sub(used).max(1);
            (3_600_000 / left).min(2_000)
        } else {
            0
        };
        self.pace_ms.store(pace, Ordering::Relaxed);
        Ok((used, limit))
    }
}

const UNAUTHORIZED: &str = "The PSA did not accept the API user, integration code or secret.";

pub(crate) fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_computer() {
        assert!(check_url("https://webservices5.autotask.net").is_ok());
        assert!(check_url("http://127.0.0.1:8089").is_ok());
        assert!(check_url("http://localhost/").is_ok());
        assert!(check_url("http://webservices5.autotask.net").is_err());
        assert!(check_url("http://127.0.0.1.evil.example").is_err());
        assert!(check_url("ftp://x").is_err());
        assert!(check_url("").is_err());
        assert!(check_url("https://").is_err());
        assert!(check_url("http://[::1]:8089/").is_ok());
        assert!(check_url("http://127.1:8089/").is_ok(), "the parser's normal form of 127.0.0.1");
    }

    #[test]
    fn the_host_is_parsed_not_matched_as_text() {
        // Userinfo hides the real host: this goes to example.invalid.
        assert!(check_url("http://127.0.0.1:1@example.invalid/").is_err());
        assert!(check_url("https://user:pass@webservices5.autotask.net").is_err());
        assert!(check_url("https://user@webservices5.autotask.net").is_err());
        assert!(check_url("http://localhost.example.invalid/").is_err());
        assert!(check_url("http://127.0.0.1\n.example.invalid/").is_err());
    }

    #[test]
    fn page_urls_stay_on_the_zone() {
        let zone = "https://webservices5.autotask.net/atservicesrest/V1.0/";
        assert!(check_same_origin(
            zone,
            "https://webservices5.autotask.net/atservicesrest/V1.0/Tickets/query/next?x=1"
        )
        .is_ok());
        assert!(check_same_origin(zone, "https://WEBSERVICES5.autotask.net:443/atservicesrest/").is_ok());
        for elsewhere in [
            "https://webservices5.autotask.net.example.invalid/atservicesrest/V1.0/Tickets/query/next",
            "https://webservices5.autotask.net:8443/atservicesrest/V1.0/Tickets/query/next",
            "http://webservices5.autotask.net/atservicesrest/V1.0/Tickets/query/next",
            "https://x@webservices5.autotask.net/atservicesrest/V1.0/Tickets/query/next",
            "/atservicesrest/V1.0/Tickets/query/next",
        ] {
            assert!(check_same_origin(zone, elsewhere).is_err(), "{elsewhere}");
        }
        assert!(check_same_origin("http://127.0.0.1:8089/atservicesrest/V1.0/", "http://127.0.0.1:8090/x").is_err());
    }

    #[test]
    fn the_psa_words_kept_are_bounded() {
        let long = "x".repeat(100_000);
        let body = serde_json::json!({ "errors": [long] }).to_string();
        assert_eq!(error_text(&body).chars().count(), MAX_ERROR_CHARS);
        assert!(error_text(&body).ends_with('…'));
        assert_eq!(error_text(&"y".repeat(10_000)).chars().count(), 200);
    }

    #[test]
    fn error_bodies_are_read() {
        assert_eq!(error_text(r#"{"errors":["a","b"]}"#), "a b");
        assert_eq!(error_text("not json"), "not json");
        assert_eq!(encode("a b@c"), "a%20b%40c");
    }
}
