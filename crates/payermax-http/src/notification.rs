//! Verifying the notifications PayerMax POSTs to the merchant's `callbackUrl`.
//!
//! This module needs neither a transport nor a runtime: a webhook handler can
//! depend on `payermax-http` with `default-features = false` and get only
//! `payermax-sign`, `payermax-types` and serde. (It lives here rather than in
//! `payermax-sign` so that the signing crate stays free of the typed models.)
//!
//! Verification is over the exact bytes received, before anything parses
//! them; only a verified body is decoded. Answer a verified notification with
//! [`acknowledgement`]; PayerMax retries delivery (up to 6 times over about
//! 13 hours) until it sees it, so handlers must be idempotent.

use payermax_sign::PublicKey;
use payermax_types::Notification;

use crate::error::excerpt;

/// Why a notification was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotificationError {
    /// The request carried no `sign` header.
    #[error("notification has no sign header")]
    MissingSignature,
    /// The `sign` header does not verify under PayerMax's public key.
    #[error("notification signature is invalid")]
    InvalidSignature(#[source] payermax_sign::VerifyError),
    /// The signature verified but the body is not the expected JSON.
    #[error("cannot decode the notification: {source}")]
    Decode {
        /// The parser's error.
        #[source]
        source: serde_json::Error,
        /// The start of the body (at most [`crate::BODY_EXCERPT_LIMIT`] bytes, lossy UTF-8).
        body: String,
    },
}

/// Verifies a notification's signature over `raw_body` (the exact bytes
/// received) and decodes it as `N::Body`.
///
/// `sign_header` is the value of the request's `sign` header (header names
/// are case-insensitive: look it up as HTTP does), or `None` when absent.
///
/// ```
/// # #[cfg(feature = "test-util")] {
/// use payermax_http::notification::{acknowledgement, verify_notification};
/// use payermax_http::test_util::test_keys;
/// # use payermax_types::{ApiGeneration, Notification};
/// # #[derive(serde::Serialize, serde::Deserialize)] struct Body { #[serde(rename = "refundId")] refund_id: String }
/// # struct RefundNotify;
/// # impl Notification for RefundNotify {
/// #     const NAME: &'static str = "legacy_refund_notify";
/// #     const API: ApiGeneration = ApiGeneration::LegacyV21;
/// #     type Body = Body;
/// #     const ACKNOWLEDGEMENT: &'static str = r#"{"bizCode":"0000","message":"success"}"#;
/// # }
///
/// let keys = test_keys();
/// let body = br#"{"refundId":"R-1","status":1}"#;
/// let sign = keys.payermax_private.sign(body).unwrap();
///
/// let n = verify_notification::<RefundNotify>(&keys.payermax_public, body, Some(&sign)).unwrap();
/// assert_eq!(n.refund_id, "R-1");
/// assert_eq!(acknowledgement::<RefundNotify>(), br#"{"bizCode":"0000","message":"success"}"#);
///
/// assert!(verify_notification::<RefundNotify>(&keys.payermax_public, body, None).is_err());
/// # }
/// ```
pub fn verify_notification<N: Notification>(
    public_key: &PublicKey,
    raw_body: &[u8],
    sign_header: Option<&str>,
) -> Result<N::Body, NotificationError> {
    let sign = sign_header.ok_or(NotificationError::MissingSignature)?;
    public_key
        .verify(raw_body, sign.trim())
        .map_err(NotificationError::InvalidSignature)?;
    serde_json::from_slice(raw_body).map_err(|source| NotificationError::Decode {
        source,
        body: excerpt(raw_body),
    })
}

/// The exact body to answer a verified notification of type `N` with
/// (`N::ACKNOWLEDGEMENT`), with `Content-Type: application/json`.
pub fn acknowledgement<N: Notification>() -> &'static [u8] {
    N::ACKNOWLEDGEMENT.as_bytes()
}
