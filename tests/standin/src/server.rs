//! The server: accepts connections, reads requests, and takes each through
//! Autotask's pipeline — counted, discovery or auth, the thread limit,
//! latency, an injected fault, then the route.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::faults::FaultKind;
use crate::hostile::{self, Hostile};
use crate::http::{self, Delivery, ReadError, Request, Response};
use crate::routes::{self, Route};
use crate::{control, standin_credentials, Shared};

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            // A stop, or the `Standin` dropped without one.
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                if let Ok((socket, _)) = accepted {
                    // Answers go out in one write; Nagle would hold them for the peer's delayed ACK.
                    let _ = socket.set_nodelay(true);
                    connections.spawn(connection(socket, shared.clone()));
                }
            }
            // Reap finished connections so a long run does not accumulate them.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

async fn connection(socket: TcpStream, shared: Arc<Shared>) {
    let mut reader = BufReader::new(socket);
    loop {
        let request = match http::read_request(&mut reader).await {
            Ok(request) => request,
            Err(ReadError::Gone) => return,
            Err(ReadError::Refused(response)) => {
                let _ = http::deliver(reader.get_mut(), Delivery::Normal(response), true).await;
                return;
            }
        };
        let delivery = handle(&shared, &request).await;
        match http::deliver(reader.get_mut(), delivery, request.close).await {
            Ok(true) => {}
            // A reset, a truncation, a requested close, or a broken connection.
            _ => return,
        }
    }
}

fn is(segment: &str, word: &str) -> bool {
    segment.eq_ignore_ascii_case(word)
}

/// The request-count key of a path nothing resolved: ids as `{id}`.
fn raw_endpoint(request: &Request) -> String {
    let path =
        request.path.get(..15).filter(|p| is(p, "/atservicesrest")).map_or(&*request.path, |_| &request.path[15..]);
    let parts: Vec<&str> = path
        .split('/')
        .map(|p| if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) { "{id}" } else { p })
        .collect();
    format!("{} {}", request.method, parts.join("/"))
}

async fn pause(latency_ms: u64) {
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
}

async fn handle(shared: &Shared, request: &Request) -> Delivery {
    let path = request.path.as_str();
    if path.get(..10).is_some_and(|p| is(p, "/_standin/")) {
        // The stand-in's own controls: never counted, delayed or faulted.
        return Delivery::Normal(control::answer(shared, request));
    }
    let latency = shared.dice().latency_ms();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let method = request.method.as_str();
    match segments.as_slice() {
        [root, v] if is(root, "atservicesrest") && is(v, "versionInformation") => {
            shared.count("GET /versionInformation".into());
            pause(latency).await;
            Delivery::Normal(match method {
                "GET" => Response::json(200, &json!({ "apiVersions": ["1.0"] })),
                _ => Response::error(405, format!("The requested resource does not support http method '{method}'.")),
            })
        }
        [root, v, z] if is(root, "atservicesrest") && is(v, "V1.0") && is(z, "zoneInformation") => {
            shared.count("GET /V1.0/zoneInformation".into());
            pause(latency).await;
            Delivery::Normal(zone(shared, request))
        }
        [root, v, rest @ ..] if is(root, "atservicesrest") && is(v, "V1.0") => {
            api(shared, request, rest, latency).await
        }
        _ => {
            shared.count(raw_endpoint(request));
            pause(latency).await;
            Delivery::Normal(Response::error(404, "The requested resource does not exist."))
        }
    }
}

fn zone(shared: &Shared, request: &Request) -> Response {
    if request.method != "GET" {
        return Response::error(
            405,
            format!("The requested resource does not support http method '{}'.", request.method),
        );
    }
    let user = request.query.iter().find(|(k, _)| is(k, "user")).map(|(_, v)| v.as_str()).unwrap_or_default();
    if !user.eq_ignore_ascii_case(&standin_credentials().api_user) {
        return Response::error(404, format!("Zone information could not be determined for the user '{user}'."));
    }
    let url = match &*shared.hostile() {
        Hostile::ZoneUrl(url) => url.clone(),
        _ => format!("{}/atservicesrest/", shared.base_url),
    };
    Response::json(
        200,
        &json!({
            "zoneName": "Stand-in",
            "url": url,
            "webUrl": format!("{}/", shared.base_url),
            "ci": 0,
        }),
    )
}

fn authorized(request: &Request) -> bool {
    let expected = standin_credentials();
    request.header("ApiIntegrationCode") == Some(expected.integration_code.as_str())
        && request.header("UserName").is_some_and(|u| u.eq_ignore_ascii_case(&expected.api_user))
        && request.header("Secret") == Some(expected.secret.as_str())
}

async fn api(shared: &Shared, request: &Request, segments: &[&str], latency: u64) -> Delivery {
    let resolved = routes::resolve(&request.method, segments);
    shared.count(resolved.as_ref().map_or_else(|_| raw_endpoint(request), |r| r.endpoint.clone()));
    if !authorized(request) {
        pause(latency).await;
        return Delivery::Normal(Response::error(
            401,
            "Unauthorized: the ApiIntegrationCode, UserName or Secret header is missing or not valid.",
        ));
    }
    let resolved = match resolved {
        Ok(resolved) => resolved,
        Err(response) => {
            pause(latency).await;
            return Delivery::Normal(response);
        }
    };
    // A hostile answer, to a request that carried the credentials.
    if let Some(delivery) = hostile::answer(shared, request, &resolved.route) {
        return delivery;
    }
    // Three requests in flight per endpoint and integration code; the place
    // is held until this function returns (or its task is cancelled).
    let code = request.header("ApiIntegrationCode").unwrap_or_default();
    let Some(_lane) = shared.limits.enter(format!("{code}|{}", resolved.endpoint)) else {
        pause(latency).await;
        return Delivery::Normal(Response::error(
            429,
            format!(
                "Request rejected: the thread threshold of {} threads has been exceeded for the endpoint {} of this \
                 integration code. Retry when an earlier request has finished.",
                crate::limits::THREADS_PER_ENDPOINT,
                resolved.endpoint
            ),
        ));
    };
    pause(latency).await;
    let fault = shared.dice().draw();
    let run = |route: &Route| routes::execute(shared, route, request);
    match fault {
        None => Delivery::Normal(run(&resolved.route)),
        Some(FaultKind::TooManyRequests) => Delivery::Normal(Response::error(
            429,
            "Request rejected: the request threshold has been exceeded (injected). Retry later.",
        )),
        Some(FaultKind::ServerError) => Delivery::Normal(Response::json(
            500,
            &json!({ "errors": ["Internal error (injected)"], "errorId": uuid::Uuid::new_v4().to_string() }),
        )),
        Some(FaultKind::ConnectionReset) => Delivery::Reset,
        Some(FaultKind::ResponseLostAfterCommit) => {
            let _ = run(&resolved.route);
            Delivery::Reset
        }
        Some(FaultKind::MalformedJson) => {
            Delivery::Normal(Response { status: 200, body: "{\"items\":[{\"id\":1,".into() })
        }
        Some(FaultKind::Truncated) => Delivery::Truncated(run(&resolved.route)),
    }
}
