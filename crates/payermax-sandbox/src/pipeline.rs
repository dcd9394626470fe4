//! The one path every request takes: routing, the body under its size cap,
//! the signature (first: nothing else is honoured for an unauthenticated
//! request, faults included), faults, headers, validation against the
//! operation's schema, `requestTime`, then the operation's journey or its
//! documented example, and the signed reply.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use payermax_sign::SIGN_HEADER;
use serde_json::Value;

use crate::body::ReplyBody;
use crate::fault::{FAULT_HEADER, Fault, UnknownFault, parse_fault_list};
use crate::journeys::Ctx;
use crate::reply::{Data, Reply, example_reply};
use crate::schema;
use crate::server::{DropConnection, Shared, lock};
use crate::spec::{Api, OpSpec, Route};
use crate::time::parse_rfc3339_millis;
use crate::{checkout, control};

/// How far `requestTime` may be from the sandbox clock: two minutes.
pub const REQUEST_TIME_WINDOW_MILLIS: i64 = 2 * 60 * 1000;

/// A plain-text reply, signed over its bytes only when the sandbox signs
/// refusals ([`SandboxBuilder::sign_refusals`](crate::SandboxBuilder::sign_refusals)).
pub(crate) fn plain(shared: &Shared, status: StatusCode, text: &str) -> Response<ReplyBody> {
    let mut resp = unsigned_plain(status, text);
    if shared.sign_refusals {
        let sign = shared
            .env
            .platform_key
            .sign(text.as_bytes())
            .ok()
            .and_then(|s| HeaderValue::from_str(&s).ok());
        if let Some(sign) = sign {
            resp.headers_mut().insert(SIGN_HEADER, sign);
        }
    }
    resp
}

/// A plain-text reply without a signature.
pub(crate) fn unsigned_plain(status: StatusCode, text: &str) -> Response<ReplyBody> {
    let mut resp = Response::new(ReplyBody::full(text.to_owned()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// `true` when a Content-Type names `application/json`, parameters and
/// case aside.
pub(crate) fn is_json_media_type(value: &HeaderValue) -> bool {
    value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// The path prefix of everything the sandbox serves that PayerMax does not
/// (its hosted checkout page, its control API): outside every PayerMax path.
pub const SANDBOX_PATH_PREFIX: &str = "/_sandbox/";

pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<ReplyBody>, DropConnection> {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().path().to_owned();
    if path.starts_with(SANDBOX_PATH_PREFIX) {
        return Ok(sandbox_path(&shared, req, &path).await);
    }
    let Some(route) = shared.routes.route(&path) else {
        return Ok(plain(
            &shared,
            StatusCode::NOT_FOUND,
            &format!("no PayerMax operation at {path}"),
        ));
    };
    if req.method() != Method::POST {
        let mut resp = plain(
            &shared,
            StatusCode::METHOD_NOT_ALLOWED,
            &format!(
                "{} is not allowed; PayerMax operations are POST",
                req.method()
            ),
        );
        resp.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return Ok(resp);
    }
    let (parts, body) = req.into_parts();
    let body = match read_body(&shared, body).await {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let (api, variants): (Api, Vec<&OpSpec>) = match route {
        Route::Gateway(variants) => (Api::Gateway, variants),
        Route::LegacyBase => (
            Api::Legacy,
            parsed
                .as_ref()
                .and_then(|v| v.get("bizType"))
                .and_then(Value::as_str)
                .map(|b| shared.routes.legacy(b))
                .unwrap_or_default(),
        ),
    };

    // Authentication first: an unsigned request gets nothing else, faults
    // included.
    if let Some(refusal) = check_signature(&shared, api, &parts.headers, &body) {
        return respond(&shared, refusal, &[]).await;
    }

    let mut faults = Vec::new();
    for value in parts.headers.get_all(FAULT_HEADER) {
        match value.to_str().ok().and_then(|v| parse_fault_list(v).ok()) {
            Some(list) => faults.extend(list),
            None => {
                let text = value.to_str().unwrap_or("<not text>");
                return Ok(plain(
                    &shared,
                    StatusCode::BAD_REQUEST,
                    &UnknownFault(text.to_owned()).to_string(),
                ));
            }
        }
    }
    let mut names: Vec<&str> = Vec::new();
    for s in &variants {
        for name in [s.id.as_str(), s.operation.as_str()] {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    faults.extend(lock(&shared.faults).take(&path, &names));

    // Refusing faults: the operation does not run.
    if let Some(f) = faults.iter().find(|f| f.refuses()) {
        let reply = match f {
            Fault::Status(code) => {
                let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                let mut resp =
                    unsigned_plain(status, &format!("sandbox fault: injected HTTP {code}"));
                if matches!(code, 429 | 503) {
                    resp.headers_mut()
                        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
                }
                return Ok(resp);
            }
            Fault::TooManyRequest => Reply::error(
                api,
                "TOO_MANY_REQUEST",
                "Exceed request limitation, please retry later",
            ),
            _ => Reply::error(
                api,
                "SYSTEM_ERROR",
                "System is busy, please try again later.",
            ),
        };
        return respond(&shared, reply, &faults).await;
    }

    let reply = process(&shared, api, &variants, &parts.headers, &body, parsed);
    respond(&shared, reply, &faults).await
}

/// The request body under the size cap: HTTP 413 above it.
pub(crate) async fn read_body(
    shared: &Shared,
    body: Incoming,
) -> Result<Bytes, Result<Response<ReplyBody>, DropConnection>> {
    match Limited::new(body, shared.max_request_bytes).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                return Err(Ok(plain(
                    shared,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!(
                        "request body larger than {} bytes",
                        shared.max_request_bytes
                    ),
                )));
            }
            Err(Err(DropConnection))
        }
    }
}

/// `SIGN_VERIFY_FAILED` unless exactly one `sign` header verifies over the
/// raw body with the merchant key.
fn check_signature(shared: &Shared, api: Api, headers: &HeaderMap, body: &[u8]) -> Option<Reply> {
    let mut signs = headers.get_all(SIGN_HEADER).iter();
    let sign = match (signs.next(), signs.next()) {
        (Some(v), None) => v.to_str().ok(),
        _ => None,
    };
    let Some(sign) = sign else {
        return Some(Reply::error(
            api,
            "SIGN_VERIFY_FAILED",
            "The signature verify failed: exactly one sign header is required",
        ));
    };
    if shared.merchant_key.verify(body, sign).is_err() {
        return Some(Reply::error(
            api,
            "SIGN_VERIFY_FAILED",
            "The signature verify failed.",
        ));
    }
    None
}

/// Everything under [`SANDBOX_PATH_PREFIX`]: the hosted checkout page
/// (always), the control API (only when started for testing).
async fn sandbox_path(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    path: &str,
) -> Response<ReplyBody> {
    let rest = &path[SANDBOX_PATH_PREFIX.len()..];
    let method = req.method().clone();
    let (_, body) = req.into_parts();
    let body = match read_body(shared, body).await {
        Ok(body) => body,
        Err(Ok(resp)) => return resp,
        Err(Err(DropConnection)) => {
            return unsigned_plain(StatusCode::BAD_REQUEST, "unreadable body");
        }
    };
    if let Some(rest) = rest.strip_prefix("control/") {
        if !shared.control {
            return unsigned_plain(
                StatusCode::NOT_FOUND,
                "the control API is off: start the sandbox for testing to use it",
            );
        }
        return control::serve(shared, &method, rest, &body);
    }
    match rest.strip_prefix("checkout/") {
        Some(token) => checkout::serve(
            &shared.journeys.payments,
            &shared.env,
            &method,
            token,
            &body,
        ),
        None => unsigned_plain(StatusCode::NOT_FOUND, &format!("no sandbox page at {path}")),
    }
}

fn params_invalid(api: Api, msg: impl Into<String>) -> Reply {
    Reply::error(api, "PARAMS_INVALID", msg)
}

/// The operation a body is for: the first variant whose request schema it
/// satisfies; when none does, the first variant's violations.
fn choose_variant<'a>(variants: &[&'a OpSpec], body: &Value) -> Result<&'a OpSpec, Vec<String>> {
    let mut first_violations = None;
    for op in variants {
        let violations = schema::validate(&op.request_schema, body);
        if violations.is_empty() {
            return Ok(op);
        }
        first_violations.get_or_insert(violations);
    }
    Err(first_violations
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.message)
        .collect())
}

/// Headers, JSON, variant, `requestTime`; then the answer.
fn process(
    shared: &Arc<Shared>,
    api: Api,
    variants: &[&OpSpec],
    headers: &HeaderMap,
    raw: &[u8],
    parsed: Option<Value>,
) -> Reply {
    // Headers the spec requires (names are case-insensitive; `sign` was
    // checked first). Variants of one endpoint document the same headers.
    let required: &[String] = variants
        .first()
        .map(|s| s.required_headers.as_slice())
        .unwrap_or(&[]);
    if let Some(ct) = headers.get(CONTENT_TYPE) {
        if !is_json_media_type(ct) {
            return params_invalid(
                api,
                format!(
                    "Content-Type must be application/json, but your input is {:?}",
                    ct.to_str().unwrap_or("<not text>")
                ),
            );
        }
    } else if required.iter().any(|h| h == "content-type") {
        return params_invalid(api, "Content-Type is invalid, because Content-Type is null");
    }
    for h in required {
        if h != "content-type" && h != SIGN_HEADER && !headers.contains_key(h.as_str()) {
            return params_invalid(api, format!("{h} is invalid, because {h} is null"));
        }
    }

    let Some(value) = parsed.filter(Value::is_object) else {
        return params_invalid(api, "body must be a JSON object");
    };
    let op = match (api, variants.is_empty()) {
        (_, false) => match choose_variant(variants, &value) {
            Ok(op) => op,
            Err(msgs) => return params_invalid(api, msgs.join("; ")),
        },
        (Api::Legacy, true) => {
            return match value.get("bizType") {
                None | Some(Value::Null) => {
                    params_invalid(api, "bizType is invalid, because bizType is null")
                }
                Some(other) => params_invalid(
                    api,
                    format!("bizType {other} is not an operation of this sandbox"),
                ),
            };
        }
        (Api::Gateway, true) => return params_invalid(api, "unknown operation"),
    };
    let now = shared.env.now();
    if api == Api::Gateway {
        let time = value
            .get("requestTime")
            .and_then(Value::as_str)
            .and_then(parse_rfc3339_millis);
        match time {
            Some(t) if (now - t).abs() <= REQUEST_TIME_WINDOW_MILLIS => {}
            Some(_) => {
                return Reply::error(
                    api,
                    "REQ_TIME_OVER_TIME",
                    "requestTime effective in two minutes",
                );
            }
            None => {
                return params_invalid(api, "requestTime is invalid, because requestTime is null");
            }
        }
    }

    match shared.journeys.for_operation(op.api, &op.operation) {
        Some(journey) => journey.answer(
            Ctx {
                env: &shared.env,
                now,
                raw,
            },
            op,
            &value,
        ),
        None => example_reply(op),
    }
}

/// Writes, signs and sends a reply, applying the reply-side faults.
async fn respond(
    shared: &Shared,
    mut reply: Reply,
    faults: &[Fault],
) -> Result<Response<ReplyBody>, DropConnection> {
    for f in faults {
        match f {
            Fault::UnknownFields => {
                reply.extra = std::mem::take(&mut reply.extra).raw(
                    "sandboxUnknownTopLevel",
                    r#"{"added":"by the unknown-fields fault","n":[1,2.5]}"#,
                );
                if let Some(Data::Members(data)) = reply.data.as_mut() {
                    *data = std::mem::take(data).str("sandboxUnknownField", "unknown-fields fault");
                }
            }
            Fault::UnknownEnum => {
                if let Some(Data::Members(data)) = reply.data.as_mut() {
                    let unknown = match reply.api {
                        Api::Gateway => "\"REFUND_REVERSED\"",
                        Api::Legacy => "9",
                    };
                    data.set_raw("status", unknown);
                }
            }
            Fault::OversizedBody(n) => {
                reply.extra = std::mem::take(&mut reply.extra)
                    .raw("sandboxPadding", format!("\"{}\"", "x".repeat(*n)));
            }
            _ => {}
        }
    }
    let body = reply.to_json();
    let mut sign = match shared.env.platform_key.sign(body.as_bytes()) {
        Ok(s) => Some(s),
        Err(_) => return Err(DropConnection),
    };
    if faults.contains(&Fault::BadSignature) {
        // A real signature, but over other bytes: well-formed and wrong.
        let mut other = body.clone().into_bytes();
        other.push(b' ');
        sign = shared.env.platform_key.sign(&other).ok();
    }
    if faults.contains(&Fault::MissingSignature) || (!shared.sign_refusals && !reply.is_success()) {
        sign = None;
    }
    for f in faults {
        if let Fault::Delay(d) = f {
            tokio::time::sleep(*d).await;
        }
    }
    if faults.contains(&Fault::DropConnection) {
        return Err(DropConnection);
    }
    let bytes = Bytes::from(body);
    let len = bytes.len();
    let reply_body = if faults.contains(&Fault::TruncatedBody) {
        ReplyBody::Truncated {
            part: Some(bytes.slice(..len / 2)),
            announced: len as u64,
            pause: None,
            failed: false,
        }
    } else {
        ReplyBody::full(bytes)
    };
    let mut resp = Response::new(reply_body);
    let headers = resp.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    if let Some(sign) = sign.and_then(|s| HeaderValue::from_str(&s).ok()) {
        headers.insert(SIGN_HEADER, sign);
    }
    Ok(resp)
}
