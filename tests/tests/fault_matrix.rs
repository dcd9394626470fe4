//! The fault matrix (docs/fault-matrix.md): one test per row, against the
//! sandbox (or, for what the sandbox cannot do, a raw socket server) on
//! loopback, through the real hyper transport, with retries on (3 attempts).
//!
//! Most rows apply for a refund (legacy `refundApply`, a write) and check
//! three things: the typed outcome, how many attempts reached the server,
//! and how many refunds exist afterwards (never more than one). A write is
//! never sent again after a failure where it may have reached the server:
//! that failure is `Error::Ambiguous`, naming the query that settles it. The
//! `read_` rows query the refund (`refundQuery`, a read), which the policy
//! retries.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use common::{builder, raw_server, refund, retry, sandbox, write_signed};
use payermax_http::{
    DEFAULT_CONNECT_TIMEOUT, Error, HyperTransport, RequestBody, SignatureProblem,
};
use payermax_sandbox::{Fault, FaultRule, SandboxHandle};
use payermax_test_keys::test_keys;
use payermax_types::ResultCode;
use payermax_types::legacy_refund_apply::{LegacyRefundApply, LegacyRefundApplyStatus};
use payermax_types::refund_query::{
    RefundQuery, RefundQueryRequest, RefundQueryRequestRequired, RefundQueryStatus, RefundRef,
};

const OP: &str = "refundApply";

/// Applies for refund `R-1` through a client with retries, with `faults` in
/// force, and returns the outcome and the sandbox to inspect.
async fn apply_with(
    faults: Vec<FaultRule>,
    tweak: impl FnOnce(payermax_http::ClientBuilder) -> payermax_http::ClientBuilder,
) -> (
    Result<
        payermax_http::Reply<payermax_types::legacy_refund_apply::LegacyRefundApplyResponse>,
        Error,
    >,
    SandboxHandle,
) {
    let sb = sandbox(faults).await;
    let client = tweak(builder(sb.base_url()).retry(retry()))
        .build()
        .expect("client builds");
    let result = client.call::<LegacyRefundApply>(&refund("R-1")).await;
    (result, sb)
}

/// The ambiguous outcome of applying for `R-1`, sent once: checks what it
/// carries and returns its cause.
fn ambiguous(e: Error) -> Error {
    match e {
        Error::Ambiguous(outcome) => {
            assert_eq!(outcome.operation, "refundApply");
            assert_eq!(outcome.identifiers, vec![("refundId", "R-1".to_owned())]);
            assert_eq!(outcome.attempts, 1, "a write is sent once");
            let s = outcome.settled_by.expect("refundApply is settled");
            assert_eq!(
                (s.operation, s.path),
                ("refundQuery", "/aggregate-pay/api/gateway/refundQuery")
            );
            outcome.cause
        }
        other => panic!("not ambiguous: {other:?}"),
    }
}

/// Applies for `R-1` (no fault), then queries it with retries and `faults`
/// in force on `refundQuery`.
async fn query_with(
    faults: Vec<FaultRule>,
) -> (
    Result<payermax_http::Reply<Option<payermax_types::refund_query::RefundQueryResponse>>, Error>,
    SandboxHandle,
) {
    let sb = sandbox(faults).await;
    let client = builder(sb.base_url()).retry(retry()).build().unwrap();
    client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect("apply");
    let r = client
        .call::<RefundQuery>(&RefundQueryRequest::new(RefundQueryRequestRequired {
            refund_ref: RefundRef::OutRefundNo("R-1".into()),
        }))
        .await;
    (r, sb)
}

/// The refund `R-1` exists exactly once, applied for `applications` times.
fn one_refund(sb: &SandboxHandle, applications: u32) {
    let refunds = sb.refunds();
    assert_eq!(refunds.len(), 1, "refunds: {refunds:?}");
    assert_eq!(refunds[0].refund_id, "R-1");
    assert_eq!(refunds[0].applications, applications, "{refunds:?}");
}

fn no_refund(sb: &SandboxHandle) {
    assert!(sb.refunds().is_empty(), "{:?}", sb.refunds());
}

#[tokio::test]
async fn row_baseline_success() {
    let (r, sb) = apply_with(vec![], |b| b).await;
    let reply = r.expect("success");
    assert_eq!(reply.attempts, 1);
    assert!(reply.signature_verified);
    assert_eq!(reply.data.refund_id, "R-1");
    assert_eq!(sb.requests_received(), 1);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_timeout_every_attempt() {
    let faults = vec![FaultRule::new(Fault::Delay(Duration::from_millis(1500))).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| {
        b.request_timeout(Some(Duration::from_millis(200)))
    })
    .await;
    let cause = ambiguous(r.expect_err("times out"));
    assert!(matches!(cause, Error::Timeout { .. }), "{cause:?}");
    assert_eq!(sb.requests_received(), 1, "a write is not sent again");
    // The delay acts after the refund was applied.
    one_refund(&sb, 1);
}

#[tokio::test]
async fn read_timeout_then_success() {
    let faults = vec![
        FaultRule::new(Fault::Delay(Duration::from_millis(1500)))
            .on_operation("refundQuery")
            .times(1),
    ];
    let sb = sandbox(faults).await;
    let client = builder(sb.base_url())
        .retry(retry())
        .request_timeout(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect("apply");
    let reply = client
        .call::<RefundQuery>(&RefundQueryRequest::new(RefundQueryRequestRequired {
            refund_ref: RefundRef::OutRefundNo("R-1".into()),
        }))
        .await
        .expect("the retry succeeds");
    assert_eq!(reply.attempts, 2);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_connection_dropped() {
    let faults = vec![FaultRule::new(Fault::DropConnection).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let cause = ambiguous(r.expect_err("no reply"));
    assert!(matches!(cause, Error::Transport { .. }), "{cause:?}");
    assert_eq!(sb.requests_received(), 1);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn read_connection_dropped_is_retried() {
    let faults = vec![FaultRule::new(Fault::DropConnection).on_operation("refundQuery")];
    let (r, sb) = query_with(faults).await;
    let e = r.expect_err("no reply");
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(
        sb.requests_received(),
        1 + 3,
        "the apply, then 3 query attempts"
    );
}

#[tokio::test]
async fn row_connection_reset() {
    // A TCP RST after the request was read (SO_LINGER 0), which the sandbox
    // does not do: a raw server.
    let server = raw_server(10, |stream, _body| async move {
        #[allow(deprecated)] // set_linger: the blocking-close caveat does not apply to linger 0
        stream.set_linger(Some(Duration::ZERO)).expect("linger");
        drop(stream);
    })
    .await;
    let client = builder(&server.base_url).retry(retry()).build().unwrap();
    let e = client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect_err("reset");
    let cause = ambiguous(e);
    assert!(matches!(cause, Error::Transport { .. }), "{cause:?}");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

/// Counts the requests handed to the default transport.
#[derive(Clone)]
struct Counting {
    inner: HyperTransport,
    calls: Arc<AtomicUsize>,
}

impl tower_service::Service<http::Request<RequestBody>> for Counting {
    type Response =
        <HyperTransport as tower_service::Service<http::Request<RequestBody>>>::Response;
    type Error = payermax_http::BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<RequestBody>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(self.inner.call(req))
    }
}

#[tokio::test]
async fn row_connection_refused_is_retried_for_a_write() {
    // Nothing listens on the port: the connection is refused, so nothing
    // was sent and even a write may be retried.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    apply_counting_nothing_sent(&format!("http://127.0.0.1:{port}")).await;
}

/// Applies for `R-1` at `base_url` through the default transport, counted,
/// with retries, where every attempt fails before anything is sent: not
/// ambiguous, retried up to the policy.
async fn apply_counting_nothing_sent(base_url: &str) {
    let calls = Arc::new(AtomicUsize::new(0));
    let transport = Counting {
        inner: HyperTransport::new(DEFAULT_CONNECT_TIMEOUT).unwrap(),
        calls: calls.clone(),
    };
    let client = builder(base_url)
        .retry(retry())
        .transport(transport)
        .build()
        .unwrap();
    let e = client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect_err("nothing sent");
    assert!(matches!(e, Error::Transport { .. }), "not ambiguous: {e:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 3, "retried up to the policy");
}

#[tokio::test]
async fn row_tls_handshake_failure_is_retried_for_a_write() {
    // https:// to the sandbox's plain-HTTP port: the TLS handshake fails
    // before any request is written, so even a write may be retried.
    let sb = sandbox(vec![]).await;
    apply_counting_nothing_sent(&sb.base_url().replace("http://", "https://")).await;
    assert_eq!(sb.requests_received(), 0);
    no_refund(&sb);
}

#[tokio::test]
async fn row_http_503_every_attempt() {
    let faults = vec![FaultRule::new(Fault::Status(503)).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let cause = ambiguous(r.expect_err("503"));
    assert!(
        matches!(cause, Error::Status { status: 503, .. }),
        "{cause:?}"
    );
    assert_eq!(sb.requests_received(), 1);
    // The sandbox's 503 acts before the operation: nothing was applied
    // (which only the settling query can tell).
    no_refund(&sb);
}

#[tokio::test]
async fn read_http_503_then_success() {
    let faults = vec![
        FaultRule::new(Fault::Status(503))
            .on_operation("refundQuery")
            .times(2),
    ];
    let (r, _sb) = query_with(faults).await;
    let reply = r.expect("third attempt succeeds");
    assert_eq!(reply.attempts, 3);
}

#[tokio::test]
async fn row_http_429() {
    let faults = vec![FaultRule::new(Fault::Status(429)).on_operation(OP).times(1)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let cause = ambiguous(r.expect_err("an unsigned 429 proves nothing"));
    assert_eq!(cause.status(), Some(429));
    assert_eq!(sb.requests_received(), 1);
    no_refund(&sb);

    let faults = vec![
        FaultRule::new(Fault::Status(429))
            .on_operation("refundQuery")
            .times(1),
    ];
    let (r, _sb) = query_with(faults).await;
    assert_eq!(r.expect("a read is retried after 429").attempts, 2);
}

#[tokio::test]
async fn row_http_4xx_not_retried() {
    let faults = vec![FaultRule::new(Fault::Status(400)).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let cause = ambiguous(r.expect_err("400"));
    assert_eq!(cause.status(), Some(400));
    assert_eq!(sb.requests_received(), 1);
    no_refund(&sb);
}

#[tokio::test]
async fn row_too_many_request() {
    // A signed TOO_MANY_REQUEST proves nothing was done: a write is retried.
    let faults = vec![FaultRule::new(Fault::TooManyRequest).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let e = r.expect_err("refused");
    match &e {
        Error::Refused { code, .. } => assert_eq!(*code, ResultCode::TooManyRequest),
        other => panic!("{other:?}"),
    }
    assert!(e.is_retryable());
    assert_eq!(sb.requests_received(), 3);
    no_refund(&sb);

    let faults = vec![
        FaultRule::new(Fault::TooManyRequest)
            .on_operation(OP)
            .times(1),
    ];
    let (r, sb) = apply_with(faults, |b| b).await;
    assert_eq!(r.expect("retried").attempts, 2);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_system_error_then_success() {
    // SYSTEM_ERROR says nothing about what was done: a write is not sent again.
    let faults = vec![FaultRule::new(Fault::SystemError).on_operation(OP).times(1)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let cause = ambiguous(r.expect_err("system error"));
    assert_eq!(cause.refusal_code(), Some(&ResultCode::SystemError));
    assert_eq!(sb.requests_received(), 1);
    no_refund(&sb);

    // A read is retried.
    let faults = vec![
        FaultRule::new(Fault::SystemError)
            .on_operation("refundQuery")
            .times(1),
    ];
    let (r, _sb) = query_with(faults).await;
    assert_eq!(r.expect("retried").attempts, 2);
}

#[tokio::test]
async fn row_truncated_body() {
    let faults = vec![FaultRule::new(Fault::TruncatedBody).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let cause = ambiguous(r.expect_err("truncated"));
    assert!(matches!(cause, Error::Transport { .. }), "{cause:?}");
    assert_eq!(sb.requests_received(), 1);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_invalid_json() {
    // Signed garbage: the signature verifies, the JSON does not parse.
    let server = raw_server(10, |stream, _body| async move {
        write_signed(stream, br#"{"bizCode":"0000","data":{"refundId":"R-1""#).await;
    })
    .await;
    let client = builder(&server.base_url).retry(retry()).build().unwrap();
    let e = client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect_err("invalid JSON");
    let cause = ambiguous(e);
    assert!(matches!(cause, Error::Decode { .. }), "{cause:?}");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn row_missing_sign() {
    let faults = vec![FaultRule::new(Fault::MissingSignature).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let cause = ambiguous(r.expect_err("unsigned success"));
    assert!(
        matches!(
            cause,
            Error::Signature {
                problem: SignatureProblem::Missing,
                ..
            }
        ),
        "{cause:?}"
    );
    assert_eq!(sb.requests_received(), 1);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_wrong_sign() {
    let faults = vec![FaultRule::new(Fault::BadSignature).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let cause = ambiguous(r.expect_err("bad signature"));
    assert!(
        matches!(
            cause,
            Error::Signature {
                problem: SignatureProblem::Invalid,
                ..
            }
        ),
        "{cause:?}"
    );
    assert_eq!(sb.requests_received(), 1);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_wrong_key() {
    // The client trusts the wrong PayerMax key (the merchant's own public key).
    let (r, sb) = apply_with(vec![], |b| {
        b.payermax_public_key(test_keys().merchant_public.clone())
    })
    .await;
    let cause = ambiguous(r.expect_err("signed with another key"));
    assert!(
        matches!(
            cause,
            Error::Signature {
                problem: SignatureProblem::Invalid,
                ..
            }
        ),
        "{cause:?}"
    );
    assert_eq!(sb.requests_received(), 1);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_oversized_body() {
    let faults = vec![FaultRule::new(Fault::OversizedBody(2 * 1024 * 1024)).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b.max_reply_bytes(64 * 1024)).await;
    let cause = ambiguous(r.expect_err("too large"));
    assert!(
        matches!(cause, Error::BodyTooLarge { limit } if limit == 64 * 1024),
        "{cause:?}"
    );
    assert_eq!(sb.requests_received(), 1);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_unknown_fields_and_enum_values() {
    let faults = vec![
        FaultRule::new(Fault::UnknownFields)
            .and(Fault::UnknownEnum)
            .on_operation(OP),
        FaultRule::new(Fault::UnknownFields)
            .and(Fault::UnknownEnum)
            .on_operation("refundQuery"),
    ];
    let sb = sandbox(faults).await;
    let client = builder(sb.base_url()).retry(retry()).build().unwrap();
    let reply = client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect("unknown fields and values are not errors");
    assert_eq!(reply.attempts, 1);
    assert_eq!(reply.data.refund_id, "R-1");
    assert_eq!(reply.data.status, LegacyRefundApplyStatus::Unknown(9));

    let q = client
        .call::<RefundQuery>(&RefundQueryRequest::new(RefundQueryRequestRequired {
            refund_ref: RefundRef::OutRefundNo("R-1".into()),
        }))
        .await
        .expect("query decodes");
    assert_eq!(
        q.data.expect("data").status,
        Some(RefundQueryStatus::Unknown("REFUND_REVERSED".into()))
    );
    assert_eq!(sb.requests_received(), 2);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_repeat_after_lost_reply_is_idempotent() {
    // A lost reply is ambiguous; the settling query finds the refund (so the
    // caller never applies again under a new number). Repeating the call
    // itself with the same refundId does not create a second refund either.
    let faults = vec![
        FaultRule::new(Fault::DropConnection)
            .on_operation(OP)
            .times(1),
    ];
    let sb = sandbox(faults).await;
    let client = builder(sb.base_url()).build().unwrap();
    let first = client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect_err("lost");
    let Error::Ambiguous(outcome) = first else {
        panic!("{first:?}")
    };
    let settled = client
        .settle::<RefundQuery>(&outcome)
        .await
        .expect("settled")
        .data
        .expect("data");
    assert_eq!(settled.out_refund_no.as_deref(), Some("R-1"));
    one_refund(&sb, 1);
    let second = client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect("repeat");
    assert_eq!(second.data.refund_id, "R-1");
    one_refund(&sb, 2);
}
