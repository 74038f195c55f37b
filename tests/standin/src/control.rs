//! `/_standin/…`: the stand-in's own controls over HTTP, for demos and
//! end-to-end tests that run it as a separate process. Never counted,
//! delayed or faulted, and no auth (it only listens on 127.0.0.1).
//!
//! - `POST /_standin/faults` `{"latencyMs":0,"rate":0.2,"kinds":["ServerError"],"seed":1}`
//! - `POST /_standin/hostile` `"Off"`, `{"RedirectTo":"http://127.0.0.1:9/"}`, … (see [`Hostile`](crate::Hostile))
//! - `GET /_standin/requests` → `{"total":N,"byPath":{…}}`
//! - `GET /_standin/{Entity}` → every record
//! - `POST /_standin/{Entity}` (a record) → `{"itemId":N}`: added as the PSA's own users would
//! - `PATCH /_standin/{Entity}` (with its `id`) → `{"itemId":N}`: changed as the PSA's own users would

use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use crate::faults::Faults;
use crate::hostile::Hostile;
use crate::http::{Request, Response};
use crate::Shared;

pub fn answer(shared: &Shared, request: &Request) -> Response {
    let name = request.path.get("/_standin/".len()..).unwrap_or_default();
    match (request.method.as_str(), name) {
        ("POST", "faults") => match serde_json::from_slice::<Faults>(&request.body) {
            Ok(faults) if (0.0..=1.0).contains(&faults.rate) => {
                shared.dice().set(faults);
                Response::json(200, &json!({ "ok": true }))
            }
            Ok(_) => Response::error(400, "rate must be from 0 to 1."),
            Err(error) => Response::error(400, format!("Not a fault plan: {error}.")),
        },
        ("POST", "hostile") => match serde_json::from_slice::<Hostile>(&request.body) {
            Ok(hostile) => {
                *shared.hostile() = hostile;
                Response::json(200, &json!({ "ok": true }))
            }
            Err(error) => Response::error(400, format!("Not a hostile mode: {error}.")),
        },
        ("GET", "requests") => {
            let by_path = shared.by_path().clone();
            Response::json(200, &json!({ "total": shared.requests.load(Ordering::Relaxed), "byPath": by_path }))
        }
        (method, entity) => {
            let Some(entity) = crate::contract::entity(entity) else {
                return Response::error(404, "No such control.");
            };
            let body = match method {
                "GET" => Value::Null,
                _ => match serde_json::from_slice::<Value>(&request.body) {
                    Ok(body @ Value::Object(_)) => body,
                    _ => return Response::error(400, "The body must be a JSON object."),
                },
            };
            match method {
                "GET" => Response::json(200, &Value::Array(shared.snapshot(entity))),
                "POST" => Response::json(200, &json!({ "itemId": shared.insert(entity, &body) })),
                "PATCH" => match body.get("id").and_then(Value::as_i64) {
                    Some(id) if shared.patch(entity, id, &body) => Response::json(200, &json!({ "itemId": id })),
                    _ => Response::error(404, format!("{entity}: no record with that id.")),
                },
                _ => Response::error(405, "GET, POST or PATCH."),
            }
        }
    }
}
