//! `/_standin/…`: the Halo stand-in's own controls over HTTP, in the
//! Autotask stand-in's style (`crate::control`), for demos and end-to-end
//! tests that run it as a separate process. Never counted, delayed or
//! faulted, and no token (it only listens on 127.0.0.1).
//!
//! - `POST /_standin/faults` `{"latencyMs":0,"rate":0.2,"kinds":["ServerError"],"seed":1}`
//! - `GET /_standin/requests` → `{"total":N,"byPath":{…}}`
//! - `GET /_standin/{Entity}` → every record, by Halo's entity name
//!   (`Tickets`, `Actions`, `Client`, `Site`, `Users`, `Asset`, `Agent`,
//!   `Appointment`, `Attachment`)
//! - `PATCH /_standin/{Entity}` (with its `id`) → `{"id":N}`: changed as
//!   Halo's own users would (its change time moves); not `Actions`, which
//!   Halo numbers per ticket

use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use super::{lock, HaloShared};
use crate::faults::Faults;
use crate::http::{Request, Response};

const ENTITIES: [&str; 9] =
    ["Tickets", "Actions", "Client", "Site", "Users", "Asset", "Agent", "Appointment", "Attachment"];

fn refused(status: u16, message: &str) -> Response {
    Response::json(status, &json!(message))
}

pub(crate) fn answer(shared: &HaloShared, request: &Request) -> Response {
    let name = request.path.get("/_standin/".len()..).unwrap_or_default().trim_end_matches('/');
    match (request.method.as_str(), name) {
        ("POST", "faults") => match serde_json::from_slice::<Faults>(&request.body) {
            Ok(faults) if (0.0..=1.0).contains(&faults.rate) => {
                lock(&shared.dice).set(faults);
                Response::json(200, &json!({ "ok": true }))
            }
            Ok(_) => refused(400, "rate must be from 0 to 1."),
            Err(error) => refused(400, &format!("Not a fault plan: {error}.")),
        },
        ("GET", "requests") => {
            let by_path = lock(&shared.by_path).clone();
            Response::json(200, &json!({ "total": shared.requests.load(Ordering::Relaxed), "byPath": by_path }))
        }
        (method, entity) => {
            let Some(entity) = ENTITIES.iter().find(|e| e.eq_ignore_ascii_case(entity)) else {
                return refused(404, "No such control.");
            };
            match method {
                "GET" => Response::json(200, &Value::Array(shared.store().snapshot(entity))),
                "PATCH" => {
                    let body = match serde_json::from_slice::<Value>(&request.body) {
                        Ok(body @ Value::Object(_)) => body,
                        _ => return refused(400, "The body must be a JSON object."),
                    };
                    match body.get("id").and_then(Value::as_i64) {
                        Some(id) if shared.patch(entity, id, &body) => Response::json(200, &json!({ "id": id })),
                        _ => refused(404, &format!("{entity}: no record with that id.")),
                    }
                }
                _ => refused(405, "GET or PATCH."),
            }
        }
    }
}
