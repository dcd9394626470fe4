//! Idempotency keys ([`Delivery::idempotency_key`](crate::Delivery::idempotency_key)).
//!
//! PayerMax delivers a message again until it sees the acknowledgement: up
//! to 6 times over about 12 hours, and again when an acknowledgement is
//! lost on the way back. Every delivery of one message carries the same
//! body, so a key built from the body identifies the message: the kind's
//! spec id, then PayerMax's identifier of what the message is about, then
//! its status, joined with `:`. A later message about the same thing with
//! another status (a refund pending, then successful) gets another key.
//!
//! | kind | identifier (first present) | status |
//! | --- | --- | --- |
//! | payment, authorisation results | `data.tradeToken`, `data.outTradeNo` | `data.status` |
//! | bill payment notification | `data.tradeToken`, `data.outTradeNo` | `data.payStatus` |
//! | bill payment validation | `referenceNo` | `amount` |
//! | capture | `data.captureNo`, `data.requestId` | `data.status` |
//! | cancellation | `data.cancelNo`, `data.requestId` | `data.status` |
//! | refund | `data.refundTradeNo`, `data.outRefundNo` | `data.status` |
//! | legacy refund | `refundId`, `tradeNo` | `status` |
//! | payout | `data.tradeNo`, `data.outTradeNo` | `data.status` |
//! | dispute | `data.caseId` | `data.status`, `data.caseResult` |
//! | fraud | `data.outTradeNo`, `data.outUserId` | `data.receiveDate` |
//! | payment link | `data.linkId`, `data.merchantLinkId` | `data.linkStatus` |
//! | RFI | `data.rfiNo` | `data.status` |
//! | subscription | `data.subscriptionPlan.subscriptionNo`, `data.subscriptionRequestId` | `data.subscriptionPlan.subscriptionStatus` |
//! | subscription charge | `data.subscriptionPlan.subscriptionNo`, `data.subscriptionRequestId` | `data.subscriptionPaymentDetail.subscriptionIndex`, `...paymentStatus` |
//! | tokenisation | `data.paymentTokenID`, `data.requestId` | `data.paymentTokenStatus` |
//! | local bank collection | `data.channelTradeNo`, `data.requestNo` | `data.status` |
//! | balance change | `data.relatedTradeNo` | `notifyType`, `data.direction` |
//!
//! A missing part is written `-`. When none of a kind's parts is present
//! (or the kind is unknown), the key is the spec id (or `notifyType`) and
//! a 64-bit FNV-1a hash of the whole body: still the same for every
//! delivery of the same bytes.

use serde_json::{Map, Value};

use crate::Kind;

/// Each part of a key: JSON pointers, the first present wins.
type Parts = &'static [&'static [&'static str]];

fn parts(kind: Kind) -> Parts {
    match kind {
        Kind::CollectResult | Kind::AuthResult => {
            &[&["/data/tradeToken", "/data/outTradeNo"], &["/data/status"]]
        }
        Kind::BillPayment => &[
            &["/data/tradeToken", "/data/outTradeNo"],
            &["/data/payStatus"],
        ],
        Kind::BillPaymentValidation => &[&["/referenceNo"], &["/amount"]],
        Kind::CaptureResult => &[&["/data/captureNo", "/data/requestId"], &["/data/status"]],
        Kind::CancelResult => &[&["/data/cancelNo", "/data/requestId"], &["/data/status"]],
        Kind::RefundResult => &[
            &["/data/refundTradeNo", "/data/outRefundNo"],
            &["/data/status"],
        ],
        Kind::LegacyRefund => &[&["/refundId", "/tradeNo"], &["/status"]],
        Kind::DisbursementResult => &[&["/data/tradeNo", "/data/outTradeNo"], &["/data/status"]],
        Kind::Chargeback => &[&["/data/caseId"], &["/data/status"], &["/data/caseResult"]],
        Kind::Fraud => &[
            &["/data/outTradeNo", "/data/outUserId"],
            &["/data/receiveDate"],
        ],
        Kind::PayLinkResult => &[
            &["/data/linkId", "/data/merchantLinkId"],
            &["/data/linkStatus"],
        ],
        Kind::Rfi => &[&["/data/rfiNo"], &["/data/status"]],
        Kind::SubscriptionResult => &[
            &[
                "/data/subscriptionPlan/subscriptionNo",
                "/data/subscriptionRequestId",
            ],
            &["/data/subscriptionPlan/subscriptionStatus"],
        ],
        Kind::SubscriptionPaymentResult => &[
            &[
                "/data/subscriptionPlan/subscriptionNo",
                "/data/subscriptionRequestId",
            ],
            &["/data/subscriptionPaymentDetail/subscriptionIndex"],
            &["/data/subscriptionPaymentDetail/paymentStatus"],
        ],
        Kind::Tokenization => &[
            &["/data/paymentTokenID", "/data/requestId"],
            &["/data/paymentTokenStatus"],
        ],
        Kind::VaResult => &[
            &["/data/channelTradeNo", "/data/requestNo"],
            &["/data/status"],
        ],
        Kind::Balance => &[
            &["/data/relatedTradeNo"],
            &["/notifyType"],
            &["/data/direction"],
        ],
    }
}

/// A JSON scalar as key text (`None` for absent, null, empty or not a scalar).
fn scalar(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// 64-bit FNV-1a: stable across builds and platforms.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The key of a verified message.
pub(crate) fn key(
    kind: Option<Kind>,
    notify_type: Option<&str>,
    object: &Map<String, Value>,
    body: &[u8],
) -> String {
    let root = Value::Object(object.clone());
    let prefix = match kind {
        Some(k) => k.spec_id().to_owned(),
        None => notify_type.unwrap_or("unknown").to_owned(),
    };
    if let Some(kind) = kind {
        let values: Vec<Option<String>> = parts(kind)
            .iter()
            .map(|alts| alts.iter().find_map(|p| root.pointer(p).and_then(scalar)))
            .collect();
        if values.iter().any(Option::is_some) {
            let mut out = prefix;
            for v in values {
                out.push(':');
                out.push_str(v.as_deref().unwrap_or("-"));
            }
            return out;
        }
    }
    format!("{prefix}:body-fnv1a64:{:016x}", fnv1a(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(text: &str) -> Map<String, Value> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn keys_name_kind_identifier_and_status() {
        let body =
            r#"{"notifyType":"REFUND","data":{"outRefundNo":"R-1","status":"REFUND_SUCCESS"}}"#;
        assert_eq!(
            key(
                Some(Kind::RefundResult),
                Some("REFUND"),
                &obj(body),
                body.as_bytes()
            ),
            "refund_result_notify:R-1:REFUND_SUCCESS"
        );
        let legacy = r#"{"refundId":"R-2","status":1}"#;
        assert_eq!(
            key(
                Some(Kind::LegacyRefund),
                None,
                &obj(legacy),
                legacy.as_bytes()
            ),
            "legacy_refund_notify:R-2:1"
        );
    }

    #[test]
    fn without_identifiers_the_body_hash_is_used() {
        let body = r#"{"notifyType":"NEW_THING","x":1}"#;
        let k = key(None, Some("NEW_THING"), &obj(body), body.as_bytes());
        assert!(k.starts_with("NEW_THING:body-fnv1a64:"), "{k}");
        assert_eq!(k, key(None, Some("NEW_THING"), &obj(body), body.as_bytes()));
        assert_ne!(k, key(None, Some("NEW_THING"), &obj(body), b"{}"));
    }

    #[test]
    fn every_kind_has_parts() {
        for kind in Kind::ALL {
            assert!(!parts(*kind).is_empty(), "{kind:?}");
        }
    }
}
