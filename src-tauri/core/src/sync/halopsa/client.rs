//! HaloPSA's wire: OAuth2 client credentials against the authorisation
//! server, `Authorization: Bearer` on every API call, JSON bodies, and the
//! limits — back-off with jitter on 429 and 5xx (a `Retry-After` is
//! honoured, and a 429 slows every later request of this client), answers
//! read piece by piece up to [`MAX_RESPONSE_BYTES`], Halo's many error
//! shapes read into words for the technician.
//!
//! The token lives in memory only, is fetched again shortly before it
//! expires — one fetch at a time: callers wait for the one in flight — and
//! after a 401 once; a 401 that survives a fresh token is a permission
//! problem, not a reason to loop. The addresses follow the Autotask
//! client's rules (`https`, plain `http` only to this computer, no
//! `user:password@`, no redirects followed).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::sync::autotask::client::{describe, encode, parse_url, read_body, truncate, Failure, MAX_ERROR_CHARS};
use crate::sync::autotask::RetryPolicy;
use crate::sync::SyncError;

pub use crate::sync::autotask::client::MAX_RESPONSE_BYTES;

/// A token is fetched again when less than this is left of it.
const REFRESH_MARGIN: Duration = Duration::from_secs(120);
/// The lifetime assumed when the token answer names none (Halo's is an hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3_600);
/// The longest `Retry-After` honoured; a longer one fails the request (the
/// next cycle tries again) instead of holding the sync for it.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// The pause after a 429 that names no `Retry-After` (the README's 30–60 s
/// is scaled by the retry policy: tests run with short delays).
const SLOW_AFTER_429: Duration = Duration::from_secs(30);

/// Where and as whom to connect.
#[derive(Clone)]
pub struct Endpoint {
    /// The Halo URL, e.g. `https://acme.halopsa.com`: the API is `{url}/api`.
    pub url: String,
    /// The authorisation server; `{url}/auth` when empty.
    pub auth_url: String,
    /// The tenant (`?tenant=` on the token request; hosted Halo only).
    pub tenant: String,
    pub client_id: String,
    pub secret: Zeroizing<String>,
}

impl Endpoint {
    fn api(&self) -> String {
        format!("{}/api", self.url.trim().trim_end_matches('/'))
    }

    fn token_url(&self) -> String {
        let auth = match self.auth_url.trim() {
            "" => format!("{}/auth", self.url.trim().trim_end_matches('/')),
            auth => auth.trim_end_matches('/').to_string(),
        };
        match self.tenant.trim() {
            "" => format!("{auth}/token"),
            tenant => format!("{auth}/token?tenant={}", encode(tenant)),
        }
    }
}

struct Token {
    value: Zeroizing<String>,
    renew_at: Instant,
}

pub struct Client {
    http: reqwest::Client,
    endpoint: Endpoint,
    retry: RetryPolicy,
    /// The token: held while one is fetched, so there is one fetch at a time.
    token: tokio::sync::Mutex<Option<Token>>,
    requests: AtomicU64,
    token_requests: AtomicU64,
    /// Extra pause per request after a 429 (ms), decaying as requests succeed.
    pace_ms: AtomicU64,
    jitter: AtomicU64,
}

/// What one request came to.
enum Sent {
    Answer(Value),
    Unauthorized,
    /// Try again after this (a 429's `Retry-After`, or the back-off).
    Later(Failure, Option<Duration>),
    Failed(Failure),
}

/// The words in one of Halo's error bodies: a bare JSON string,
/// `{"error", "error_description"}`, a .NET exception (`Message`), another
/// object (its first text), or plain text. At most [`MAX_ERROR_CHARS`].
pub(crate) fn error_text(body: &str) -> String {
    let words = match serde_json::from_str::<Value>(body) {
        Ok(Value::String(text)) => text,
        Ok(Value::Object(object)) => {
            let get = |name: &str| {
                object
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .and_then(|(_, value)| value.as_str())
                    .filter(|text| !text.trim().is_empty())
            };
            match (get("error"), get("error_description"), get("message")) {
                (Some(error), Some(description), _) => format!("{error}: {description}"),
                (_, _, Some(message)) => message.to_string(),
                (Some(error), None, _) => error.to_string(),
                _ => object.values().find_map(|value| value.as_str().map(String::from)).unwrap_or_else(|| body.into()),
            }
        }
        Ok(Value::Array(items)) => {
            items.iter().filter_map(|item| item.as_str().map(String::from)).collect::<Vec<_>>().join(" ")
        }
        _ => body.to_string(),
    };
    let words = if words.trim().is_empty() { body.to_string() } else { words };
    truncate(words.trim(), MAX_ERROR_CHARS)
}

/// A `Retry-After` in seconds (an HTTP date is not honoured: the back-off applies).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let text = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

impl Client {
    pub fn new(endpoint: Endpoint, retry: RetryPolicy) -> Result<Client, SyncError> {
        parse_url(&endpoint.url).map_err(SyncError::Settings)?;
        parse_url(&endpoint.token_url()).map_err(SyncError::Settings)?;
        let http = reqwest::Client::builder()
            // A redirect would carry the bearer token (or the secret) elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|error| SyncError::Unreachable(error.to_string()))?;
        Ok(Client {
            http,
            endpoint,
            retry,
            token: tokio::sync::Mutex::new(None),
            requests: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
            pace_ms: AtomicU64::new(0),
            jitter: AtomicU64::new(0x2545_F491_4F6C_DD1D ^ u64::from(std::process::id())),
        })
    }

    /// Requests sent so far, token requests and retries included.
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Token requests sent so far.
    pub fn token_count(&self) -> u64 {
        self.token_requests.load(Ordering::Relaxed)
    }

    fn next_jitter(&self) -> u64 {
        let mut x = self.jitter.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter.store(x, Ordering::Relaxed);
        x
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self.retry.base_delay.saturating_mul(1 << attempt.min(10));
        let millis = exponential.min(self.retry.max_delay).as_millis() as u64;
        Duration::from_millis(millis / 2 + self.next_jitter() % (millis / 2 + 1))
    }

    /// A valid token: the one held, or a new one when it is (nearly) expired
    /// or `stale` (a 401 answered it). One fetch at a time.
    async fn token(&self, stale: Option<&str>) -> Result<Zeroizing<String>, Failure> {
        let mut held = self.token.lock().await;
        if let Some(token) = held.as_ref() {
            let refused = stale.is_some_and(|stale| stale == token.value.as_str());
            if !refused && Instant::now() < token.renew_at {
                return Ok(token.value.clone());
            }
        }
        *held = None;
        let token = self.fetch_token().await?;
        let value = token.value.clone();
        *held = Some(token);
        Ok(value)
    }

    async fn fetch_token(&self) -> Result<Token, Failure> {
        let url = parse_url(&self.endpoint.token_url()).map_err(Failure::Rejected)?;
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope=all",
            encode(&self.endpoint.client_id),
            encode(&self.endpoint.secret)
        );
        let mut attempt = 0;
        loop {
            self.requests.fetch_add(1, Ordering::Relaxed);
            self.token_requests.fetch_add(1, Ordering::Relaxed);
            let sent = self
                .http
                .post(url.clone())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .body(form.clone())
                .send()
                .await;
            let failure = match sent {
                Err(error) => Failure::Transient(describe(&error)),
                Ok(response) if response.status().is_redirection() => {
                    return Err(Failure::Rejected(format!(
                        "the HaloPSA token address answered with a redirect ({}); Fieldkit follows none: enter the \
                         authorisation server Halo names under Configuration → Integrations → Halo API.",
                        response.status()
                    )))
                }
                Ok(response) => {
                    let status = response.status();
                    let body = read_body(response).await?;
                    let text = String::from_utf8_lossy(&body);
                    if status.is_success() {
                        let value: Value = serde_json::from_slice(&body).map_err(|_| {
                            Failure::Rejected(format!("the token answer was not JSON: {}", truncate(&text, 80)))
                        })?;
                        let Some(access) = value.get("access_token").and_then(Value::as_str).filter(|t| !t.is_empty())
                        else {
                            return Err(Failure::Rejected("the token answer has no access_token.".into()));
                        };
                        let lifetime = value
                            .get("expires_in")
                            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
                            .map(Duration::from_secs)
                            .unwrap_or(DEFAULT_LIFETIME);
                        // Renew with a margin, or halfway through a short-lived token.
                        let early =
                            if lifetime > REFRESH_MARGIN * 2 { lifetime - REFRESH_MARGIN } else { lifetime / 2 };
                        return Ok(Token {
                            value: Zeroizing::new(access.to_string()),
                            renew_at: Instant::now() + early,
                        });
                    }
                    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                        Failure::Transient(format!("{status}: {}", error_text(&text)))
                    } else {
                        // A configuration error: wrong address, tenant, client id, secret or scope. Never looped.
                        return Err(Failure::Rejected(format!(
                            "HaloPSA did not accept the client id and secret ({status}: {}). Check the Halo URL, the \
                             client id and the client secret in Settings → Sync.",
                            error_text(&text)
                        )));
                    }
                }
            };
            attempt += 1;
            if attempt >= self.retry.attempts {
                return Err(failure);
            }
            tokio::time::sleep(self.backoff(attempt)).await;
        }
    }

    /// `GET`s (or `POST`s) `path` under `{url}/api/` — e.g. `Tickets?page_no=1` —
    /// with retries. `idempotent` is false for creates: a create whose
    /// answer was lost is [`Failure::Unknown`] and never resent here.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Value, Failure> {
        let url = format!("{}/{}", self.endpoint.api(), path.trim_start_matches('/'));
        let mut attempt = 0;
        let mut refreshed = false;
        let mut token = self.token(None).await?;
        loop {
            let pace = self.pace_ms.load(Ordering::Relaxed);
            if pace > 0 {
                tokio::time::sleep(Duration::from_millis(pace)).await;
            }
            match self.send_once(method.clone(), &url, body, &token).await {
                Sent::Answer(value) => {
                    // The pace eases off as requests go through again.
                    let _ = self.pace_ms.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |p| Some(p / 2));
                    return Ok(value);
                }
                Sent::Unauthorized if !refreshed => {
                    refreshed = true;
                    token = self.token(Some(token.as_str())).await?;
                }
                Sent::Unauthorized => {
                    return Err(Failure::Rejected(
                        "HaloPSA refused this even with a fresh token: the API application (or the agent it logs in \
                         as) lacks the permission for it."
                            .into(),
                    ))
                }
                Sent::Failed(failure) => return Err(failure),
                Sent::Later(Failure::Unknown(message), _) if !idempotent => return Err(Failure::Unknown(message)),
                Sent::Later(failure, wait) => {
                    attempt += 1;
                    if attempt >= self.retry.attempts {
                        return Err(failure);
                    }
                    let wait = match wait {
                        Some(wait) if wait > MAX_RETRY_AFTER => return Err(failure),
                        Some(wait) => wait,
                        None => self.backoff(attempt),
                    };
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn send_once(&self, method: Method, url: &str, body: Option<&Value>, token: &str) -> Sent {
        let url = match parse_url(url) {
            Ok(url) => url,
            Err(message) => return Sent::Failed(Failure::Rejected(message)),
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.request(method, url).header("Accept", "application/json").bearer_auth(token);
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body.to_string());
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) if error.is_connect() => return Sent::Later(Failure::Transient(describe(&error)), None),
            Err(error) => return Sent::Later(Failure::Unknown(describe(&error)), None),
        };
        let status = response.status();
        if status.is_redirection() {
            return Sent::Failed(Failure::Rejected(format!(
                "HaloPSA answered with a redirect ({status}). Fieldkit follows no redirects, so that the token goes \
                 only to the address in Settings → Sync."
            )));
        }
        let wait = retry_after(&response);
        let bytes = match read_body(response).await {
            Ok(bytes) => bytes,
            Err(failure @ Failure::Unknown(_)) => return Sent::Later(failure, None),
            Err(failure) => return Sent::Failed(failure),
        };
        let text = String::from_utf8_lossy(&bytes);
        match status {
            s if s.is_success() => match serde_json::from_slice(&bytes) {
                Ok(value) => Sent::Answer(value),
                Err(_) => {
                    Sent::Later(Failure::Unknown(format!("the answer was not JSON: {}", truncate(&text, 80))), None)
                }
            },
            StatusCode::UNAUTHORIZED => Sent::Unauthorized,
            StatusCode::TOO_MANY_REQUESTS => {
                // Slow the whole client: the budget is the tenant's, shared.
                let slow = wait.unwrap_or(SLOW_AFTER_429.min(self.retry.max_delay));
                self.pace_ms.fetch_max((slow.as_millis() as u64 / 4).min(2_000), Ordering::Relaxed);
                let wait = wait.or(Some(SLOW_AFTER_429.min(self.retry.max_delay)));
                Sent::Later(Failure::Transient(format!("too many requests: {}", error_text(&text))), wait)
            }
            // The server's own trouble: a write may or may not have happened.
            s if s.is_server_error() => Sent::Later(Failure::Unknown(format!("{status}: {}", error_text(&text))), wait),
            _ => Sent::Failed(Failure::Rejected(error_text(&text))),
        }
    }

    /// Fetches a token (the connection test's first step).
    pub async fn check_token(&self) -> Result<(), Failure> {
        self.token(None).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_shape_is_read() {
        assert_eq!(error_text(r#""Username must be entered""#), "Username must be entered");
        assert_eq!(
            error_text(r#"{"error":"invalid_client","error_description":"bad secret"}"#),
            "invalid_client: bad secret"
        );
        assert_eq!(
            error_text(r#"{"ClassName":"System.Exception","Message":"An Outcome must be entered"}"#),
            "An Outcome must be entered"
        );
        assert_eq!(error_text(r#"{"error":"nope"}"#), "nope");
        assert_eq!(error_text(r#"{"detail":"odd"}"#), "odd");
        assert_eq!(
            error_text("Rate Limit Reached - 300 Requests per rolling 5 minute window"),
            "Rate Limit Reached - 300 Requests per rolling 5 minute window"
        );
        assert_eq!(error_text(&format!("\"{}\"", "x".repeat(10_000))).chars().count(), MAX_ERROR_CHARS);
    }

    #[test]
    fn the_token_address() {
        let endpoint = |auth: &str, tenant: &str| Endpoint {
            url: "https://acme.halopsa.com/".into(),
            auth_url: auth.into(),
            tenant: tenant.into(),
            client_id: "id".into(),
            secret: Zeroizing::new("s".into()),
        };
        assert_eq!(endpoint("", "").token_url(), "https://acme.halopsa.com/auth/token");
        assert_eq!(endpoint("", "acme").token_url(), "https://acme.halopsa.com/auth/token?tenant=acme");
        assert_eq!(endpoint("https://auth.example/auth/", "").token_url(), "https://auth.example/auth/token");
        assert_eq!(endpoint("", "").api(), "https://acme.halopsa.com/api");
    }
}
