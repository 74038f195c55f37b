//! The Autotask connector against a hostile server: the credentials go
//! nowhere but the configured address and its zone (no redirect followed, no
//! address with a `user:password@`, no page on another server), and no
//! answer can loop it or exhaust its memory.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use fieldkit_core::sync::autotask::{Autotask, Endpoint, RetryPolicy};
use fieldkit_core::sync::{self, Connector, Kind, Scope, Selection, SyncError, SyncProgress};
use fieldkit_core::Db;
use fieldkit_standin::{Hostile, Seed, Standin};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const MIB: u64 = 1024 * 1024;

fn endpoint(standin: &Standin, discovery_url: &str) -> Endpoint {
    let credentials = standin.credentials();
    Endpoint {
        discovery_url: discovery_url.into(),
        api_user: credentials.api_user,
        integration_code: credentials.integration_code,
        secret: zeroize::Zeroizing::new(credentials.secret),
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy { attempts: 3, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(20) }
}

fn connector(standin: &Standin) -> Autotask {
    Autotask::new(endpoint(standin, &standin.base_url()), quick()).expect("connector")
}

fn scope() -> Scope {
    Scope { me: 1, queues: Vec::new(), calls_since: Utc::now(), extra_tickets: Vec::new() }
}

/// Another server on this computer that the credentials must never reach:
/// it keeps the head of every request it is sent, and answers `{}`.
struct Trap {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Trap {
    async fn start() -> Trap {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("a free port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let kept = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut piece = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                        match socket.read(&mut piece).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&piece[..n]),
                        }
                    }
                    kept.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
                    let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\
                                  Connection: close\r\n\r\n{}";
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        Trap { url, heads }
    }

    /// `host:port`, for addresses built around it.
    fn authority(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    fn assert_untouched(&self) {
        let heads = self.heads.lock().unwrap().clone();
        let secret = heads.iter().any(|h| h.to_ascii_lowercase().contains("\r\nsecret:"));
        assert!(!secret, "the Secret header reached another server: {heads:?}");
        assert!(heads.is_empty(), "another server was sent a request: {heads:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_port_does_not_receive_the_secret() {
    let standin = Standin::start(Seed::empty(), 0).await.unwrap();
    let trap = Trap::start().await;
    standin.set_hostile(Hostile::RedirectTo(format!("{}/atservicesrest/V1.0/ThresholdInformation", trap.url)));

    let error = connector(&standin).test_connection().await.expect_err("a redirect is refused");
    let text = error.to_string();
    assert!(matches!(error, SyncError::Rejected(_)), "{text}");
    assert!(text.contains("redirect (302 Found)") && text.contains(&trap.url), "{text}");

    let pulled = connector(&standin).pull(Kind::Tickets, &Selection::Changed { since: None }, &scope(), None).await;
    let text = pulled.expect_err("a redirected query is refused").to_string();
    assert!(text.contains("follows no redirects"), "{text}");
    trap.assert_untouched();
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_with_a_user_and_password_in_it_is_refused() {
    let standin = Standin::start(Seed::empty(), 0).await.unwrap();
    let trap = Trap::start().await;
    // Read as text this is 127.0.0.1; parsed, its host is example.invalid.
    for address in
        ["http://127.0.0.1:1@example.invalid/".to_string(), format!("http://fieldkit:x@{}/", trap.authority())]
    {
        match Autotask::new(endpoint(&standin, &address), quick()) {
            Err(SyncError::Settings(message)) => assert!(message.contains("without a user name"), "{message}"),
            Err(other) => panic!("{address}: {other}"),
            Ok(_) => panic!("{address} was accepted"),
        }
    }

    // Nor may the zone that discovery names carry one, or be plain http elsewhere.
    for zone in [
        format!("http://fieldkit:x@{}/atservicesrest/", trap.authority()),
        "http://127.0.0.1:1@example.invalid/atservicesrest/".to_string(),
        "http://webservices5.example.invalid/atservicesrest/".to_string(),
    ] {
        standin.set_hostile(Hostile::ZoneUrl(zone.clone()));
        let error = connector(&standin).test_connection().await.expect_err("the zone is refused");
        assert!(error.to_string().contains("zone address is not usable"), "{zone}: {error}");
    }
    trap.assert_untouched();
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_page_on_another_server_is_not_followed() {
    let standin = Standin::start(Seed::empty(), 0).await.unwrap();
    let trap = Trap::start().await;
    let elsewhere = format!("{}/atservicesrest/V1.0/Resources/query/next?paging=1", trap.url);
    standin.set_hostile(Hostile::NextPageUrl(elsewhere.clone()));
    let connector = connector(&standin);
    let selection = Selection::Changed { since: None };

    let first = connector.pull(Kind::Resources, &selection, &scope(), None).await.expect("the first page");
    assert_eq!(first.next.as_deref(), Some(elsewhere.as_str()));
    let error = connector.pull(Kind::Resources, &selection, &scope(), Some(&elsewhere)).await.expect_err("refused");
    assert!(error.to_string().contains("page address on another server"), "{error}");

    // The same through a whole sync cycle.
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());
    let (scope, progress) = (scope(), Mutex::new(SyncProgress::default()));
    let cycle = sync::run_cycle(&db, &connector, &scope, Utc::now(), false, &progress).await;
    let error = cycle.expect_err("the cycle stops");
    assert!(error.to_string().contains("page address on another server"), "{error}");
    trap.assert_untouched();
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_looping_next_page_url_ends_with_a_clear_error() {
    let standin = Standin::start(Seed::empty(), 0).await.unwrap();
    standin.set_hostile(Hostile::LoopingPages);
    let connector = connector(&standin);
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open(&dir.path().join("fieldkit.db")).unwrap());

    let (scope, progress) = (scope(), Mutex::new(SyncProgress::default()));
    let cycle = sync::run_cycle(&db, &connector, &scope, Utc::now(), false, &progress);
    let outcome = tokio::time::timeout(Duration::from_secs(60), cycle).await.expect("the cycle ends, not loops");
    let error = outcome.expect_err("a looping query is an error");
    assert!(error.to_string().contains("round in a circle"), "{error}");
    let queries: u64 =
        standin.requests_by_path().iter().filter(|(path, _)| path.contains("/query")).map(|(_, n)| n).sum();
    assert!(queries <= 10, "stopped at the first page seen again, after {queries} queries");
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_body_is_refused_without_reading_it() {
    let standin = Standin::start(Seed::empty(), 0).await.unwrap();
    for announced in [true, false] {
        let before = standin.streamed_bytes();
        standin.set_hostile(Hostile::HugeBody { bytes: 100_000_000, announced });
        let error = connector(&standin).test_connection().await.expect_err("a 100 MB answer is refused");
        assert!(error.to_string().contains("larger than 32 MiB"), "announced {announced}: {error}");
        // What the server still had under way fails on the closed connection.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let taken = standin.streamed_bytes() - before;
        assert!(taken < 48 * MIB, "announced {announced}: the client took {} MiB", taken / MIB);
        if announced {
            assert!(taken < 16 * MIB, "an announced length is refused before the body: {} MiB", taken / MIB);
        }
    }
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_psa_words_kept_from_an_answer_are_bounded() {
    let standin = Standin::start(Seed::empty(), 0).await.unwrap();
    standin.set_hostile(Hostile::LongError(1_000_000));
    let error = connector(&standin).test_connection().await.expect_err("refused");
    let text = error.to_string();
    assert!(text.contains("xxxx") && text.chars().count() < 2_100, "{} chars", text.chars().count());
    standin.stop().await;
}
