//! The sandbox over real loopback HTTP, driven by raw hyper requests signed
//! with payermax-sign (no SDK client involved).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use payermax_sandbox::{
    Fault, FaultRule, LEGACY_BASE_PATH, ManualClock, RefundStatus, Sandbox, SandboxHandle,
    Settlement, format_rfc3339_millis, receiver,
};
use payermax_sign::{PrivateKey, PublicKey};
use serde_json::{Value, json};
use tokio::net::TcpStream;

const QUERY_PATH: &str = "/aggregate-pay/api/gateway/refundQuery";

/// Key pairs, generated once per test binary: (merchant, platform, stranger).
fn keys() -> &'static (PrivateKey, PrivateKey, PrivateKey) {
    static KEYS: OnceLock<(PrivateKey, PrivateKey, PrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            PrivateKey::generate().unwrap(),
            PrivateKey::generate().unwrap(),
            PrivateKey::generate().unwrap(),
        )
    })
}

fn merchant() -> &'static PrivateKey {
    &keys().0
}

fn platform_public() -> PublicKey {
    keys().1.public_key()
}

fn builder() -> payermax_sandbox::SandboxBuilder {
    // These tests verify refusals too: signed on request (PayerMax leaves
    // them unsigned, the sandbox's default; tested apart).
    Sandbox::builder()
        .sign_refusals(true)
        .merchant_public_key(merchant().public_key())
        .platform_private_key(keys().1.clone())
        .notification_schedule(vec![
            Duration::ZERO,
            Duration::from_millis(10),
            Duration::from_millis(10),
        ])
        .notification_timeout(Duration::from_secs(2))
}

async fn start() -> SandboxHandle {
    builder()
        .settlement(Settlement {
            pending_queries: 1,
            settle_after: None,
        })
        .start()
        .await
        .unwrap()
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts the reply is signed by the platform key over its exact bytes.
    fn verified(&self) -> Value {
        let sign = self
            .headers
            .get("sign")
            .expect("signed reply")
            .to_str()
            .unwrap();
        platform_public()
            .verify(&self.body, sign)
            .expect("platform signature verifies");
        self.json()
    }
}

async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<Reply, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(Full::new(body.into())).unwrap())
        .await
        .map_err(|e| format!("request: {e}"))?;
    let (parts, body) = resp.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes();
    Ok(Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

/// POSTs `body` signed with `key`, plus extra headers.
async fn post_signed(
    sb: &SandboxHandle,
    path: &str,
    body: &str,
    key: &PrivateKey,
    extra: &[(&str, &str)],
) -> Result<Reply, String> {
    let sign = key.sign(body.as_bytes()).unwrap();
    let mut headers = vec![
        ("content-type", "application/json"),
        ("sign", sign.as_str()),
    ];
    headers.extend_from_slice(extra);
    send(
        sb.local_addr(),
        Method::POST,
        path,
        &headers,
        body.to_owned(),
    )
    .await
}

fn apply_body(refund_id: &str, order_id: &str, amount: &str, callback: Option<&str>) -> String {
    let mut v = json!({
        "merchantId": "SP12345678", "bizType": "refundApply", "version": "2.1",
        "refundId": refund_id, "orderId": order_id, "amount": amount, "currency": "USD",
    });
    if let Some(c) = callback {
        v["callbackUrl"] = json!(c);
    }
    v.to_string()
}

fn now_text() -> String {
    format_rfc3339_millis(payermax_sandbox::Clock::now_millis(
        &payermax_sandbox::SystemClock,
    ))
}

fn query_body(data: Value) -> String {
    json!({"version": "1.5", "keyVersion": "1", "requestTime": now_text(),
           "appId": "app1", "merchantNo": "SP12345678", "data": data})
    .to_string()
}

async fn apply(sb: &SandboxHandle, body: &str) -> Value {
    post_signed(sb, LEGACY_BASE_PATH, body, merchant(), &[])
        .await
        .unwrap()
        .verified()
}

async fn query(sb: &SandboxHandle, data: Value) -> Value {
    post_signed(sb, QUERY_PATH, &query_body(data), merchant(), &[])
        .await
        .unwrap()
        .verified()
}

#[tokio::test]
async fn refund_lifecycle_apply_query_settle() {
    let sb = start().await;
    let r = apply(&sb, &apply_body("R-life", "O-1", "1000.10", None)).await;
    assert_eq!(r["bizCode"], "0000");
    assert_eq!(r["data"]["refundId"], "R-life");
    assert_eq!(r["data"]["orderId"], "O-1");
    assert_eq!(r["data"]["status"], 0);
    let trade_no = r["data"]["tradeNo"].as_str().unwrap().to_owned();

    let q = query(&sb, json!({"outRefundNo": "R-life"})).await;
    assert_eq!(q["code"], "APPLY_SUCCESS");
    assert_eq!(q["data"]["status"], "REFUND_PENDING");
    assert_eq!(q["data"]["refundTradeNo"], trade_no.as_str());
    assert!(q["data"].get("refundFinishTime").is_none());

    let reply = post_signed(
        &sb,
        QUERY_PATH,
        &query_body(json!({"refundTradeNo": trade_no})),
        merchant(),
        &[],
    )
    .await
    .unwrap();
    // The amount travels as the exact decimal text, as a JSON number.
    assert!(
        String::from_utf8_lossy(&reply.body).contains(r#""refundAmount":1000.10,"#),
        "{:?}",
        reply.body
    );
    let q = reply.verified();
    assert_eq!(q["data"]["status"], "REFUND_SUCCESS");
    assert_eq!(q["data"]["outRefundNo"], "R-life");
    assert_eq!(q["data"]["outTradeNo"], "O-1");
    assert_eq!(q["data"]["refundCurrency"], "USD");
    assert!(
        q["data"]["refundFinishTime"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    let refunds = sb.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].status, RefundStatus::Success);
    assert_eq!(refunds[0].queries, 2);

    // A repeat application now reports the settled refund.
    let again = apply(&sb, &apply_body("R-life", "O-1", "1000.1", None)).await;
    assert_eq!(again["data"]["tradeNo"], trade_no.as_str());
    assert_eq!(again["data"]["status"], 1);
    assert_eq!(sb.refunds().len(), 1);
    sb.shutdown().await;
}

/// Issue #12: "007.50" was accepted, then written into the signed refund
/// query reply as `"refundAmount":007.50`, which no JSON parser reads. The
/// sandbox reads amounts with the SDK's own grammar, and every reply parses.
#[tokio::test]
async fn a_leading_zero_amount_is_refused_and_replies_stay_json() {
    let sb = start().await;
    let r = apply(&sb, &apply_body("R-zero", "O-1", "007.50", None)).await;
    assert_eq!(r["bizCode"], "PARAMS_INVALID", "{r}");
    assert!(r["message"].as_str().unwrap().contains("amount"), "{r}");
    // Nothing was kept, so the query finds no such refund; its reply parses.
    let q = query(&sb, json!({"outRefundNo": "R-zero"})).await;
    assert_ne!(q["code"], "APPLY_SUCCESS", "{q}");
    // The same amount written properly is kept and read back as JSON.
    let r = apply(&sb, &apply_body("R-fine", "O-1", "7.50", None)).await;
    assert_eq!(r["bizCode"], "0000", "{r}");
    let q = query(&sb, json!({"outRefundNo": "R-fine"})).await;
    assert_eq!(q["data"]["refundAmount"], json!(7.5), "{q}");
    sb.shutdown().await;
}

#[tokio::test]
async fn failure_trigger_and_missing_refunds() {
    let sb = start().await;
    apply(&sb, &apply_body("R-fail", "FAIL-7", "5", None)).await;
    query(&sb, json!({"outRefundNo": "R-fail"})).await;
    let q = query(&sb, json!({"outRefundNo": "R-fail"})).await;
    assert_eq!(q["data"]["status"], "REFUND_FAILED");
    assert!(q["data"]["resultMsg"].as_str().unwrap().contains("FAIL"));

    let q = query(&sb, json!({"outRefundNo": "nope"})).await;
    assert_eq!(q["code"], "ORDER_NOT_EXIST");
    assert!(q.get("data").is_none());
    let q = query(&sb, json!({"refundTradeNo": "nope"})).await;
    assert_eq!(q["code"], "REFUND_NO_INVALID");
}

#[tokio::test]
async fn conflicting_repeat_is_refused() {
    let sb = start().await;
    apply(&sb, &apply_body("R-c", "O-1", "10.00", None)).await;
    for body in [
        apply_body("R-c", "O-2", "10.00", None),
        apply_body("R-c", "O-1", "10.01", None),
    ] {
        let r = apply(&sb, &body).await;
        assert_eq!(r["bizCode"], "ORDER_REPEAT", "{r}");
        assert!(r["message"].as_str().unwrap().contains("R-c"));
    }
    assert_eq!(sb.refunds().len(), 1);
}

#[tokio::test]
async fn signatures_are_checked_over_the_raw_body() {
    let sb = start().await;
    let body = apply_body("R-s", "O-1", "1", None);
    // Another key.
    let r = post_signed(&sb, LEGACY_BASE_PATH, &body, &keys().2, &[])
        .await
        .unwrap()
        .verified();
    assert_eq!(r["bizCode"], "SIGN_VERIFY_FAILED");
    // No signature.
    let r = send(
        sb.local_addr(),
        Method::POST,
        LEGACY_BASE_PATH,
        &[("content-type", "application/json")],
        body.clone(),
    )
    .await
    .unwrap()
    .verified();
    assert_eq!(r["bizCode"], "SIGN_VERIFY_FAILED");
    // Signed over a re-serialization of the body, not the bytes sent.
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&body).unwrap()).unwrap();
    let sign = merchant().sign(body.as_bytes()).unwrap();
    let r = send(
        sb.local_addr(),
        Method::POST,
        LEGACY_BASE_PATH,
        &[("sign", &sign)],
        pretty,
    )
    .await
    .unwrap()
    .verified();
    assert_eq!(r["bizCode"], "SIGN_VERIFY_FAILED");
    assert!(sb.refunds().is_empty());

    // What the official Go SDK sends: canonical-case `Sign`, a charset
    // parameter, sorted keys, `\u0026` escapes, trimmed milliseconds.
    let go_body = r#"{"appId":"app1","data":{"outRefundNo":"A\u0026B"},"keyVersion":"1","merchantNo":"SP1","requestTime":"TIME","version":"1.1"}"#
        .replace("TIME", &now_text().replace(".000Z", "Z"));
    let sign = merchant().sign(go_body.as_bytes()).unwrap();
    let r = send(
        sb.local_addr(),
        Method::POST,
        QUERY_PATH,
        &[
            ("Content-Type", "Application/JSON; charset=utf-8"),
            ("Sign", &sign),
        ],
        go_body,
    )
    .await
    .unwrap()
    .verified();
    assert_eq!(r["code"], "ORDER_NOT_EXIST", "{r}");
    assert!(r["msg"].as_str().unwrap().contains("A&B"));
}

#[tokio::test]
async fn request_time_window_and_formats() {
    let t0 = 1_700_000_000_000i64;
    let clock = Arc::new(ManualClock::new(t0));
    let sb = builder().clock(clock.clone()).start().await.unwrap();
    let body = |time: &str| {
        json!({"version": "1.5", "keyVersion": "1", "requestTime": time, "appId": "a",
               "data": {"outRefundNo": "x"}})
        .to_string()
    };
    for time in [
        "2023-11-14T22:13:20.000Z",
        "2023-11-14T22:13:20Z",
        "2023-11-14T22:13:20.1Z",
        "2023-11-14T22:13:20.123456789Z",
        "2023-11-14T23:13:20.000+01:00",
        "2023-11-14T22:15:20.000Z",
        "2023-11-14T22:11:20.000Z",
    ] {
        let r = post_signed(&sb, QUERY_PATH, &body(time), merchant(), &[])
            .await
            .unwrap()
            .verified();
        assert_eq!(r["code"], "ORDER_NOT_EXIST", "{time}: {r}");
    }
    for time in ["2023-11-14T22:15:20.001Z", "2023-11-14T22:11:19.999Z"] {
        let r = post_signed(&sb, QUERY_PATH, &body(time), merchant(), &[])
            .await
            .unwrap()
            .verified();
        assert_eq!(r["code"], "REQ_TIME_OVER_TIME", "{time}: {r}");
    }
    clock.advance_millis(10 * 60 * 1000);
    let r = post_signed(
        &sb,
        QUERY_PATH,
        &body("2023-11-14T22:13:20.000Z"),
        merchant(),
        &[],
    )
    .await
    .unwrap()
    .verified();
    assert_eq!(r["code"], "REQ_TIME_OVER_TIME");
    let r = post_signed(&sb, QUERY_PATH, &body("2023-11-14 late"), merchant(), &[])
        .await
        .unwrap()
        .verified();
    assert_eq!(r["code"], "PARAMS_INVALID");
    assert!(r["msg"].as_str().unwrap().contains("requestTime"));
}

#[tokio::test]
async fn bodies_are_validated_against_the_spec() {
    let sb = start().await;
    let cases: Vec<(String, &str, &str)> = vec![
        (
            json!({"merchantId": "SP1", "bizType": "refundApply", "version": "2.1", "orderId": "O",
                   "amount": "1", "currency": "USD"})
            .to_string(),
            "PARAMS_INVALID",
            "refundId",
        ),
        (
            apply_body(&"é".repeat(65), "O", "1", None),
            "PARAMS_INVALID",
            "refundId",
        ),
        (
            apply_body("R", "O", "1.2.3", None),
            "PARAMS_INVALID",
            "amount",
        ),
        (apply_body("R", "O", "0", None), "AMOUNT_INVALID", "amount"),
        (
            apply_body("R", "O", "1", None).replace("USD", "usd"),
            "CURRENCY_INVALID",
            "currency",
        ),
        (
            apply_body("R", "O", "1", None).replace("\"2.1\"", "2.1"),
            "PARAMS_INVALID",
            "version",
        ),
        (
            apply_body("R", "O", "1", None).replace("refundApply", "refundTeleport"),
            "PARAMS_INVALID",
            "bizType",
        ),
        (
            r#"{"merchantId":"SP1"}"#.to_owned(),
            "PARAMS_INVALID",
            "bizType",
        ),
        ("[1,2]".to_owned(), "PARAMS_INVALID", "JSON object"),
        ("not json".to_owned(), "PARAMS_INVALID", "JSON object"),
    ];
    for (body, code, field) in cases {
        let r = post_signed(&sb, LEGACY_BASE_PATH, &body, merchant(), &[])
            .await
            .unwrap()
            .verified();
        assert_eq!(r["bizCode"], code, "{body}: {r}");
        assert!(
            r["message"].as_str().unwrap().contains(field),
            "{body}: {r}"
        );
    }
    // 64 multi-byte characters are within maxLength 64.
    let r = apply(&sb, &apply_body(&"é".repeat(64), "O", "1", None)).await;
    assert_eq!(r["bizCode"], "0000", "{r}");

    for (data, field) in [
        (json!({}), "outRefundNo"),
        (
            json!({"outRefundNo": "a", "refundTradeNo": "b"}),
            "refundTradeNo",
        ),
        (json!({"outRefundNo": "x".repeat(65)}), "data.outRefundNo"),
        (json!({"outRefundNo": 7}), "data.outRefundNo"),
    ] {
        let q = query(&sb, data.clone()).await;
        assert_eq!(q["code"], "PARAMS_INVALID", "{data}: {q}");
        assert!(q["msg"].as_str().unwrap().contains(field), "{data}: {q}");
    }
    let body = query_body(json!({"outRefundNo": "x"}));
    let sign = merchant().sign(body.as_bytes()).unwrap();
    for ct in [None, Some("text/plain")] {
        let mut headers = vec![("sign", sign.as_str())];
        if let Some(ct) = ct {
            headers.push(("content-type", ct));
        }
        let r = send(
            sb.local_addr(),
            Method::POST,
            QUERY_PATH,
            &headers,
            body.clone(),
        )
        .await
        .unwrap()
        .verified();
        assert_eq!(r["code"], "PARAMS_INVALID", "{ct:?}");
        assert!(r["msg"].as_str().unwrap().contains("Content-Type"));
    }
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let sb = start().await;
    let r = send(
        sb.local_addr(),
        Method::POST,
        "/aggregate-pay/api/gateway/teleport",
        &[],
        "{}",
    )
    .await
    .unwrap();
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Even refusals of this kind are signed by the platform key.
    platform_public()
        .verify(&r.body, r.headers["sign"].to_str().unwrap())
        .unwrap();
    let r = send(sb.local_addr(), Method::GET, QUERY_PATH, &[], "")
        .await
        .unwrap();
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers["allow"], "POST");
    let r = send(sb.local_addr(), Method::PUT, LEGACY_BASE_PATH, &[], "")
        .await
        .unwrap();
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let sb = builder().max_request_bytes(100).start().await.unwrap();
    let r = post_signed(
        &sb,
        LEGACY_BASE_PATH,
        &apply_body("R", "O", "1", None),
        merchant(),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn with_fault(sb: &SandboxHandle, id: &str, fault: &str) -> Result<Reply, String> {
    post_signed(
        sb,
        LEGACY_BASE_PATH,
        &apply_body(id, "O", "1", None),
        merchant(),
        &[("x-sandbox-fault", fault)],
    )
    .await
}

#[tokio::test]
async fn every_fault_by_header() {
    let sb = start().await;
    // Refusals: nothing is created.
    for (i, status) in [500u16, 502, 503, 429].into_iter().enumerate() {
        let r = with_fault(&sb, &format!("R-s{i}"), &format!("status={status}"))
            .await
            .unwrap();
        assert_eq!(r.status.as_u16(), status);
        assert!(r.headers.get("sign").is_none());
        assert_eq!(
            r.headers.contains_key("retry-after"),
            matches!(status, 429 | 503)
        );
    }
    let r = with_fault(&sb, "R-t", "too-many-request")
        .await
        .unwrap()
        .verified();
    assert_eq!(r["bizCode"], "TOO_MANY_REQUEST");
    let r = with_fault(&sb, "R-t", "system-error")
        .await
        .unwrap()
        .verified();
    assert_eq!(r["bizCode"], "SYSTEM_ERROR");
    assert!(sb.refunds().is_empty());

    // Damage to the reply of a request that took effect.
    let r = with_fault(&sb, "R-d", "drop-connection").await;
    assert!(r.is_err(), "{r:?}");
    assert!(sb.refund("R-d").is_some());
    let r = with_fault(&sb, "R-tr", "truncated-body").await;
    let e = r.unwrap_err();
    assert!(e.starts_with("body"), "{e}");
    assert!(sb.refund("R-tr").is_some());

    let r = with_fault(&sb, "R-b", "bad-signature").await.unwrap();
    let sign = r.headers["sign"].to_str().unwrap();
    assert!(platform_public().verify(&r.body, sign).is_err());
    assert_eq!(r.json()["bizCode"], "0000");
    let r = with_fault(&sb, "R-m", "missing-signature").await.unwrap();
    assert!(r.headers.get("sign").is_none());
    assert_eq!(r.json()["bizCode"], "0000");

    let r = with_fault(&sb, "R-u", "unknown-fields")
        .await
        .unwrap()
        .verified();
    assert!(r["sandboxUnknownTopLevel"].is_object());
    assert_eq!(r["data"]["sandboxUnknownField"], "unknown-fields fault");
    let r = with_fault(&sb, "R-e", "unknown-enum")
        .await
        .unwrap()
        .verified();
    assert_eq!(r["data"]["status"], 9);
    let q = post_signed(
        &sb,
        QUERY_PATH,
        &query_body(json!({"outRefundNo": "R-e"})),
        merchant(),
        &[("x-sandbox-fault", "unknown-enum")],
    )
    .await
    .unwrap()
    .verified();
    assert_eq!(q["data"]["status"], "REFUND_REVERSED");
    let r = with_fault(&sb, "R-o", "oversized-body=200000")
        .await
        .unwrap();
    assert!(r.body.len() > 200_000);
    assert_eq!(r.verified()["bizCode"], "0000");

    let r = with_fault(&sb, "R-delay", "delay=20, unknown-fields")
        .await
        .unwrap()
        .verified();
    assert_eq!(r["bizCode"], "0000");
    assert!(r["sandboxUnknownTopLevel"].is_object());

    let r = with_fault(&sb, "R-x", "teleport").await.unwrap();
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&r.body).contains("teleport"));
    assert!(sb.refund("R-x").is_none());
}

#[tokio::test]
async fn fail_next_n_then_behave_never_duplicates() {
    let sb = start().await;
    sb.add_fault(
        FaultRule::new(Fault::Status(503))
            .on_operation("refundApply")
            .times(2),
    );
    sb.add_fault(
        FaultRule::new(Fault::DropConnection)
            .on_path(LEGACY_BASE_PATH)
            .times(1),
    );
    let body = apply_body("R-retry", "O-r", "12.34", None);
    let mut outcomes = Vec::new();
    for _ in 0..5 {
        match post_signed(&sb, LEGACY_BASE_PATH, &body, merchant(), &[]).await {
            Ok(r) if r.status == StatusCode::OK => {
                outcomes.push("ok");
                assert_eq!(r.verified()["data"]["refundId"], "R-retry");
            }
            Ok(r) => outcomes.push(if r.status == StatusCode::SERVICE_UNAVAILABLE {
                "503"
            } else {
                "?"
            }),
            Err(_) => outcomes.push("dropped"),
        }
    }
    assert_eq!(outcomes, ["503", "503", "dropped", "ok", "ok"]);
    let refunds = sb.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].applications, 3);
    // Queries are not affected by the applyRefund-scoped rules, and clear_faults works.
    sb.add_fault(FaultRule::new(Fault::SystemError));
    assert_eq!(
        query(&sb, json!({"outRefundNo": "R-retry"})).await["code"],
        "SYSTEM_ERROR"
    );
    sb.set_fault(FaultRule::new(Fault::TooManyRequest).times(1));
    assert_eq!(
        query(&sb, json!({"outRefundNo": "R-retry"})).await["code"],
        "TOO_MANY_REQUEST"
    );
    sb.set_fault(FaultRule::new(Fault::SystemError));
    sb.clear_faults();
    assert_eq!(
        query(&sb, json!({"outRefundNo": "R-retry"})).await["code"],
        "APPLY_SUCCESS"
    );
    assert!(sb.requests_received() >= 7);
}

/// A loopback notification receiver: verifies each notification's
/// signature, answers the first `fail_first` with HTTP 500, then with `ack`.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
    hits: Arc<AtomicUsize>,
    _server: receiver::Receiver,
}

async fn receiver(fail_first: usize, ack: &'static str) -> Receiver {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let hits = Arc::new(AtomicUsize::new(0));
    let (b, h) = (bodies.clone(), hits.clone());
    let server = receiver::start(move |d: receiver::Delivery| {
        let (b, h) = (b.clone(), h.clone());
        async move {
            assert_eq!(d.uri.path(), "/notify");
            let sign = d.sign.expect("sign header");
            platform_public()
                .verify(&d.body, &sign)
                .expect("notification signature");
            b.lock()
                .unwrap()
                .push(serde_json::from_slice::<Value>(&d.body).unwrap());
            let n = h.fetch_add(1, Ordering::SeqCst);
            let mut resp = Response::new(Bytes::from_static(ack.as_bytes()));
            if n < fail_first {
                *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            }
            resp
        }
    })
    .await
    .unwrap();
    Receiver {
        url: server.url("/notify?x=1"),
        bodies,
        hits,
        _server: server,
    }
}

async fn wait_until(mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached within 3 s");
}

#[tokio::test]
async fn notifications_are_signed_retried_and_acknowledged() {
    const ACK: &str = r#"{"bizCode":"0000","message":"success"}"#;
    let sb = start().await;
    let rx = receiver(1, ACK).await;
    apply(&sb, &apply_body("R-n", "FAIL-n", "3.50", Some(&rx.url))).await;
    query(&sb, json!({"outRefundNo": "R-n"})).await;
    assert_eq!(
        rx.hits.load(Ordering::SeqCst),
        0,
        "nothing before settlement"
    );
    query(&sb, json!({"outRefundNo": "R-n"})).await;
    wait_until(|| sb.notifications_acknowledged() == 1).await;
    let n = &sb.notifications()[0];
    assert_eq!(
        (n.attempts, n.acknowledged, n.id.as_str()),
        (2, true, "R-n")
    );
    let body = rx.bodies.lock().unwrap()[1].clone();
    assert_eq!(body["refundId"], "R-n");
    assert_eq!(body["merchantId"], "SP12345678");
    assert_eq!(body["status"], 2);
    assert_eq!(body["refundAmount"], "3.50");
    assert_eq!(body["errorCode"], "REFUND_FAILED");
    // Settled once, notified once, however often it is queried.
    query(&sb, json!({"outRefundNo": "R-n"})).await;
    assert_eq!(sb.notifications().len(), 1);
}

#[tokio::test]
async fn wrong_acknowledgements_are_retried_until_the_schedule_ends() {
    let sb = start().await;
    let rx = receiver(0, r#"{"code":"SUCCESS","msg":"Success"}"#).await;
    apply(&sb, &apply_body("R-w", "O-w", "1", Some(&rx.url))).await;
    query(&sb, json!({"outRefundNo": "R-w"})).await;
    query(&sb, json!({"outRefundNo": "R-w"})).await;
    wait_until(|| sb.notifications().first().is_some_and(|n| n.attempts == 3)).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let n = &sb.notifications()[0];
    assert_eq!((n.attempts, n.acknowledged), (3, false));
    assert!(
        n.last_error.as_deref().unwrap().contains("acknowledgement"),
        "{n:?}"
    );
    assert_eq!(rx.hits.load(Ordering::SeqCst), 3);
    assert_eq!(sb.notifications_acknowledged(), 0);
}

#[tokio::test]
async fn settles_by_time_and_refuses_remote_callbacks() {
    let sb = builder()
        .settlement(Settlement {
            pending_queries: 100,
            settle_after: Some(Duration::from_millis(20)),
        })
        .start()
        .await
        .unwrap();
    let rx = receiver(0, r#"{"bizCode":"0000","message":"success"}"#).await;
    apply(&sb, &apply_body("R-time", "O-t", "1", Some(&rx.url))).await;
    apply(
        &sb,
        &apply_body("R-remote", "O-t2", "1", Some("http://192.0.2.1/notify")),
    )
    .await;
    apply(
        &sb,
        &apply_body("R-pending", "PENDING-1", "1", Some(&rx.url)),
    )
    .await;
    wait_until(|| sb.notifications_acknowledged() == 1 && sb.notifications().len() == 2).await;
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(sb.refund("R-time").unwrap().status, RefundStatus::Success);
    assert_eq!(
        sb.refund("R-pending").unwrap().status,
        RefundStatus::Pending
    );
    let remote = sb
        .notifications()
        .into_iter()
        .find(|n| n.id == "R-remote")
        .unwrap();
    assert!(!remote.acknowledged);
    assert!(remote.last_error.unwrap().contains("loopback"));
    assert_eq!(rx.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn generated_keys_work_end_to_end() {
    let sb = Sandbox::builder().start().await.unwrap();
    let key = sb
        .merchant_private_key()
        .expect("generated merchant key")
        .clone();
    let body = apply_body("R-g", "O", "1", None);
    let r = post_signed(&sb, LEGACY_BASE_PATH, &body, &key, &[])
        .await
        .unwrap();
    sb.platform_public_key()
        .verify(&r.body, r.headers["sign"].to_str().unwrap())
        .unwrap();
    assert_eq!(r.json()["bizCode"], "0000");
    assert!(sb.base_url().starts_with("http://127.0.0.1:"));
}

/// A gateway operation (an entry of the generated operations.json) with
/// every schema keyword, replacing the embedded one of that id.
// A stateless operation (orderQuery itself is the payments journey's).
const ORDER_QUERY_OP: &str = r#"{
  "id": "trial_order_query", "operation": "trialOrderQuery", "direction": "outbound",
  "api": "gateway", "path": "/aggregate-pay/api/gateway/trialOrderQuery",
  "requiredHeaders": ["Content-Type", "sign"],
  "requestSchema": {
    "type": "object",
    "properties": {
      "requestTime": {"type": "string", "format": "date-time"},
      "data": {"type": "object", "properties": {
        "outTradeNo": {"type": "string", "pattern": "^[A-Z]{2}[0-9]+$"},
        "channel": {"type": "string", "enum": ["CARD", "WALLET"]},
        "count": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 2}}
      }, "required": ["outTradeNo"]}
    },
    "required": ["requestTime", "data"]},
  "replyExamples": [
    {"code": "APPLY_SUCCESS", "msg": "", "data": {"outTradeNo": "AB1", "totalAmount": 10000.50, "status": "SUCCESS"}}
  ]
}"#;

const LEGACY_CLOSE_OP: &str = r#"{
  "id": "legacy_order_close", "operation": "orderClose", "direction": "outbound",
  "api": "legacy-v2.1", "path": "/aggregate-pay-gate/api/gateway",
  "requestSchema": {"type": "object", "properties": {"orderId": {"type": "string", "maxLength": 4}},
    "required": ["merchantId", "bizType", "orderId"]},
  "replyExamples": [{"bizCode": "0000", "data": {"orderId": "O1", "closed": true}}]
}"#;

#[tokio::test]
async fn extra_operations_are_routed_validated_and_answered_from_their_example() {
    let sb = builder()
        .operation(ORDER_QUERY_OP)
        .operation(LEGACY_CLOSE_OP)
        .start()
        .await
        .unwrap();
    let path = "/aggregate-pay/api/gateway/trialOrderQuery";
    let body = |data: Value| json!({"requestTime": now_text(), "data": data}).to_string();
    for (data, field) in [
        (
            json!({"outTradeNo": "ab1"}),
            "data.outTradeNo does not match pattern",
        ),
        (
            json!({"outTradeNo": "AB1", "channel": "CASH"}),
            "data.channel must be one of",
        ),
        (
            json!({"outTradeNo": "AB1", "count": 1.5}),
            "data.count must be integer",
        ),
        (
            json!({"outTradeNo": "AB1", "tags": ["ok", "toolong"]}),
            "data.tags[1] length",
        ),
        (json!({"channel": "CARD"}), "data.outTradeNo is invalid"),
    ] {
        let r = post_signed(&sb, path, &body(data.clone()), merchant(), &[])
            .await
            .unwrap()
            .verified();
        assert_eq!(r["code"], "PARAMS_INVALID", "{data}");
        assert!(r["msg"].as_str().unwrap().contains(field), "{data}: {r}");
    }
    let ok = post_signed(
        &sb,
        path,
        &body(json!({"outTradeNo": "AB1", "channel": "CARD", "count": 2, "tags": ["a"]})),
        merchant(),
        &[],
    )
    .await
    .unwrap();
    assert!(
        String::from_utf8_lossy(&ok.body).contains("10000.50"),
        "numbers kept as written"
    );
    let ok = ok.verified();
    assert_eq!(ok["code"], "APPLY_SUCCESS");
    assert_eq!(ok["data"]["status"], "SUCCESS");

    let legacy = |order: &str| {
        json!({"merchantId": "SP1", "bizType": "orderClose", "version": "2.1", "orderId": order})
            .to_string()
    };
    let r = post_signed(&sb, LEGACY_BASE_PATH, &legacy("O1"), merchant(), &[])
        .await
        .unwrap()
        .verified();
    assert_eq!(r["bizCode"], "0000");
    assert_eq!(r["data"]["closed"], true);
    let r = post_signed(&sb, LEGACY_BASE_PATH, &legacy("O12345"), merchant(), &[])
        .await
        .unwrap()
        .verified();
    assert_eq!(r["bizCode"], "PARAMS_INVALID");
    // The embedded operations are still there.
    assert_eq!(
        apply(&sb, &apply_body("R-x", "O", "1", None)).await["bizCode"],
        "0000"
    );

    let bad = builder().operation("{").start().await;
    assert!(matches!(
        bad,
        Err(payermax_sandbox::SandboxError::Operation(_))
    ));
    let bad_pattern = ORDER_QUERY_OP.replace("^[A-Z]{2}[0-9]+$", "([");
    let bad = builder().operation(bad_pattern).start().await;
    assert!(matches!(
        bad,
        Err(payermax_sandbox::SandboxError::Operation(_))
    ));
}

#[tokio::test]
async fn hostile_bodies_get_signed_refusals_never_a_crash() {
    let sb = start().await;
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let huge_amount = apply_body("R-h", "O", &"9".repeat(40), None);
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"null".to_vec(),
        b"{}".to_vec(),
        b"{\"bizType\":1}".to_vec(),
        b"{\"bizType\":\"refundApply\"}".to_vec(),
        b"{\"bizType\":\"refundApply\",\"amount\":1e999999}".to_vec(),
        vec![0xff, 0xfe, b'{', b'}'],
        deep.into_bytes(),
        huge_amount.into_bytes(),
        apply_body("R-h2", "O", "1", None)
            .replace("\"USD\"", "\"\\u0000SD\"")
            .into_bytes(),
    ];
    for body in &bodies {
        for path in [LEGACY_BASE_PATH, QUERY_PATH] {
            let sign = merchant().sign(body).unwrap();
            let r = send(
                sb.local_addr(),
                Method::POST,
                path,
                &[("content-type", "application/json"), ("sign", &sign)],
                body.clone(),
            )
            .await
            .unwrap_or_else(|e| panic!("{path} {:?}: {e}", String::from_utf8_lossy(body)));
            assert_eq!(r.status, StatusCode::OK);
            let v = r.verified();
            let code = v.get("code").or_else(|| v.get("bizCode")).unwrap();
            assert!(code != "APPLY_SUCCESS" && code != "0000", "{v}");
        }
    }
    assert!(sb.refunds().is_empty());
}

/// Two variants of one endpoint, as PayerMax documents `orderAndPay`: the
/// first whose schema a request satisfies answers.
fn variant_op(id: &str, mode: &str, reply: &str) -> String {
    format!(
        r#"{{"id": "{id}", "operation": "tryVariants", "direction": "outbound", "api": "gateway",
        "variant": "{mode}", "path": "/aggregate-pay/api/gateway/tryVariants",
        "requestSchema": {{"type": "object", "properties": {{
          "requestTime": {{"type": "string"}},
          "data": {{"type": "object", "properties": {{
            "integrate": {{"type": "string", "enum": ["{mode}"]}},
            "token": {{"type": "string", "maxLength": 4}}}},
            "required": ["integrate"]}}}}, "required": ["requestTime", "data"]}},
        "replyExamples": [{reply}]}}"#
    )
}

#[tokio::test]
async fn a_path_with_variants_answers_with_the_first_that_accepts() {
    let sb = builder()
        .operation(variant_op(
            "try_a",
            "A",
            r#"{"code": "APPLY_SUCCESS", "data": {"mode": "A", "n": 1.50}}"#,
        ))
        .operation(variant_op(
            "try_b",
            "B",
            r#"{"code": "APPLY_SUCCESS", "data": true}"#,
        ))
        .start()
        .await
        .unwrap();
    let path = "/aggregate-pay/api/gateway/tryVariants";
    let call = |data: Value| {
        let body = json!({"requestTime": now_text(), "data": data}).to_string();
        let sb = &sb;
        async move { post_signed(sb, path, &body, merchant(), &[]).await.unwrap() }
    };
    let a = call(json!({"integrate": "A"})).await;
    assert!(String::from_utf8_lossy(&a.body).contains(r#""data":{"mode":"A","n":1.50}"#));
    let b = call(json!({"integrate": "B", "token": "t"}))
        .await
        .verified();
    assert_eq!(b["code"], "APPLY_SUCCESS");
    assert_eq!(b["data"], true);
    // Valid for neither: the first variant's complaint.
    let none = call(json!({"integrate": "C"})).await.verified();
    assert_eq!(none["code"], "PARAMS_INVALID");
    let msg = none["msg"].as_str().unwrap();
    assert!(msg.contains("data.integrate must be one of \"A\""), "{msg}");
    let none = call(json!({"integrate": "B", "token": "toolong"}))
        .await
        .verified();
    assert_eq!(none["code"], "PARAMS_INVALID");
    assert!(
        none["msg"].as_str().unwrap().contains("data.integrate"),
        "{none}"
    );
    // A fault scoped to one variant's id applies to the whole endpoint.
    sb.add_fault(
        FaultRule::new(Fault::SystemError)
            .on_operation("try_b")
            .times(1),
    );
    let faulted = call(json!({"integrate": "A"})).await.verified();
    assert_eq!(faulted["code"], "SYSTEM_ERROR");
}

/// Issue 12: faults are honoured for authenticated requests only. Before,
/// an unsigned request could make the sandbox build a reply of hundreds of
/// megabytes, refuse with any status, or use up a test's fault rule.
#[tokio::test]
async fn faults_need_an_authenticated_request() {
    let sb = start().await;
    sb.add_fault(
        FaultRule::new(Fault::SystemError)
            .on_path(QUERY_PATH)
            .times(1),
    );
    let body = query_body(json!({"outRefundNo": "R-none"}));
    let stranger = &keys().2;
    for fault in [
        "oversized-body=200000000",
        "status=503",
        "drop-connection",
        "not-a-fault",
    ] {
        let r = post_signed(
            &sb,
            QUERY_PATH,
            &body,
            stranger,
            &[("x-sandbox-fault", fault)],
        )
        .await
        .unwrap_or_else(|e| panic!("{fault}: {e}"));
        assert_eq!(r.status, StatusCode::OK, "{fault}");
        assert!(r.body.len() < 1000, "{fault}: {} bytes", r.body.len());
        assert_eq!(r.json()["code"], "SIGN_VERIFY_FAILED", "{fault}");
    }
    // The rule is still there for the first authenticated request.
    let r = post_signed(&sb, QUERY_PATH, &body, merchant(), &[])
        .await
        .unwrap();
    assert_eq!(r.verified()["code"], "SYSTEM_ERROR");
    let r = post_signed(
        &sb,
        QUERY_PATH,
        &body,
        merchant(),
        &[("x-sandbox-fault", "status=503")],
    )
    .await
    .unwrap();
    assert_eq!(
        r.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "signed: honoured"
    );
}

/// Issue 12: PayerMax leaves refusals unsigned (its SDKs verify `sign` on
/// successes only); so does the sandbox by default, 404 and 405 included.
/// `sign_refusals(true)` signs them all.
#[tokio::test]
async fn refusals_are_unsigned_by_default_and_signed_on_request() {
    for signed in [false, true] {
        let sb = Sandbox::builder()
            .sign_refusals(signed)
            .merchant_public_key(merchant().public_key())
            .platform_private_key(keys().1.clone())
            .max_request_bytes(64 * 1024)
            .start()
            .await
            .unwrap();
        let addr = sb.local_addr();
        let body = query_body(json!({"outRefundNo": "R-none"}));
        let refusals = [
            send(
                addr,
                Method::POST,
                "/aggregate-pay/api/gateway/nope",
                &[],
                "{}",
            )
            .await,
            send(addr, Method::GET, QUERY_PATH, &[], "").await,
            send(addr, Method::POST, QUERY_PATH, &[], vec![b' '; 65 * 1024]).await,
            post_signed(&sb, QUERY_PATH, &body, &keys().2, &[]).await,
            post_signed(&sb, QUERY_PATH, &body, merchant(), &[]).await,
            post_signed(
                &sb,
                QUERY_PATH,
                &body,
                merchant(),
                &[("x-sandbox-fault", "nope")],
            )
            .await,
        ];
        let statuses: Vec<u16> = refusals
            .iter()
            .map(|r| r.as_ref().unwrap().status.as_u16())
            .collect();
        assert_eq!(statuses, [404, 405, 413, 200, 200, 400]);
        for (i, r) in refusals.iter().enumerate() {
            let r = r.as_ref().unwrap();
            match signed {
                false => assert!(r.headers.get("sign").is_none(), "refusal {i} is signed"),
                true => {
                    let sign = r.headers.get("sign").expect("signed").to_str().unwrap();
                    platform_public().verify(&r.body, sign).unwrap();
                }
            }
        }
        // Successes are always signed.
        let ok = post_signed(
            &sb,
            LEGACY_BASE_PATH,
            &apply_body("R-s", "O-s", "1", None),
            merchant(),
            &[],
        )
        .await
        .unwrap();
        assert_eq!(ok.verified()["bizCode"], "0000");
    }
}
