//! The envelopes every PayerMax request and reply travels in, and the result
//! codes they carry. Serde only: no HTTP, no signing.
//!
//! | api | request | reply | success |
//! | --- | --- | --- | --- |
//! | gateway | [`GatewayRequest`] | [`GatewayReply`] | `code` is `APPLY_SUCCESS` |
//! | legacy v2.1 | [`LegacyRequest`] | [`LegacyReply`] | `bizCode` is `0000` |
//!
//! Decoding a reply is meant to be two-phase so that a refusal with a `data`
//! the caller's type cannot read still yields its code and message: decode
//! the envelope as `GatewayReply<Box<RawValue>>` (see [`RawGatewayReply`]),
//! look at the code, then decode `data` into the operation's response type.
//! Reply envelopes deliberately avoid `#[serde(flatten)]`, which would buffer
//! the body and break deserializers built on `serde_json::value::RawValue`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeOwned, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The request envelope of the current gateway API.
///
/// The caller's payload goes in `data`; the library fills the rest.
/// `requestTime` is kept as the string that travels, so a server can parse a
/// request whose timestamp is malformed and answer with a proper refusal
/// (the client always writes `yyyy-MM-ddTHH:mm:ss.SSS+00:00`).
///
/// The app id travels as `appId`, or under the name in `app_id_field` for
/// the operations whose envelope names it otherwise
/// ([`Operation::APP_ID_FIELD`](crate::Operation::APP_ID_FIELD)); reading
/// accepts both names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayRequest<'a, T> {
    /// The API `version` (e.g. `"1.5"`).
    pub version: Cow<'a, str>,
    /// The `keyVersion` (`"1"`).
    pub key_version: Cow<'a, str>,
    /// When the attempt was sent, RFC 3339 with milliseconds.
    pub request_time: Cow<'a, str>,
    /// The merchant's application id.
    #[serde(alias = "merchantAppId")]
    pub app_id: Cow<'a, str>,
    /// The member name `app_id` is written under: `appId` (the default when
    /// reading) or `merchantAppId`.
    #[serde(skip, default = "app_id_field")]
    pub app_id_field: &'static str,
    /// The merchant number. Optional in PayerMax's tables, needed in practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_no: Option<Cow<'a, str>>,
    /// The operation's payload.
    pub data: T,
}

fn app_id_field() -> &'static str {
    "appId"
}

impl<T: Serialize> Serialize for GatewayRequest<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("version", &self.version)?;
        map.serialize_entry("keyVersion", &self.key_version)?;
        map.serialize_entry("requestTime", &self.request_time)?;
        map.serialize_entry(self.app_id_field, &self.app_id)?;
        if let Some(m) = &self.merchant_no {
            map.serialize_entry("merchantNo", m)?;
        }
        map.serialize_entry("data", &self.data)?;
        map.end()
    }
}

/// The request envelope of the legacy v2.1 API: three envelope fields beside
/// the payload's own fields, all at the top level.
///
/// Serializing flattens the payload (it must serialize as a map or struct).
/// The derived `Deserialize` buffers the body (serde's flatten); servers whose
/// payload types need `RawValue` should use [`LegacyRequest::from_json_slice`],
/// which parses the same bytes twice instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyRequest<'a, T> {
    /// The merchant id (`merchantId`).
    pub merchant_id: Cow<'a, str>,
    /// Which operation (`bizType`, e.g. `refundApply`).
    pub biz_type: Cow<'a, str>,
    /// The API `version` (`"2.1"`).
    pub version: Cow<'a, str>,
    /// The payload's fields.
    #[serde(flatten)]
    pub payload: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LegacyHead {
    merchant_id: String,
    biz_type: String,
    version: String,
}

impl<T: DeserializeOwned> LegacyRequest<'static, T> {
    /// Parses a legacy request body without buffering: the envelope fields and
    /// the payload are each read from `body` directly (the payload type must
    /// not deny unknown fields, as it sees `merchantId`, `bizType` and `version`).
    pub fn from_json_slice(body: &[u8]) -> serde_json::Result<Self> {
        let head: LegacyHead = serde_json::from_slice(body)?;
        let payload: T = serde_json::from_slice(body)?;
        Ok(LegacyRequest {
            merchant_id: Cow::Owned(head.merchant_id),
            biz_type: Cow::Owned(head.biz_type),
            version: Cow::Owned(head.version),
            payload,
        })
    }
}

/// The reply envelope of the current gateway API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayReply<T> {
    /// The result code; [`ResultCode::ApplySuccess`] when the request was accepted.
    pub code: ResultCode,
    /// The message beside the code (may be empty).
    #[serde(default)]
    pub msg: String,
    /// The operation's reply data; absent or `null` on most refusals.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

/// The reply envelope of the legacy v2.1 API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyReply<T> {
    /// The result code; [`ResultCode::LegacySuccess`] (`0000`) on success.
    pub biz_code: ResultCode,
    /// The message beside the code (may be empty).
    #[serde(default)]
    pub message: String,
    /// The operation's reply data.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// A gateway reply whose `data` is still undecoded JSON: phase one of decoding.
pub type RawGatewayReply = GatewayReply<Box<RawValue>>;
/// A legacy reply whose `data` is still undecoded JSON: phase one of decoding.
pub type RawLegacyReply = LegacyReply<Box<RawValue>>;

impl<T> GatewayReply<T> {
    /// Whether PayerMax accepted the request (`code` is `APPLY_SUCCESS`).
    /// Acceptance is not the business outcome: a refund may still be pending.
    pub fn is_success(&self) -> bool {
        self.code == ResultCode::ApplySuccess
    }
}

impl<T> LegacyReply<T> {
    /// Whether PayerMax accepted the request (`bizCode` is `0000`).
    pub fn is_success(&self) -> bool {
        self.biz_code == ResultCode::LegacySuccess
    }
}

macro_rules! result_codes {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal,)*) => {
        /// A result code from a reply envelope: the gateway's `code` or the
        /// legacy API's `bizCode`.
        ///
        /// The list is open: codes this version does not know are kept in
        /// [`ResultCode::Unknown`], never rejected. Converting from a string
        /// is infallible and round-trips through [`ResultCode::as_str`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ResultCode {
            $($(#[$doc])* $variant,)*
            /// A code this version of the library does not know, verbatim.
            Unknown(String),
        }

        impl ResultCode {
            /// The code as it travels.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ResultCode::$variant => $wire,)*
                    ResultCode::Unknown(s) => s,
                }
            }
        }

        impl From<&str> for ResultCode {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => ResultCode::$variant,)*
                    other => ResultCode::Unknown(other.to_owned()),
                }
            }
        }
    };
}

result_codes! {
    /// `APPLY_SUCCESS`: the gateway accepted the request.
    ApplySuccess => "APPLY_SUCCESS",
    /// `0000`: the legacy API accepted the request.
    LegacySuccess => "0000",
    /// `SYSTEM_ERROR`: PayerMax failed internally; worth retrying.
    SystemError => "SYSTEM_ERROR",
    /// `SIGN_VERIFY_FAILED`: PayerMax could not verify the request's signature.
    SignVerifyFailed => "SIGN_VERIFY_FAILED",
    /// `REQUEST_TIMEOUT`: PayerMax timed out handling the request.
    RequestTimeout => "REQUEST_TIMEOUT",
    /// `PARAMS_INVALID`: a parameter was rejected.
    ParamsInvalid => "PARAMS_INVALID",
    /// `MERCHANT_INVALID`: unknown or disabled merchant.
    MerchantInvalid => "MERCHANT_INVALID",
    /// `MERCHANT_APP_INVALID`: unknown or disabled application id.
    MerchantAppInvalid => "MERCHANT_APP_INVALID",
    /// `CONTRACT_INVALID`: no valid contract for this product.
    ContractInvalid => "CONTRACT_INVALID",
    /// `ORDER_NOT_EXIST`: no such order.
    OrderNotExist => "ORDER_NOT_EXIST",
    /// `ORDER_CLOSED`: the order is closed.
    OrderClosed => "ORDER_CLOSED",
    /// `ORDER_REPEAT`: duplicate order or refund number.
    OrderRepeat => "ORDER_REPEAT",
    /// `BALANCE_INSUFFICIENT`: not enough balance.
    BalanceInsufficient => "BALANCE_INSUFFICIENT",
    /// `CURRENCY_INVALID`: unsupported currency.
    CurrencyInvalid => "CURRENCY_INVALID",
    /// `AMOUNT_INVALID`: amount rejected.
    AmountInvalid => "AMOUNT_INVALID",
    /// `AMOUNT_LIMIT`: amount outside the allowed limits.
    AmountLimit => "AMOUNT_LIMIT",
    /// `REFUND_FAILED`: the refund could not be made.
    RefundFailed => "REFUND_FAILED",
    /// `REFUND_NO_INVALID`: the refund number was rejected.
    RefundNoInvalid => "REFUND_NO_INVALID",
    /// `REFUND_INSUFFICIENT_BALANCE`: not enough balance to refund.
    RefundInsufficientBalance => "REFUND_INSUFFICIENT_BALANCE",
    /// `REQ_TIME_OVER_TIME`: `requestTime` more than two minutes off PayerMax's clock.
    ReqTimeOverTime => "REQ_TIME_OVER_TIME",
    /// `TOO_MANY_REQUEST`: rate limited; worth retrying later.
    TooManyRequest => "TOO_MANY_REQUEST",
}

impl From<String> for ResultCode {
    fn from(s: String) -> Self {
        match ResultCode::from(s.as_str()) {
            ResultCode::Unknown(_) => ResultCode::Unknown(s),
            known => known,
        }
    }
}

impl ResultCode {
    /// Whether this code means the request was accepted (by either API).
    pub fn is_success(&self) -> bool {
        matches!(self, ResultCode::ApplySuccess | ResultCode::LegacySuccess)
    }

    /// Whether PayerMax signals a transient condition worth retrying
    /// (`SYSTEM_ERROR`, `TOO_MANY_REQUEST`).
    pub fn is_transient(&self) -> bool {
        matches!(self, ResultCode::SystemError | ResultCode::TooManyRequest)
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ResultCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResultCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ResultCode::from(s.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Payload {
        out_refund_no: String,
    }

    #[test]
    fn gateway_request_field_names_and_order() {
        let req = GatewayRequest {
            version: "1.5".into(),
            key_version: "1".into(),
            request_time: "2026-01-02T03:04:05.006+00:00".into(),
            app_id: "app".into(),
            app_id_field: "appId",
            merchant_no: Some("m1".into()),
            data: Payload {
                out_refund_no: "r1".into(),
            },
        };
        let s = serde_json::to_string(&req).unwrap();
        assert_eq!(
            s,
            r#"{"version":"1.5","keyVersion":"1","requestTime":"2026-01-02T03:04:05.006+00:00","appId":"app","merchantNo":"m1","data":{"outRefundNo":"r1"}}"#
        );
        let back: GatewayRequest<'static, Payload> = serde_json::from_str(&s).unwrap();
        assert_eq!(back, req);
    }

    #[test]
    fn gateway_request_under_merchant_app_id() {
        // orderConfirm and addOrDelRiskNameList name the app id `merchantAppId`.
        let req = GatewayRequest {
            version: "1.0".into(),
            key_version: "1".into(),
            request_time: "2026-01-02T03:04:05.006+00:00".into(),
            app_id: "app".into(),
            app_id_field: "merchantAppId",
            merchant_no: None,
            data: Payload {
                out_refund_no: "r1".into(),
            },
        };
        let s = serde_json::to_string(&req).unwrap();
        assert_eq!(
            s,
            r#"{"version":"1.0","keyVersion":"1","requestTime":"2026-01-02T03:04:05.006+00:00","merchantAppId":"app","data":{"outRefundNo":"r1"}}"#
        );
        // Read back: both names are accepted (the name itself is not kept).
        let back: GatewayRequest<'static, Payload> = serde_json::from_str(&s).unwrap();
        assert_eq!(back.app_id, "app");
    }

    #[test]
    fn legacy_request_is_flat_and_parses_both_ways() {
        let req = LegacyRequest {
            merchant_id: "M".into(),
            biz_type: "refundQuery".into(),
            version: "2.1".into(),
            payload: Payload {
                out_refund_no: "r1".into(),
            },
        };
        let s = serde_json::to_string(&req).unwrap();
        assert_eq!(
            s,
            r#"{"merchantId":"M","bizType":"refundQuery","version":"2.1","outRefundNo":"r1"}"#
        );
        let a: LegacyRequest<'static, Payload> = serde_json::from_str(&s).unwrap();
        let b = LegacyRequest::<Payload>::from_json_slice(s.as_bytes()).unwrap();
        assert_eq!(a, req);
        assert_eq!(b, req);
        assert!(LegacyRequest::<Payload>::from_json_slice(br#"{"bizType":"x"}"#).is_err());
    }

    #[test]
    fn refusal_with_garbage_data_still_yields_code() {
        let body =
            br#"{"code":"PARAMS_INVALID","msg":"bad","data":{"unexpected":[1,2]},"extra":1}"#;
        let reply: RawGatewayReply = serde_json::from_slice(body).unwrap();
        assert_eq!(reply.code, ResultCode::ParamsInvalid);
        assert_eq!(reply.msg, "bad");
        assert!(!reply.is_success());
        assert!(reply.data.is_some());
        assert!(serde_json::from_str::<Payload>(reply.data.unwrap().get()).is_err());
    }

    #[test]
    fn missing_or_null_data_and_msg() {
        let r: RawGatewayReply = serde_json::from_value(json!({"code":"X_NEW"})).unwrap();
        assert_eq!(r.code, ResultCode::Unknown("X_NEW".into()));
        assert_eq!(r.msg, "");
        assert!(r.data.is_none());
        let r: RawGatewayReply =
            serde_json::from_str(r#"{"code":"APPLY_SUCCESS","msg":"","data":null}"#).unwrap();
        assert!(r.is_success());
        assert!(r.data.is_none());
        let r: RawLegacyReply =
            serde_json::from_str(r#"{"bizCode":"0000","message":"ok","data":{"a":1}}"#).unwrap();
        assert!(r.is_success());
        assert_eq!(r.data.unwrap().get(), r#"{"a":1}"#);
        let r: RawLegacyReply =
            serde_json::from_str(r#"{"bizCode":"0001","message":"no"}"#).unwrap();
        assert!(!r.is_success());
        assert_eq!(r.biz_code.as_str(), "0001");
        assert!(serde_json::from_str::<RawGatewayReply>(r#"{"msg":"no code"}"#).is_err());
    }

    #[test]
    fn result_codes_round_trip() {
        for s in [
            "APPLY_SUCCESS",
            "0000",
            "TOO_MANY_REQUEST",
            "SYSTEM_ERROR",
            "SOMETHING_NEW",
            "",
        ] {
            let c = ResultCode::from(s);
            assert_eq!(c.as_str(), s);
            assert_eq!(ResultCode::from(s.to_owned()), c);
            let j = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<ResultCode>(&j).unwrap(), c);
        }
        assert!(ResultCode::TooManyRequest.is_transient());
        assert!(ResultCode::SystemError.is_transient());
        assert!(!ResultCode::ParamsInvalid.is_transient());
        assert!(ResultCode::LegacySuccess.is_success());
        assert_eq!(
            ResultCode::ReqTimeOverTime.to_string(),
            "REQ_TIME_OVER_TIME"
        );
    }

    #[test]
    fn reply_serializes_without_missing_data() {
        let r: GatewayReply<Payload> = GatewayReply {
            code: ResultCode::OrderNotExist,
            msg: "no".into(),
            data: None,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"code":"ORDER_NOT_EXIST","msg":"no"}"#
        );
    }
}
