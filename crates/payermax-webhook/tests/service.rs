//! The tower service answers each case: the acknowledgement, the answer of
//! a synchronous callback, or a non-2xx status (and never calls the handler
//! for an unverified message).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use common::{examples, fresh_key};
use http::{Request, Response, StatusCode};
use payermax_types::Amount;
use payermax_webhook::{
    Delivery, Endpoint, Event, GATEWAY_ACKNOWLEDGEMENT, Kind, LEGACY_ACKNOWLEDGEMENT, Reply,
    Verifier, WebhookError, WebhookService, bill_payment,
};
use tower_service::Service;

fn example(kind: Kind) -> String {
    examples()
        .into_iter()
        .find(|e| e.kind == kind)
        .unwrap()
        .compact
}

fn post(body: &[u8], sign: Option<String>) -> Request<Bytes> {
    let mut b = Request::post("/payermax");
    if let Some(s) = sign {
        b = b.header("sign", s);
    }
    b.body(Bytes::copy_from_slice(body)).unwrap()
}

fn signed(body: &[u8]) -> Request<Bytes> {
    post(body, Some(fresh_key().sign(body).unwrap()))
}

/// A service whose handler counts its calls and answers with `reply`.
fn service(
    endpoint: impl Into<Endpoint>,
    reply: fn(&Delivery) -> Result<Reply, String>,
) -> (
    impl Service<Request<Bytes>, Response = Response<Bytes>, Error = std::convert::Infallible>,
    Arc<AtomicUsize>,
) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let verifier = Verifier::new(fresh_key().public_key());
    let svc = WebhookService::new(verifier, endpoint, move |d: Delivery| {
        seen.fetch_add(1, Ordering::SeqCst);
        let r = reply(&d);
        async move { r }
    });
    (svc, calls)
}

fn ack(_: &Delivery) -> Result<Reply, String> {
    Ok(Reply::Acknowledge)
}

async fn call<S>(svc: &mut S, req: Request<Bytes>) -> Response<Bytes>
where
    S: Service<Request<Bytes>, Response = Response<Bytes>, Error = std::convert::Infallible>,
{
    svc.call(req).await.unwrap()
}

#[tokio::test]
async fn every_notification_example_is_acknowledged_as_documented() {
    for ex in examples() {
        if ex.kind == Kind::BillPaymentValidation {
            continue;
        }
        let (mut svc, calls) = service(ex.kind, ack);
        let r = call(&mut svc, signed(ex.compact.as_bytes())).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", ex.name());
        assert_eq!(
            r.body(),
            ex.kind.acknowledgement().unwrap(),
            "{}",
            ex.name()
        );
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
    let (mut svc, _) = service(Kind::LegacyRefund, ack);
    let legacy = example(Kind::LegacyRefund);
    let r = call(&mut svc, signed(legacy.as_bytes())).await;
    assert_eq!(r.body(), LEGACY_ACKNOWLEDGEMENT);
}

#[tokio::test]
async fn rejected_messages_get_non_2xx_and_never_reach_the_handler() {
    let body = example(Kind::CollectResult);
    let sig = fresh_key().sign(body.as_bytes()).unwrap();
    let mut tampered = body.clone().into_bytes();
    tampered[20] ^= 1;
    let big = vec![b' '; 2 << 20];
    let cases: Vec<(Request<Bytes>, StatusCode)> = vec![
        (post(body.as_bytes(), None), StatusCode::UNAUTHORIZED),
        (post(&tampered, Some(sig.clone())), StatusCode::UNAUTHORIZED),
        (
            post(body.as_bytes(), Some("AAAA".into())),
            StatusCode::UNAUTHORIZED,
        ),
        (post(&big, Some(sig.clone())), StatusCode::PAYLOAD_TOO_LARGE),
        (signed(b"\xff\xff"), StatusCode::BAD_REQUEST),
        (signed(b"[]"), StatusCode::BAD_REQUEST),
        (
            Request::get("/payermax").body(Bytes::new()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ];
    let (mut svc, calls) = service(Kind::CollectResult, ack);
    for (req, status) in cases {
        let r = call(&mut svc, req).await;
        assert_eq!(r.status(), status);
        assert!(!r.status().is_success());
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // A foreign merchant, with the rejection observed.
    let rejected = Arc::new(AtomicUsize::new(0));
    let seen = rejected.clone();
    let mut svc = WebhookService::new(
        Verifier::new(fresh_key().public_key()).merchant_no("NOT-US"),
        Kind::CollectResult,
        |_d: Delivery| async { Ok::<_, String>(Reply::Acknowledge) },
    )
    .on_rejection(move |e| {
        assert!(matches!(e, WebhookError::ForeignMerchant { .. }));
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let r = svc.call(signed(body.as_bytes())).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(rejected.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn unknown_and_undetermined_kinds() {
    let body = br#"{"code":"APPLY_SUCCESS","notifyType":"BRAND_NEW","data":{}}"#;
    let (mut svc, calls) = service(Endpoint::ByNotifyType, |d| {
        assert!(matches!(d.event(), Event::Unknown { kind: None, .. }));
        Ok(Reply::Acknowledge)
    });
    let r = call(&mut svc, signed(body)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.body(), GATEWAY_ACKNOWLEDGEMENT);
    // PAYMENT at a shared endpoint: payment or authorisation result?
    let payment = example(Kind::CollectResult);
    let r = call(&mut svc, signed(payment.as_bytes())).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failing_handler_gets_500_so_payermax_retries() {
    let (mut svc, calls) = service(Kind::CollectResult, |_| Err("database down".into()));
    let r = call(&mut svc, signed(example(Kind::CollectResult).as_bytes())).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!String::from_utf8_lossy(r.body()).contains("database"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_bill_payment_validation_is_answered_by_the_merchant() {
    let body = example(Kind::BillPaymentValidation);
    let (mut svc, _) = service(Kind::BillPaymentValidation, |d| {
        let Event::BillPaymentValidation(v) = d.event() else {
            panic!("{:?}", d.event())
        };
        let answer = if v.amount <= "300".parse::<Amount>().unwrap() {
            bill_payment::approve(
                &v.reference_no,
                "20".parse().unwrap(),
                "300".parse().unwrap(),
                &v.currency,
            )
        } else {
            bill_payment::decline(
                &v.reference_no,
                "20".parse().unwrap(),
                "300".parse().unwrap(),
                &v.currency,
                "over the limit",
            )
        };
        Reply::answer(&answer).map_err(|e| e.to_string())
    });
    let r = call(&mut svc, signed(body.as_bytes())).await;
    assert_eq!(r.status(), StatusCode::OK);
    let answer: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(answer["code"], "SUCCESS");
    assert_eq!(answer["data"]["confirmation"], "Y");
    assert_eq!(answer["data"]["minAmount"], 20);
    assert!(r.headers().get("sign").is_none());

    // An acknowledgement is not an answer.
    let (mut svc, _) = service(Kind::BillPaymentValidation, ack);
    let r = call(&mut svc, signed(body.as_bytes())).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);

    // Optionally signed.
    let merchant = common::sample_key().clone();
    let mut svc = WebhookService::new(
        Verifier::new(fresh_key().public_key()),
        Kind::BillPaymentValidation,
        |_d: Delivery| async {
            Reply::answer(&bill_payment::approve(
                "TEST100001",
                "1".parse().unwrap(),
                "2".parse().unwrap(),
                "PHP",
            ))
        },
    )
    .sign_answers_with(merchant.clone());
    let r = svc.call(signed(body.as_bytes())).await.unwrap();
    let sign = r.headers()["sign"].to_str().unwrap();
    merchant.public_key().verify(r.body(), sign).unwrap();
    assert!(!format!("{svc:?}").contains(&*merchant.to_pkcs8_base64()));
}

#[test]
fn an_invalid_answer_is_refused_before_it_is_sent() {
    let answer = bill_payment::decline(
        "R".repeat(65),
        "1".parse().unwrap(),
        "2".parse().unwrap(),
        "PHP",
        "no",
    );
    let e = Reply::answer(&answer).unwrap_err();
    assert!(e.to_string().contains("referenceNo"), "{e}");
}
