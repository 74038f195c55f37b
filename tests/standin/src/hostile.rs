//! A hostile or broken server, for the connector's hardening tests: answers
//! no real Autotask gives, each aimed at sending the credentials elsewhere
//! or at wearing the client out. Off unless a test turns one on.

use serde::Deserialize;
use serde_json::json;

use crate::http::{Delivery, Request, Response};
use crate::routes::Route;
use crate::Shared;

/// The misbehaviour. Over HTTP (`POST /_standin/hostile`): `"Off"`,
/// `{"RedirectTo":"http://127.0.0.1:9/"}`, `{"HugeBody":{"bytes":100000000,"announced":false}}`…
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Hostile {
    #[default]
    Off,
    /// Every authenticated API request (it carries the `Secret` header) is
    /// answered `302 Found` with this `Location`.
    RedirectTo(String),
    /// Zone discovery names this as the zone's url.
    ZoneUrl(String),
    /// Every query page has no records and this `nextPageUrl`.
    NextPageUrl(String),
    /// Every query page has no records and a `nextPageUrl` on this server
    /// that alternates between two addresses, forever.
    LoopingPages,
    /// Every authenticated API answer is 200 with a body of `bytes` bytes,
    /// streamed in pieces; its length announced (`Content-Length`) or not
    /// (the body then ends when the connection closes).
    HugeBody { bytes: u64, announced: bool },
    /// Every authenticated API answer is a 500 whose one error message is
    /// this many characters long.
    LongError(usize),
}

/// The hostile answer to an authenticated API request, if one is set.
pub(crate) fn answer(shared: &Shared, request: &Request, route: &Route) -> Option<Delivery> {
    let hostile = shared.hostile().clone();
    match (hostile, route) {
        (Hostile::Off | Hostile::ZoneUrl(_), _) => None,
        (Hostile::RedirectTo(location), _) => Some(Delivery::Redirect { status: 302, location }),
        (Hostile::NextPageUrl(next), Route::Query { .. }) => Some(empty_page(next)),
        (Hostile::LoopingPages, Route::Query { entity, .. }) => {
            // a → b → a → …: never the page just asked for, so only a memory of all of them sees the circle.
            let turn = if request.query.get("loop").is_some_and(|t| t == "a") { "b" } else { "a" };
            Some(empty_page(format!("{}/atservicesrest/V1.0/{entity}/query/next?loop={turn}", shared.base_url)))
        }
        (Hostile::NextPageUrl(_) | Hostile::LoopingPages, _) => None,
        (Hostile::HugeBody { bytes, announced }, _) => {
            Some(Delivery::Stream { bytes, announced, sent: shared.streamed.clone() })
        }
        (Hostile::LongError(chars), _) => {
            Some(Delivery::Normal(Response::json(500, &json!({ "errors": ["x".repeat(chars)] }))))
        }
    }
}

fn empty_page(next: String) -> Delivery {
    Delivery::Normal(Response::json(
        200,
        &json!({
            "items": [],
            "pageDetails": { "count": 0, "requestCount": 500, "prevPageUrl": null, "nextPageUrl": next },
        }),
    ))
}
