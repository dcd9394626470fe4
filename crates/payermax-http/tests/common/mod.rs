//! Hand-written operations (the pipeline is generic over `Operation`) and helpers.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use payermax_http::{Client, ClientBuilder, Environment};
use payermax_test_keys::test_keys;
use payermax_types::{
    ApiGeneration, Notification, Operation, RetryClass, Rule, SettleKey, SettledBy, Timestamp,
    Validate, Violation,
};
use serde::{Deserialize, Serialize};

pub const BASE: &str = "http://127.0.0.1:9";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryRequest {
    pub out_refund_no: String,
}

impl Validate for QueryRequest {
    fn validate_into(&self, path: &str, out: &mut Vec<Violation>) {
        let n = self.out_refund_no.chars().count();
        let path = format!("{path}outRefundNo");
        if n > 64 {
            out.push(Violation {
                path,
                rule: Rule::MaxLength { max: 64, actual: n },
            });
        } else if n == 0 {
            out.push(Violation {
                path,
                rule: Rule::MinLength { min: 1, actual: n },
            });
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResponse {
    pub out_refund_no: String,
    pub status: String,
}

/// A gateway operation shaped like refundQuery.
pub struct Query;

impl Operation for Query {
    const NAME: &'static str = "refundQuery";
    const API: ApiGeneration = ApiGeneration::Gateway;
    const PATH: &'static str = "/aggregate-pay/api/gateway/refundQuery";
    const DEFAULT_VERSION: &'static str = "1.5";
    const KEY_VERSION: Option<&'static str> = Some("1");
    const BIZ_TYPE: Option<&'static str> = None;
    const RETRY: RetryClass = RetryClass::Read;
    type Request = QueryRequest;
    type Response = QueryResponse;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRequest {
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub refund_amount: String,
}

impl Validate for RefundRequest {
    fn validate_into(&self, _: &str, _: &mut Vec<Violation>) {}
}

/// A gateway write shaped like refund, settled by [`Query`].
pub struct Refund;

impl Operation for Refund {
    const NAME: &'static str = "refund";
    const API: ApiGeneration = ApiGeneration::Gateway;
    const PATH: &'static str = "/aggregate-pay/api/gateway/refund";
    const DEFAULT_VERSION: &'static str = "1.0";
    const KEY_VERSION: Option<&'static str> = Some("1");
    const BIZ_TYPE: Option<&'static str> = None;
    const RETRY: RetryClass = RetryClass::Write;
    const SETTLED_BY: Option<SettledBy> = Some(SettledBy {
        spec: "refund_query",
        operation: "refundQuery",
        path: "/aggregate-pay/api/gateway/refundQuery",
        by: &[SettleKey {
            query_field: "outRefundNo",
            request_field: "outRefundNo",
        }],
    });
    type Request = RefundRequest;
    type Response = serde_json::Value;
}

pub fn refund(no: &str) -> RefundRequest {
    RefundRequest {
        out_refund_no: no.into(),
        out_trade_no: "T-1".into(),
        refund_amount: "1.00".into(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyApplyRequest {
    pub refund_id: String,
    pub order_id: String,
    pub amount: String,
    pub currency: String,
}

impl Validate for LegacyApplyRequest {
    fn validate_into(&self, _: &str, _: &mut Vec<Violation>) {}
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyApplyResponse {
    pub refund_id: String,
}

/// A legacy operation shaped like refundApply.
pub struct LegacyApply;

impl Operation for LegacyApply {
    const NAME: &'static str = "refundApply";
    const API: ApiGeneration = ApiGeneration::LegacyV21;
    const PATH: &'static str = "/aggregate-pay-gate/api/gateway";
    const DEFAULT_VERSION: &'static str = "2.1";
    const KEY_VERSION: Option<&'static str> = None;
    const BIZ_TYPE: Option<&'static str> = Some("refundApply");
    type Request = LegacyApplyRequest;
    type Response = LegacyApplyResponse;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundNotifyBody {
    pub refund_id: String,
    pub status: u8,
    pub refund_amount: String,
}

/// An inbound notification shaped like the legacy refund notification.
pub struct RefundNotify;

impl Notification for RefundNotify {
    const NAME: &'static str = "legacy_refund_notify";
    const API: ApiGeneration = ApiGeneration::LegacyV21;
    type Body = RefundNotifyBody;
    const ACKNOWLEDGEMENT: &'static str = r#"{"bizCode":"0000","message":"success"}"#;
}

pub fn query(no: &str) -> QueryRequest {
    QueryRequest {
        out_refund_no: no.into(),
    }
}

/// 2026-01-02T03:04:05.678Z, advancing one second per reading.
pub fn stepping_clock() -> (
    Arc<AtomicI64>,
    impl Fn() -> Timestamp + Send + Sync + 'static,
) {
    let now = Arc::new(AtomicI64::new(1_767_323_045_678));
    let c = now.clone();
    (now, move || {
        Timestamp::from_unix_millis(c.fetch_add(1000, Ordering::SeqCst)).expect("in range")
    })
}

/// A builder with every setting, keys from the fixtures.
pub fn builder() -> ClientBuilder {
    let keys = test_keys();
    Client::builder(Environment::Custom(BASE.into()))
        .app_id("app-1")
        .merchant_no("P01010113865434")
        .merchant_id("M-legacy")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
}

/// A request that serializes to a bare string: it cannot be flattened into
/// the legacy envelope, so encoding fails.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scalar(pub String);

impl Validate for Scalar {
    fn validate_into(&self, _: &str, _: &mut Vec<Violation>) {}
}

/// A legacy operation whose payload is not an object.
pub struct LegacyScalar;

impl Operation for LegacyScalar {
    const NAME: &'static str = "scalar";
    const API: ApiGeneration = ApiGeneration::LegacyV21;
    const PATH: &'static str = "/aggregate-pay-gate/api/gateway";
    const DEFAULT_VERSION: &'static str = "2.1";
    const KEY_VERSION: Option<&'static str> = None;
    const BIZ_TYPE: Option<&'static str> = Some("scalar");
    type Request = Scalar;
    type Response = serde_json::Value;
}
