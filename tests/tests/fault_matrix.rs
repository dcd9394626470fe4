//! The fault matrix (docs/fault-matrix.md): one test per row, against the
//! sandbox (or, for what the sandbox cannot do, a raw socket server) on
//! loopback, through the real hyper transport, with retries on (3 attempts).
//!
//! Every row applies for a refund (legacy `refundApply`, idempotent on
//! `refundId` in PayerMax and in the sandbox) and checks three things: the
//! typed outcome, how many attempts reached the server (retried or not), and
//! how many refunds exist afterwards (never more than one).

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{builder, raw_server, refund, retry, sandbox, write_signed};
use payermax_http::test_util::test_keys;
use payermax_http::{Error, SignatureProblem};
use payermax_sandbox::{Fault, FaultRule, SandboxHandle};
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
    let e = r.expect_err("times out");
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(sb.requests_received(), 3, "retried up to the policy");
    // The delay acts after the refund was applied: three applications, one refund.
    one_refund(&sb, 3);
}

#[tokio::test]
async fn row_timeout_then_success() {
    let faults = vec![
        FaultRule::new(Fault::Delay(Duration::from_millis(1500)))
            .on_operation(OP)
            .times(1),
    ];
    let (r, sb) = apply_with(faults, |b| {
        b.request_timeout(Some(Duration::from_millis(200)))
    })
    .await;
    let reply = r.expect("the retry succeeds");
    assert_eq!(reply.attempts, 2);
    assert_eq!(reply.data.refund_id, "R-1");
    one_refund(&sb, 2);
}

#[tokio::test]
async fn row_connection_dropped() {
    let faults = vec![FaultRule::new(Fault::DropConnection).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let e = r.expect_err("no reply");
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(sb.requests_received(), 3);
    one_refund(&sb, 3);
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
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(server.requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn row_http_503_every_attempt() {
    let faults = vec![FaultRule::new(Fault::Status(503)).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let e = r.expect_err("503");
    assert!(matches!(e, Error::Status { status: 503, .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(sb.requests_received(), 3);
    // A refusal acts before the operation: nothing was applied.
    no_refund(&sb);
}

#[tokio::test]
async fn row_http_503_then_success() {
    let faults = vec![FaultRule::new(Fault::Status(503)).on_operation(OP).times(2)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let reply = r.expect("third attempt succeeds");
    assert_eq!(reply.attempts, 3);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_http_429() {
    let faults = vec![FaultRule::new(Fault::Status(429)).on_operation(OP).times(1)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let reply = r.expect("retried after 429");
    assert_eq!(reply.attempts, 2);
    one_refund(&sb, 1);

    let faults = vec![FaultRule::new(Fault::Status(429)).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let e = r.expect_err("429");
    assert_eq!(e.status(), Some(429));
    assert_eq!(sb.requests_received(), 3);
    no_refund(&sb);
}

#[tokio::test]
async fn row_http_4xx_not_retried() {
    let faults = vec![FaultRule::new(Fault::Status(400)).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let e = r.expect_err("400");
    assert_eq!(e.status(), Some(400));
    assert!(!e.is_retryable());
    assert_eq!(sb.requests_received(), 1);
    no_refund(&sb);
}

#[tokio::test]
async fn row_too_many_request() {
    let faults = vec![FaultRule::new(Fault::TooManyRequest).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let e = r.expect_err("refused");
    match &e {
        Error::Refused { code, signed, .. } => {
            assert_eq!(*code, ResultCode::TooManyRequest);
            assert!(*signed, "the sandbox signs refusals");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.is_retryable());
    assert_eq!(sb.requests_received(), 3);
    no_refund(&sb);
}

#[tokio::test]
async fn row_system_error_then_success() {
    let faults = vec![FaultRule::new(Fault::SystemError).on_operation(OP).times(1)];
    let (r, sb) = apply_with(faults, |b| b).await;
    assert_eq!(r.expect("retried").attempts, 2);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_truncated_body() {
    let faults = vec![FaultRule::new(Fault::TruncatedBody).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let e = r.expect_err("truncated");
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(sb.requests_received(), 3);
    one_refund(&sb, 3);
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
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(!e.is_retryable());
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn row_missing_sign() {
    let faults = vec![FaultRule::new(Fault::MissingSignature).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let e = r.expect_err("unsigned success");
    assert!(
        matches!(
            e,
            Error::Signature {
                problem: SignatureProblem::Missing,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.is_retryable());
    assert_eq!(sb.requests_received(), 1);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_wrong_sign() {
    let faults = vec![FaultRule::new(Fault::BadSignature).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b).await;
    let e = r.expect_err("bad signature");
    assert!(
        matches!(
            e,
            Error::Signature {
                problem: SignatureProblem::Invalid,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.is_retryable());
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
    let e = r.expect_err("signed with another key");
    assert!(
        matches!(
            e,
            Error::Signature {
                problem: SignatureProblem::Invalid,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.is_retryable());
    assert_eq!(sb.requests_received(), 1);
    one_refund(&sb, 1);
}

#[tokio::test]
async fn row_oversized_body() {
    let faults = vec![FaultRule::new(Fault::OversizedBody(2 * 1024 * 1024)).on_operation(OP)];
    let (r, sb) = apply_with(faults, |b| b.max_reply_bytes(64 * 1024)).await;
    let e = r.expect_err("too large");
    assert!(
        matches!(e, Error::BodyTooLarge { limit } if limit == 64 * 1024),
        "{e:?}"
    );
    assert!(!e.is_retryable());
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
    // The caller itself retries after a lost reply (no policy): the same
    // refundId does not create a second refund.
    let faults = vec![
        FaultRule::new(Fault::DropConnection)
            .on_operation(OP)
            .times(1),
    ];
    let sb = sandbox(faults).await;
    let client = builder(sb.base_url()).build().unwrap();
    let first = client.call::<LegacyRefundApply>(&refund("R-1")).await;
    assert!(matches!(first, Err(Error::Transport { .. })), "{first:?}");
    let second = client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect("repeat");
    assert_eq!(second.data.refund_id, "R-1");
    one_refund(&sb, 2);
}
