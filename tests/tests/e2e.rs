//! End to end: payermax-http's default hyper transport against
//! payermax-sandbox over loopback. Both operations, signatures checked in both
//! directions, every injected fault mapped to the typed error payermax-http
//! documents, retries that never duplicate a refund, and a verified,
//! acknowledged notification. Loopback only; delays are milliseconds.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use payermax_http::notification::acknowledgement;
use payermax_http::{Client, ClientBuilder, Environment, Error, RetryPolicy, SignatureProblem};
use payermax_sandbox::{Fault, FaultRule, Sandbox, SandboxHandle, Settlement, receiver};
use payermax_sign::{PrivateKey, PublicKey};
use payermax_types::legacy_refund_apply::{
    LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired, LegacyRefundApplyResponse,
    LegacyRefundApplyStatus,
};
use payermax_types::legacy_refund_notify::{
    LegacyRefundNotify, LegacyRefundNotifyBody, LegacyRefundNotifyStatus,
};
use payermax_types::refund_query::{
    RefundQuery, RefundQueryRequest, RefundQueryRequestRequired, RefundQueryStatus, RefundRef,
};
use payermax_types::{Amount, ResultCode, Timestamp};
use payermax_webhook::{Event, Kind};
use tokio::sync::mpsc;

/// (merchant, platform, stranger) key pairs, generated once per binary.
fn keys() -> &'static (PrivateKey, PrivateKey, PrivateKey) {
    static KEYS: OnceLock<(PrivateKey, PrivateKey, PrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let generate = || PrivateKey::generate().expect("key generation");
        (generate(), generate(), generate())
    })
}

async fn sandbox() -> SandboxHandle {
    // Signed refusals (the sandbox's default is PayerMax's: unsigned).
    Sandbox::builder()
        .sign_refusals(true)
        .merchant_public_key(keys().0.public_key())
        .platform_private_key(keys().1.clone())
        .settlement(Settlement {
            pending_queries: 1,
            settle_after: None,
        })
        .notification_schedule(vec![
            Duration::ZERO,
            Duration::from_millis(10),
            Duration::from_millis(10),
        ])
        .notification_timeout(Duration::from_secs(2))
        .start()
        .await
        .expect("sandbox starts")
}

fn client_builder(sb: &SandboxHandle) -> ClientBuilder {
    Client::builder(Environment::Custom(sb.base_url().to_owned()))
        .app_id("app-e2e")
        .merchant_no("SP-E2E")
        .merchant_id("SP-E2E")
        .private_key(keys().0.clone())
        .payermax_public_key(keys().1.public_key())
        .request_timeout(Some(Duration::from_secs(5)))
}

fn client(sb: &SandboxHandle) -> Client {
    client_builder(sb).build().expect("client builds")
}

fn apply_req(refund_id: &str) -> LegacyRefundApplyRequest {
    let amount: Amount = "25.00".parse().expect("amount");
    LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
        refund_id: refund_id.into(),
        order_id: "ORDER-E2E".into(),
        amount,
        currency: "USD".into(),
    })
}

fn query_req(refund_id: &str) -> RefundQueryRequest {
    RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo(refund_id.to_owned()),
    })
}

async fn apply(c: &Client, refund_id: &str) -> Result<LegacyRefundApplyResponse, Error> {
    c.send(&apply_req(refund_id)).await.map(|r| r.data)
}

#[tokio::test]
async fn both_operations_with_signatures_verified_both_ways() {
    let sb = sandbox().await;
    let c = client(&sb);
    let applied = c.send(&apply_req("R-1")).await.expect("apply");
    assert!(applied.signature_verified);
    assert_eq!(applied.code, ResultCode::LegacySuccess);
    assert_eq!(applied.data.status, LegacyRefundApplyStatus::Initial);
    let trade_no = applied.data.trade_no.clone();

    let q = c
        .send(&query_req("R-1"))
        .await
        .expect("query")
        .data
        .expect("data");
    assert_eq!(q.status, Some(RefundQueryStatus::RefundPending));
    assert_eq!(q.refund_trade_no.as_deref(), Some(trade_no.as_str()));
    assert_eq!(q.refund_amount, Some("25.00".parse().unwrap()));
    assert_eq!(
        q.refund_amount.unwrap().scale(),
        2,
        "exact decimal, scale kept"
    );

    let q = c
        .send(&RefundQueryRequest::new(RefundQueryRequestRequired {
            refund_ref: RefundRef::RefundTradeNo(trade_no),
        }))
        .await
        .expect("query by trade number")
        .data
        .expect("data");
    assert_eq!(q.status, Some(RefundQueryStatus::RefundSuccess));
    assert_eq!(q.out_refund_no.as_deref(), Some("R-1"));
    assert!(q.refund_finish_time.is_some());

    match c.send(&query_req("R-missing")).await {
        Err(Error::Refused { code, .. }) => assert_eq!(code, ResultCode::OrderNotExist),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_merchant_key_is_refused_by_the_sandbox() {
    let sb = sandbox().await;
    let c = client_builder(&sb)
        .private_key(keys().2.clone())
        .build()
        .unwrap();
    match apply(&c, "R-wrong-merchant").await {
        Err(Error::Refused { code, .. }) => assert_eq!(code, ResultCode::SignVerifyFailed),
        other => panic!("{other:?}"),
    }
    assert!(sb.refunds().is_empty());
}

#[tokio::test]
async fn a_wrong_platform_key_is_a_client_signature_error() {
    let sb = sandbox().await;
    let c = client_builder(&sb)
        .payermax_public_key(keys().2.public_key())
        .build()
        .unwrap();
    // A write: the refund may have been made, so the failure is ambiguous,
    // the signature error its cause.
    let e = apply(&c, "R-wrong-platform").await.unwrap_err();
    match ambiguous_cause(e, "R-wrong-platform") {
        Error::Signature { problem, .. } => assert_eq!(problem, SignatureProblem::Invalid),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unsigned_refusals_are_reported_as_unsigned() {
    let sb = Sandbox::builder()
        .merchant_public_key(keys().0.public_key())
        .platform_private_key(keys().1.clone())
        .sign_refusals(false)
        .start()
        .await
        .unwrap();
    let c = client(&sb);
    match c.send(&query_req("R-none")).await {
        Err(Error::UnsignedRefusal { code, .. }) => {
            assert_eq!(
                code,
                ResultCode::OrderNotExist,
                "PayerMax-style unsigned refusal"
            );
        }
        other => panic!("{other:?}"),
    }
    // Successes stay signed and verified.
    let r = c.send(&apply_req("R-signed")).await.expect("apply");
    assert!(r.signature_verified);
}

#[tokio::test]
async fn a_stale_request_time_is_refused() {
    let sb = sandbox().await;
    let c = client_builder(&sb)
        .clock(|| {
            let now = Timestamp::now().unix_millis();
            Timestamp::from_unix_millis(now - 3 * 60 * 1000).expect("in range")
        })
        .build()
        .unwrap();
    match c.send(&query_req("R-any")).await {
        Err(Error::Refused { code, .. }) => assert_eq!(code, ResultCode::ReqTimeOverTime),
        other => panic!("{other:?}"),
    }
}

/// Injects `fault` into the next request only and returns the client's outcome.
async fn with_fault(
    sb: &SandboxHandle,
    c: &Client,
    fault: Fault,
    refund_id: &str,
) -> Result<LegacyRefundApplyResponse, Error> {
    sb.add_fault(FaultRule::new(fault).times(1));
    apply(c, refund_id).await
}

/// The cause of an ambiguous outcome of the refund application `id`.
fn ambiguous_cause(e: Error, id: &str) -> Error {
    match e {
        Error::Ambiguous(outcome) => {
            assert_eq!(outcome.operation, "refundApply");
            assert_eq!(outcome.identifier("refundId"), Some(id));
            assert_eq!(outcome.attempts, 1);
            assert_eq!(outcome.settled_by.map(|s| s.operation), Some("refundQuery"));
            outcome.cause
        }
        other => panic!("not ambiguous: {other:?}"),
    }
}

/// Each fault once, without retries, on the refund application (a write):
/// every failure after the request may have reached the sandbox is the
/// ambiguous outcome, with the failure as its cause.
#[tokio::test]
async fn every_fault_gives_its_typed_outcome() {
    let sb = sandbox().await;
    let c = client(&sb);

    for status in [500u16, 502, 503, 429] {
        let e = with_fault(&sb, &c, Fault::Status(status), "R-status")
            .await
            .unwrap_err();
        let cause = ambiguous_cause(e, "R-status");
        assert_eq!(cause.status(), Some(status), "{cause:?}");
    }
    match with_fault(&sb, &c, Fault::TooManyRequest, "R-refused").await {
        Err(e @ Error::Refused { .. }) => {
            assert_eq!(e.refusal_code(), Some(&ResultCode::TooManyRequest));
            assert!(e.is_retryable());
        }
        other => panic!("{other:?}"),
    }
    let e = with_fault(&sb, &c, Fault::SystemError, "R-refused")
        .await
        .unwrap_err();
    let cause = ambiguous_cause(e, "R-refused");
    assert_eq!(cause.refusal_code(), Some(&ResultCode::SystemError));
    assert!(sb.refunds().is_empty(), "refusing faults have no effect");

    // A reply slower than the client's timeout: the client gives up after
    // 300 ms (the sandbox task still sleeping is cancelled at shutdown).
    let impatient = client_builder(&sb)
        .request_timeout(Some(Duration::from_millis(300)))
        .build()
        .unwrap();
    let e = with_fault(
        &sb,
        &impatient,
        Fault::Delay(Duration::from_secs(5)),
        "R-delay",
    )
    .await
    .unwrap_err();
    assert!(ambiguous_cause(e, "R-delay").is_timeout());
    let ok = with_fault(&sb, &c, Fault::Delay(Duration::from_millis(20)), "R-delay")
        .await
        .unwrap();
    assert_eq!(ok.refund_id, "R-delay");

    for (fault, id) in [
        (Fault::DropConnection, "R-drop"),
        (Fault::TruncatedBody, "R-trunc"),
    ] {
        let e = with_fault(&sb, &c, fault.clone(), id).await.unwrap_err();
        assert_eq!(ambiguous_cause(e, id).kind(), "transport", "{fault}");
        assert!(sb.refund(id).is_some(), "{fault}: the request took effect");
    }

    let e = with_fault(&sb, &c, Fault::BadSignature, "R-badsig")
        .await
        .unwrap_err();
    assert!(matches!(
        ambiguous_cause(e, "R-badsig"),
        Error::Signature {
            problem: SignatureProblem::Invalid,
            ..
        }
    ));
    let e = with_fault(&sb, &c, Fault::MissingSignature, "R-nosig")
        .await
        .unwrap_err();
    assert!(matches!(
        ambiguous_cause(e, "R-nosig"),
        Error::Signature {
            problem: SignatureProblem::Missing,
            ..
        }
    ));
    let e = with_fault(&sb, &c, Fault::OversizedBody(2 * 1024 * 1024), "R-big")
        .await
        .unwrap_err();
    assert!(matches!(
        ambiguous_cause(e, "R-big"),
        Error::BodyTooLarge { .. }
    ));

    let extra = with_fault(&sb, &c, Fault::UnknownFields, "R-extra")
        .await
        .expect("unknown fields are accepted");
    assert_eq!(extra.refund_id, "R-extra");
    let odd = with_fault(&sb, &c, Fault::UnknownEnum, "R-enum")
        .await
        .expect("unknown enum values are kept");
    assert_eq!(odd.status, LegacyRefundApplyStatus::Unknown(9));
    sb.add_fault(FaultRule::new(Fault::UnknownEnum).times(1));
    let q = c
        .send(&query_req("R-enum"))
        .await
        .expect("query")
        .data
        .expect("data");
    assert_eq!(
        q.status,
        Some(RefundQueryStatus::Unknown("REFUND_REVERSED".into()))
    );
}

#[tokio::test]
async fn retries_never_duplicate_a_refund() {
    let sb = sandbox().await;
    let c = client_builder(&sb)
        .retry(
            RetryPolicy::new()
                .max_attempts(4)
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(20))
                .jitter(false)
                .deadline(Duration::from_secs(10)),
        )
        .build()
        .unwrap();

    // A signed TOO_MANY_REQUEST proves nothing was done: retried, twice,
    // then accepted.
    sb.add_fault(
        FaultRule::new(Fault::TooManyRequest)
            .on_operation("refundApply")
            .times(2),
    );
    let r = c
        .send(&apply_req("R-retry"))
        .await
        .expect("third attempt succeeds");
    assert_eq!(r.attempts, 3);
    assert_eq!(sb.refunds().len(), 1);

    // A 503 (unsigned) proves nothing: the write is not sent again, whatever
    // the policy; the settling query tells that it never took effect.
    sb.add_fault(
        FaultRule::new(Fault::Status(503))
            .on_operation("refundApply")
            .times(2),
    );
    let e = c.send(&apply_req("R-503")).await.unwrap_err();
    let Error::Ambiguous(outcome) = e else {
        panic!("{e:?}")
    };
    assert_eq!(outcome.attempts, 1);
    match c.settle::<RefundQuery>(&outcome).await {
        Err(Error::Refused { code, .. }) => assert_eq!(code, ResultCode::OrderNotExist),
        other => panic!("{other:?}"),
    }
    sb.clear_faults();

    // Took effect but the reply was lost: one attempt, ambiguous; settling
    // finds the refund, made once.
    sb.add_fault(
        FaultRule::new(Fault::DropConnection)
            .on_operation("refundApply")
            .times(1),
    );
    let e = c.send(&apply_req("R-lost")).await.unwrap_err();
    let Error::Ambiguous(outcome) = e else {
        panic!("{e:?}")
    };
    assert_eq!(outcome.attempts, 1);
    assert_eq!(outcome.identifier("refundId"), Some("R-lost"));
    let settled = c
        .settle::<RefundQuery>(&outcome)
        .await
        .expect("the refund exists")
        .data
        .expect("data");
    assert_eq!(settled.out_refund_no.as_deref(), Some("R-lost"));
    assert!(settled.status.is_some());
    assert_eq!(sb.refund("R-lost").unwrap().applications, 1);
    assert_eq!(sb.refunds().len(), 2);

    // Reads are retried as the policy allows: a query whose connection is
    // dropped twice succeeds on the third attempt.
    sb.add_fault(
        FaultRule::new(Fault::DropConnection)
            .on_operation("refundQuery")
            .times(2),
    );
    let q = c.send(&query_req("R-lost")).await.expect("query retried");
    assert_eq!(q.attempts, 3);

    // A fault outlasting the attempts surfaces the last typed error.
    sb.add_fault(
        FaultRule::new(Fault::TooManyRequest)
            .on_operation("refundQuery")
            .times(10),
    );
    let e = c.send(&query_req("R-retry")).await.unwrap_err();
    assert_eq!(e.refusal_code(), Some(&ResultCode::TooManyRequest));
    sb.clear_faults();
}

/// A loopback receiver that verifies each notification, forwards it and
/// acknowledges it; its URL is `.url("/notify")`.
async fn receiver(
    key: PublicKey,
) -> (
    receiver::Receiver,
    mpsc::UnboundedReceiver<LegacyRefundNotifyBody>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    // Through the webhook layer, as a merchant receives it.
    let verifier = payermax_webhook::Verifier::new(key);
    let server = receiver::start(move |d: receiver::Delivery| {
        let (verifier, tx) = (verifier.clone(), tx.clone());
        async move {
            let delivery = verifier
                .verify_signed(Kind::LegacyRefund, d.sign.as_deref(), &d.body)
                .expect("the notification verifies");
            let ack = delivery.acknowledgement().expect("a notification");
            assert_eq!(ack.as_bytes(), acknowledgement::<LegacyRefundNotify>());
            assert!(
                delivery
                    .idempotency_key()
                    .starts_with("legacy_refund_notify:")
            );
            let Event::LegacyRefund(n) = delivery.into_event() else {
                panic!("not a legacy refund notification")
            };
            let _ = tx.send(n);
            Response::new(Bytes::from_static(ack.as_bytes()))
        }
    })
    .await
    .unwrap();
    (server, rx)
}

#[tokio::test]
async fn settlement_notification_is_verified_and_acknowledged() {
    let sb = sandbox().await;
    let c = client(&sb);
    let (server, mut rx) = receiver(keys().1.public_key()).await;
    let url = server.url("/notify");
    c.send(&apply_req("R-notify").callback_url(url.as_str()))
        .await
        .expect("apply");
    let amount: Amount = "25.00".parse().unwrap();
    c.send(
        &LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
            refund_id: "R-notify-fail".into(),
            order_id: "FAIL-1".into(),
            amount,
            currency: "USD".into(),
        })
        .callback_url(url.as_str()),
    )
    .await
    .expect("apply");
    for id in ["R-notify", "R-notify-fail"] {
        for _ in 0..2 {
            c.send(&query_req(id)).await.expect("query");
        }
    }
    let mut got = Vec::new();
    for _ in 0..2 {
        let n = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("in time")
            .expect("open");
        got.push((n.refund_id, n.status, n.refund_amount.to_string()));
    }
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        vec![
            (
                "R-notify".to_owned(),
                LegacyRefundNotifyStatus::Success,
                "25.00".to_owned()
            ),
            (
                "R-notify-fail".to_owned(),
                LegacyRefundNotifyStatus::Failed,
                "25.00".to_owned()
            ),
        ]
    );
    for _ in 0..100 {
        if sb.notifications_acknowledged() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sb.notifications_acknowledged(), 2);
    assert!(sb.notifications().iter().all(|n| n.attempts == 1));
}
