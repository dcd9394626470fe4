//! The HTTP side: routing, checks, operations, faults, signing.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use payermax_sign::{PrivateKey, PublicKey, SIGN_HEADER};
use rust_decimal::Decimal;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::body::ReplyBody;
use crate::fault::{FAULT_HEADER, Fault, FaultRules, parse_fault_list};
use crate::notify::{self, NotifyConfig};
use crate::reply::{Data, Members, Reply};
use crate::schema;
use crate::spec::{Api, OpSpec, Route, Routes};
use crate::store::{Application, Applied, Refund, RefundStatus, Settlement, Store};
use crate::time::{Clock, format_rfc3339_millis, parse_rfc3339_millis};

/// How far `requestTime` may be from the sandbox clock: two minutes.
pub const REQUEST_TIME_WINDOW_MILLIS: i64 = 2 * 60 * 1000;

/// State shared by the server, its background tasks and the handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) routes: Routes,
    pub(crate) merchant_key: PublicKey,
    pub(crate) platform_key: PrivateKey,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) settlement: Settlement,
    pub(crate) notify: NotifyConfig,
    pub(crate) max_request_bytes: usize,
    pub(crate) sign_refusals: bool,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<FaultRules>,
    pub(crate) requests: AtomicU64,
    pub(crate) shutdown: watch::Receiver<bool>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The error that makes hyper close a connection without a reply.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sandbox fault: connection dropped")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    let mut shutdown = shared.shutdown.clone();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.wait_for(|s| *s) => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _peer)) = accepted else {
            // Transient accept errors (e.g. too many open files): back off briefly.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut shutdown = shared.shutdown.clone();
            let svc_shared = shared.clone();
            let svc = service_fn(move |req| handle(svc_shared.clone(), req));
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = shutdown.wait_for(|s| *s) => {}
                _ = conn => {}
            }
        });
    }
}

/// A plain-text reply; signed over its bytes when `signer` is given.
fn plain(signer: Option<&Shared>, status: StatusCode, text: &str) -> Response<ReplyBody> {
    let sign = signer
        .and_then(|s| s.platform_key.sign(text.as_bytes()).ok())
        .and_then(|s| HeaderValue::from_str(&s).ok());
    let mut resp = Response::new(ReplyBody::full(text.to_owned()));
    if let Some(sign) = sign {
        resp.headers_mut().insert(SIGN_HEADER, sign);
    }
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

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<ReplyBody>, DropConnection> {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().path().to_owned();
    let Some(route) = shared.routes.route(&path) else {
        return Ok(plain(
            Some(&shared),
            StatusCode::NOT_FOUND,
            &format!("no PayerMax operation at {path}"),
        ));
    };
    if req.method() != Method::POST {
        let mut resp = plain(
            Some(&shared),
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
    let mut faults = Vec::new();
    for value in req.headers().get_all(FAULT_HEADER) {
        match value
            .to_str()
            .map_err(|_| ())
            .and_then(|v| parse_fault_list(v).map_err(|_| ()))
        {
            Ok(list) => faults.extend(list),
            Err(()) => {
                let text = value.to_str().unwrap_or("<not text>");
                return Ok(plain(
                    Some(&shared),
                    StatusCode::BAD_REQUEST,
                    &crate::fault::UnknownFault(text.to_owned()).to_string(),
                ));
            }
        }
    }
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, shared.max_request_bytes).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                return Ok(plain(
                    Some(&shared),
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!(
                        "request body larger than {} bytes",
                        shared.max_request_bytes
                    ),
                ));
            }
            return Err(DropConnection);
        }
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
                let mut resp = plain(
                    None,
                    status,
                    &format!("sandbox fault: injected HTTP {code}"),
                );
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

fn process(
    shared: &Arc<Shared>,
    api: Api,
    variants: &[&OpSpec],
    headers: &HeaderMap,
    body: &Bytes,
    parsed: Option<Value>,
) -> Reply {
    // Headers the spec requires (names are case-insensitive; `sign` is checked
    // below). Variants of one endpoint document the same headers.
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

    // The signature, over the raw body bytes.
    let mut signs = headers.get_all(SIGN_HEADER).iter();
    let sign = match (signs.next(), signs.next()) {
        (Some(v), None) => v.to_str().ok(),
        _ => None,
    };
    let Some(sign) = sign else {
        return Reply::error(
            api,
            "SIGN_VERIFY_FAILED",
            "The signature verify failed: exactly one sign header is required",
        );
    };
    if shared.merchant_key.verify(body, sign).is_err() {
        return Reply::error(api, "SIGN_VERIFY_FAILED", "The signature verify failed.");
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
    let now = shared.clock.now_millis();
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

    match (api, op.operation.as_str()) {
        (Api::Legacy, REFUND_APPLY) => refund_apply(shared, &value, now),
        (Api::Gateway, REFUND_QUERY) => refund_query(shared, &value, now),
        _ => example_reply(op, &value),
    }
}

const REFUND_APPLY: &str = STATEFUL_OPERATIONS[0];
const REFUND_QUERY: &str = STATEFUL_OPERATIONS[1];

/// The operations answered from the sandbox's state rather than from their
/// documented reply example: the legacy `refundApply` and the gateway
/// `refundQuery` (PayerMax names).
pub const STATEFUL_OPERATIONS: [&str; 2] = ["refundApply", "refundQuery"];

/// Operations the sandbox keeps no state for answer their first reply
/// example's `data` as the spec writes it (numbers as written; a boolean is
/// a boolean; no `data` when the example has none), with the request's
/// identifiers written in where the reply echoes them (the spec's `echo`).
fn example_reply(op: &OpSpec, body: &Value) -> Reply {
    let mut data = op.reply_data.as_deref().map(Data::from_json);
    if let Some(data) = data.as_mut() {
        let payload = match op.api {
            Api::Gateway => body.get("data").unwrap_or(&Value::Null),
            Api::Legacy => body,
        };
        data.echo_request(&op.echo, payload);
    }
    Reply::success_with(op.api, data)
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn legacy_refund_data(r: &Refund) -> Members {
    Members::default()
        .str("refundId", &r.refund_id)
        .str("tradeNo", &r.trade_no)
        .str("orderId", &r.order_id)
        .raw("status", r.status.legacy_code().to_string())
        .opt_str("errorCode", r.error_code.as_deref())
        .opt_str("errorMsg", r.error_msg.as_deref())
}

fn refund_apply(shared: &Arc<Shared>, body: &Value, now: i64) -> Reply {
    let api = Api::Legacy;
    let amount = text(body, "amount").unwrap_or_default();
    let amount_value = match Decimal::from_str(amount) {
        Ok(v) if v > Decimal::ZERO => v,
        Ok(_) => {
            return Reply::error(
                api,
                "AMOUNT_INVALID",
                format!("amount must be greater than 0, but your input is {amount}"),
            );
        }
        Err(_) => {
            return Reply::error(
                api,
                "AMOUNT_INVALID",
                format!("amount {amount} is out of range"),
            );
        }
    };
    let currency = text(body, "currency").unwrap_or_default();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Reply::error(
            api,
            "CURRENCY_INVALID",
            format!("currency is invalid, because currency {currency:?} is not defined"),
        );
    }
    let app = Application {
        refund_id: text(body, "refundId").unwrap_or_default().to_owned(),
        order_id: text(body, "orderId").unwrap_or_default().to_owned(),
        merchant_id: text(body, "merchantId").unwrap_or_default().to_owned(),
        amount: amount.to_owned(),
        amount_value,
        currency: currency.to_owned(),
        callback_url: text(body, "callbackUrl").map(str::to_owned),
    };
    let applied = lock(&shared.store).apply(app, now);
    match applied {
        Applied::Created(r) => {
            if let Some(after) = shared.settlement.settle_after {
                spawn_settle_timer(shared.clone(), r.refund_id.clone(), after);
            }
            Reply::success(api, legacy_refund_data(&r))
        }
        Applied::Repeated(r) => Reply::success(api, legacy_refund_data(&r)),
        Applied::Conflict { existing, fields } => Reply::error(
            api,
            "ORDER_REPEAT",
            format!(
                "refundId {} was already used for a refund with a different {}",
                existing.refund_id,
                fields.join(", ")
            ),
        ),
    }
}

fn spawn_settle_timer(shared: Arc<Shared>, refund_id: String, after: Duration) {
    let mut shutdown = shared.shutdown.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown.wait_for(|s| *s) => {}
            () = tokio::time::sleep(after) => {
                let now = shared.clock.now_millis();
                let settled = lock(&shared.store).settle(&refund_id, now);
                if let Some(r) = settled {
                    notify::on_settled(&shared, r);
                }
            }
        }
    });
}

fn refund_query(shared: &Arc<Shared>, body: &Value, now: i64) -> Reply {
    let api = Api::Gateway;
    let data = body.get("data").cloned().unwrap_or(Value::Null);
    let out_refund_no = text(&data, "outRefundNo");
    let trade_no = text(&data, "refundTradeNo");
    let found = lock(&shared.store).query(out_refund_no, trade_no, &shared.settlement, now);
    let Some((r, settled_now)) = found else {
        return match (out_refund_no, trade_no) {
            (Some(id), _) => Reply::error(
                api,
                "ORDER_NOT_EXIST",
                format!("no refund with outRefundNo {id}"),
            ),
            (None, t) => Reply::error(
                api,
                "REFUND_NO_INVALID",
                format!("no refund with refundTradeNo {}", t.unwrap_or_default()),
            ),
        };
    };
    if settled_now {
        notify::on_settled(shared, r.clone());
    }
    let data = Members::default()
        .str("outRefundNo", &r.refund_id)
        .str("refundTradeNo", &r.trade_no)
        // The exact decimal text, written as a JSON number.
        .raw("refundAmount", r.amount.clone())
        .str("refundCurrency", &r.currency)
        .str("outTradeNo", &r.order_id)
        .str("status", r.status.gateway_name())
        .opt_str(
            "resultMsg",
            (r.status == RefundStatus::Failed)
                .then_some(r.error_msg.as_deref())
                .flatten(),
        )
        .opt_str(
            "refundFinishTime",
            r.finished_millis.map(format_rfc3339_millis).as_deref(),
        );
    Reply::success(api, data)
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
    let mut sign = match shared.platform_key.sign(body.as_bytes()) {
        Ok(s) => Some(s),
        Err(_) => return Err(DropConnection),
    };
    if faults.contains(&Fault::BadSignature) {
        // A real signature, but over other bytes: well-formed and wrong.
        let mut other = body.clone().into_bytes();
        other.push(b' ');
        sign = shared.platform_key.sign(&other).ok();
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

/// Binds the listener.
pub(crate) async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
