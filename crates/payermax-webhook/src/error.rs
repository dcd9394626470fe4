//! [`WebhookError`]: why a message was rejected.

use std::fmt;

use crate::Kind;

/// How many bytes of a body an error keeps ([`WebhookError::Decode`]).
pub const BODY_EXCERPT_LIMIT: usize = 2048;

/// Why an inbound message was rejected. Nothing is decoded before the
/// signature verified, and no variant holds or prints key material or the
/// signature.
///
/// [`WebhookError::status`] is the HTTP status to answer with: never 2xx,
/// so PayerMax delivers the message again.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is longer than the configured cap
    /// ([`Verifier::max_body_bytes`](crate::Verifier::max_body_bytes)); it
    /// was neither verified nor parsed.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
        /// The body's length, in bytes.
        len: usize,
    },
    /// The request carried no `sign` header.
    MissingSignature,
    /// The request carried the `sign` header more than once.
    RepeatedSignature {
        /// How many `sign` headers there were.
        count: usize,
    },
    /// The `sign` header is not visible ASCII text.
    MalformedSignatureHeader,
    /// The `sign` header does not verify under PayerMax's public key over
    /// the exact bytes received.
    InvalidSignature(payermax_sign::VerifyError),
    /// The signature verified but the body is not UTF-8 (JSON must be).
    InvalidUtf8 {
        /// The length of the valid prefix.
        valid_up_to: usize,
    },
    /// The signature verified but the body is not the JSON its kind
    /// documents.
    Decode {
        /// The parser's error.
        source: serde_json::Error,
        /// The kind it was decoded as (`None`: not even a JSON object).
        kind: Option<Kind>,
        /// The start of the body (at most [`BODY_EXCERPT_LIMIT`] bytes, lossy UTF-8).
        body: String,
    },
    /// The body names another merchant (`merchantNo`, `appId`,
    /// `merchantAppId` or the legacy `merchantId` differs from this
    /// merchant's, as configured on the [`Verifier`](crate::Verifier)).
    ForeignMerchant {
        /// The body field that differs.
        field: &'static str,
        /// Its value in the body.
        found: String,
    },
    /// `notifyTime` is older (or further in the future) than the freshness
    /// window ([`Verifier::freshness`](crate::Verifier::freshness)).
    Stale {
        /// The body's `notifyTime`.
        notify_time: String,
        /// How far it is from now, in seconds (positive: in the past).
        age_seconds: i64,
    },
    /// A freshness window is set and `notifyTime` is not a timestamp.
    InvalidNotifyTime {
        /// The body's `notifyTime`.
        notify_time: String,
    },
    /// The endpoint dispatches by `notifyType` ([`Endpoint::ByNotifyType`](crate::Endpoint::ByNotifyType))
    /// and the body's `notifyType` is missing or shared by several kinds
    /// (`PAYMENT`: payment and authorisation results): give those kinds
    /// an endpoint of their own ([`Endpoint::Kind`](crate::Endpoint::Kind)).
    UndeterminedKind {
        /// The body's `notifyType`, when it has one.
        notify_type: Option<String>,
        /// The kinds documenting it.
        candidates: &'static [Kind],
    },
    /// The `notifyType` is not one PayerMax documents and the verifier was
    /// told to reject unknown kinds ([`Verifier::reject_unknown_kinds`](crate::Verifier::reject_unknown_kinds));
    /// by default such a message is [`Event::Unknown`](crate::Event::Unknown).
    UnknownKind {
        /// The body's `notifyType`.
        notify_type: String,
    },
}

impl WebhookError {
    /// The HTTP status to answer with (never 2xx, so PayerMax retries):
    /// 413 for [`BodyTooLarge`](Self::BodyTooLarge), 401 for a missing or
    /// bad signature, 403 for a foreign merchant, 400 otherwise.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            WebhookError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebhookError::MissingSignature
            | WebhookError::RepeatedSignature { .. }
            | WebhookError::MalformedSignatureHeader
            | WebhookError::InvalidSignature(_) => StatusCode::UNAUTHORIZED,
            WebhookError::ForeignMerchant { .. } => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// Whether the message was shown to come from PayerMax (its signature
    /// verified) before it was rejected.
    pub fn is_verified(&self) -> bool {
        !matches!(
            self,
            WebhookError::BodyTooLarge { .. }
                | WebhookError::MissingSignature
                | WebhookError::RepeatedSignature { .. }
                | WebhookError::MalformedSignatureHeader
                | WebhookError::InvalidSignature(_)
        )
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::BodyTooLarge { limit, len } => {
                write!(f, "body of {len} bytes exceeds the cap of {limit} bytes")
            }
            WebhookError::MissingSignature => f.write_str("message has no sign header"),
            WebhookError::RepeatedSignature { count } => {
                write!(
                    f,
                    "message has {count} sign headers; exactly one is expected"
                )
            }
            WebhookError::MalformedSignatureHeader => {
                f.write_str("the sign header is not visible ASCII text")
            }
            WebhookError::InvalidSignature(e) => write!(f, "message signature is invalid: {e}"),
            WebhookError::InvalidUtf8 { valid_up_to } => write!(
                f,
                "message body is not UTF-8 (valid up to byte {valid_up_to})"
            ),
            WebhookError::Decode { source, kind, .. } => match kind {
                Some(k) => write!(f, "cannot decode the message as {}: {source}", k.spec_id()),
                None => write!(f, "cannot decode the message: {source}"),
            },
            WebhookError::ForeignMerchant { field, found } => {
                write!(f, "message is for another merchant ({field} {found:?})")
            }
            WebhookError::Stale {
                notify_time,
                age_seconds,
            } => write!(
                f,
                "notifyTime {notify_time:?} is {age_seconds} s from now, outside the freshness window"
            ),
            WebhookError::InvalidNotifyTime { notify_time } => {
                write!(f, "notifyTime {notify_time:?} is not a timestamp")
            }
            WebhookError::UndeterminedKind {
                notify_type,
                candidates,
            } => match notify_type {
                Some(t) => write!(
                    f,
                    "notifyType {t:?} is shared by {} kinds: give each its own endpoint",
                    candidates.len()
                ),
                None => f.write_str(
                    "the message has no notifyType: give its kind an endpoint of its own",
                ),
            },
            WebhookError::UnknownKind { notify_type } => {
                write!(f, "notifyType {notify_type:?} is not a documented kind")
            }
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::InvalidSignature(e) => Some(e),
            WebhookError::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The start of `body`, lossy UTF-8, at most [`BODY_EXCERPT_LIMIT`] bytes.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let end = body.len().min(BODY_EXCERPT_LIMIT);
    String::from_utf8_lossy(&body[..end]).into_owned()
}
