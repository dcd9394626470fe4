//! The control API: lets a test drive a journey's object to any state.
//! Served under `/_sandbox/control/` only when the sandbox is started for
//! testing ([`SandboxBuilder::control_api`](crate::SandboxBuilder::control_api),
//! `--control`); never signed, never shaped like PayerMax's replies.
//!
//! `POST /_sandbox/control/<journey>/<action>/<id>` with an optional JSON
//! object body answers `200` with the object's new state as JSON, `404` for
//! an unknown journey, action or object, `409` when the action does not
//! apply to the object's state, `400` for a body that is not a JSON object.
//! `POST /_sandbox/control/clock/advance/<ms>` moves a manual sandbox clock.

use std::sync::Arc;

use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method, Response, StatusCode};
use serde_json::Value;

use crate::body::ReplyBody;
use crate::journeys::{ControlError, Ctx};
use crate::pipeline::unsigned_plain;
use crate::server::Shared;

/// The control name of the sandbox clock: `clock/advance/<milliseconds>`.
const CLOCK: &str = "clock";

/// `POST /_sandbox/control/clock/advance/<ms>`: moves a manual sandbox clock
/// (`SandboxBuilder::clock` with a [`ManualClock`](crate::ManualClock),
/// `--clock-offset-ms`) by `ms` milliseconds (negative: back) and answers
/// `{"now": <Unix milliseconds>}`; 409 when the clock is the machine's.
fn clock(shared: &Arc<Shared>, action: &str, id: &str) -> Response<ReplyBody> {
    if action != "advance" {
        return unsigned_plain(
            StatusCode::NOT_FOUND,
            &format!("the clock has no action {action:?}; actions: advance"),
        );
    }
    let Ok(delta) = id.parse::<i64>() else {
        return unsigned_plain(
            StatusCode::BAD_REQUEST,
            &format!("clock/advance/<ms>: {id:?} is not a whole number of milliseconds"),
        );
    };
    if !shared.env.clock.try_advance_millis(delta) {
        return unsigned_plain(
            StatusCode::CONFLICT,
            "the sandbox clock is the machine's and cannot be moved: start the sandbox with \
             a manual clock (--clock-offset-ms 0, or SandboxBuilder::clock(ManualClock))",
        );
    }
    json_ok(format!("{{\"now\":{}}}", shared.env.now()))
}

/// A `200` with a JSON body.
fn json_ok(body: String) -> Response<ReplyBody> {
    let mut resp = Response::new(ReplyBody::full(body));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// Serves one control request; `rest` is the path after `/_sandbox/control/`.
pub(crate) fn serve(
    shared: &Arc<Shared>,
    method: &Method,
    rest: &str,
    body_bytes: &[u8],
) -> Response<ReplyBody> {
    if method != Method::POST {
        return unsigned_plain(StatusCode::METHOD_NOT_ALLOWED, "control requests are POST");
    }
    let mut parts = rest.splitn(3, '/');
    let (Some(name), Some(action), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return unsigned_plain(
            StatusCode::NOT_FOUND,
            "control paths are /_sandbox/control/<journey>/<action>/<id>",
        );
    };
    let body: Value = if body_bytes.is_empty() {
        Value::Object(Default::default())
    } else {
        match serde_json::from_slice::<Value>(body_bytes) {
            Ok(v) if v.is_object() => v,
            _ => {
                return unsigned_plain(StatusCode::BAD_REQUEST, "a control body is a JSON object");
            }
        }
    };
    if name == CLOCK {
        return clock(shared, action, id);
    }
    let Some(journey) = shared.journeys.by_name(name) else {
        let names: Vec<&str> = shared.journeys.all().iter().map(|j| j.name()).collect();
        return unsigned_plain(
            StatusCode::NOT_FOUND,
            &format!("no journey {name:?}; journeys: {}", names.join(", ")),
        );
    };
    let cx = Ctx {
        env: &shared.env,
        now: shared.env.now(),
        raw: body_bytes,
    };
    match journey.control(cx, action, id, &body) {
        None => unsigned_plain(
            StatusCode::NOT_FOUND,
            &format!(
                "journey {name} has no action {action:?}; actions: {}",
                journey.control_actions().join(", ")
            ),
        ),
        Some(Err(ControlError::NotFound(msg))) => unsigned_plain(StatusCode::NOT_FOUND, &msg),
        Some(Err(ControlError::Conflict(msg))) => unsigned_plain(StatusCode::CONFLICT, &msg),
        Some(Ok(state)) => json_ok(state),
    }
}
