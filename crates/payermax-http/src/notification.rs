//! Verifying the notifications PayerMax POSTs to the merchant: a re-export
//! of [`payermax_webhook`]'s low-level functions, kept so that code written
//! against this module goes on compiling.
//!
//! New code should depend on `payermax-webhook` directly: it needs no
//! runtime, no HTTP client and no transport, and adds what this module
//! never had: one event type for every kind, dispatch, merchant and
//! freshness checks, acknowledgements per kind, idempotency keys and a
//! tower `Service`.
//!
//! Verification is over the exact bytes received, before anything parses
//! them; only a verified body is decoded. Answer a verified notification with
//! [`acknowledgement`]; PayerMax retries delivery (up to 6 times over about
//! 12 hours) until it sees it, so handlers must be idempotent.
//!
//! ```
//! use payermax_http::notification::{acknowledgement, verify_notification};
//! use payermax_http::PrivateKey;
//! # use payermax_types::{ApiGeneration, Notification};
//! # #[derive(serde::Serialize, serde::Deserialize)] struct Body { #[serde(rename = "refundId")] refund_id: String }
//! # struct RefundNotify;
//! # impl Notification for RefundNotify {
//! #     const NAME: &'static str = "legacy_refund_notify";
//! #     const API: ApiGeneration = ApiGeneration::LegacyV21;
//! #     type Body = Body;
//! #     const ACKNOWLEDGEMENT: &'static str = r#"{"bizCode":"0000","message":"success"}"#;
//! # }
//!
//! // "PayerMax's" key pair, made for this test.
//! let payermax = PrivateKey::generate().unwrap();
//! let body = br#"{"refundId":"R-1","status":1}"#;
//! let sign = payermax.sign(body).unwrap();
//!
//! let n = verify_notification::<RefundNotify>(&payermax.public_key(), body, Some(&sign)).unwrap();
//! assert_eq!(n.refund_id, "R-1");
//! assert_eq!(acknowledgement::<RefundNotify>(), br#"{"bizCode":"0000","message":"success"}"#);
//!
//! assert!(verify_notification::<RefundNotify>(&payermax.public_key(), body, None).is_err());
//! ```

pub use payermax_webhook::{acknowledgement, verify_notification};

/// Why a notification was rejected: [`payermax_webhook::WebhookError`]
/// (the variants this module always had, `MissingSignature`,
/// `InvalidSignature` and `Decode { body, .. }`, keep their shape).
pub type NotificationError = payermax_webhook::WebhookError;
