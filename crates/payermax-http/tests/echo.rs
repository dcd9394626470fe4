//! A validly signed reply must answer the request it is for: where the
//! reply's `data` echoes an identifier of the request (`Operation::ECHO`,
//! declared per operation in the spec), another value is
//! `Error::EchoMismatch`. The generated refundQuery and refund operations
//! are used, with their spec-declared echoes.

use payermax_http::test_util::ReplayingTransport;
use payermax_http::{Client, Environment, Error, RetryPolicy};
use payermax_test_keys::test_keys;
use payermax_types::Operation;
use payermax_types::refund::{RefundRequest, RefundRequestRequired};
use payermax_types::refund_query::{
    RefundQuery, RefundQueryRequest, RefundQueryRequestRequired, RefundRef,
};
use serde_json::json;

fn client(t: &ReplayingTransport) -> Client {
    let keys = test_keys();
    Client::builder(Environment::Custom("http://127.0.0.1:9".into()))
        .app_id("app-1")
        .merchant_no("P01010113865434")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .transport(t.clone())
        .retry(RetryPolicy::new())
        .build()
        .unwrap()
}

fn signed() -> ReplayingTransport {
    ReplayingTransport::signed_with(test_keys().payermax_private.clone())
}

fn by_out_refund_no(no: &str) -> RefundQueryRequest {
    RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo(no.into()),
    })
}

/// PayerMax's signed answer about refund R-2, recorded and replayed.
fn reply_about_r2() -> serde_json::Value {
    json!({"outRefundNo": "R-2", "refundTradeNo": "T-2", "status": "REFUND_SUCCESS"})
}

#[test]
fn the_spec_declares_what_refund_query_echoes() {
    let echoed: Vec<(&str, &str)> = RefundQuery::ECHO
        .iter()
        .map(|e| (e.request_field, e.reply_field))
        .collect();
    assert_eq!(
        echoed,
        [
            ("outRefundNo", "outRefundNo"),
            ("refundTradeNo", "refundTradeNo")
        ]
    );
}

#[tokio::test]
async fn a_replayed_reply_for_another_refund_is_refused() {
    let t = signed();
    t.push_gateway_success(reply_about_r2());
    let err = client(&t).send(&by_out_refund_no("R-1")).await.unwrap_err();
    match &err {
        Error::EchoMismatch {
            operation,
            request_field,
            reply_field,
            sent,
            received,
            raw,
        } => {
            assert_eq!(*operation, "refundQuery");
            assert_eq!(
                (*request_field, *reply_field),
                ("outRefundNo", "outRefundNo")
            );
            assert_eq!((sent.as_str(), received.as_str()), ("R-1", "R-2"));
            // The signed reply stays available for audit.
            assert!(raw.sign().is_some());
            assert!(String::from_utf8_lossy(raw.body()).contains("\"R-2\""));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        r#"the reply to refundQuery answers another request: outRefundNo sent "R-1", the reply's outRefundNo is "R-2""#
    );
    assert_eq!(err.kind(), "echo_mismatch");
    // Not retried: a replay would only be replayed again.
    assert!(!err.is_retryable());
    assert_eq!(t.requests().len(), 1);
}

#[tokio::test]
async fn the_matching_reply_and_the_other_reference_are_accepted() {
    let t = signed();
    t.push_gateway_success(reply_about_r2());
    let reply = client(&t).send(&by_out_refund_no("R-2")).await.unwrap();
    assert_eq!(reply.data.unwrap().out_refund_no.as_deref(), Some("R-2"));

    // Queried by PayerMax's number: that is what must match.
    let by_trade_no = |no: &str| {
        RefundQueryRequest::new(RefundQueryRequestRequired {
            refund_ref: RefundRef::RefundTradeNo(no.into()),
        })
    };
    t.push_gateway_success(reply_about_r2());
    client(&t).send(&by_trade_no("T-2")).await.unwrap();
    t.push_gateway_success(reply_about_r2());
    let err = client(&t).send(&by_trade_no("T-1")).await.unwrap_err();
    assert!(
        matches!(&err, Error::EchoMismatch { request_field: "refundTradeNo", sent, received, .. }
            if sent == "T-1" && received == "T-2"),
        "{err:?}"
    );

    // A reply that does not carry the field is not refused for it (its
    // schema decides whether the field must be there).
    t.push_gateway_success(json!({"status": "REFUND_PENDING"}));
    client(&t).send(&by_out_refund_no("R-1")).await.unwrap();
}

#[tokio::test]
async fn a_write_answered_for_another_refund_is_ambiguous_not_sent_again() {
    let t = signed();
    t.push_gateway_success(json!({"outRefundNo": "R-OTHER", "tradeOrderNo": "O-1",
                                  "refundTradeNo": "T-9", "status": "REFUND_PENDING"}));
    let refund = RefundRequest::new(RefundRequestRequired {
        out_refund_no: "R-1".into(),
        refund_amount: "1.00".parse().unwrap(),
        refund_currency: "USD".into(),
    })
    .out_trade_no("O-1");
    let err = client(&t).send(&refund).await.unwrap_err();
    let outcome = err.ambiguous().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(outcome.operation, "refund");
    assert_eq!(outcome.identifier("outRefundNo"), Some("R-1"));
    assert!(
        matches!(&outcome.cause, Error::EchoMismatch { received, .. } if received == "R-OTHER"),
        "{:?}",
        outcome.cause
    );
    assert_eq!(t.requests().len(), 1);
}
