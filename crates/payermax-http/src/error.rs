//! The outcomes of a call that are not a typed reply.

use std::time::Duration;

use payermax_types::{ResultCode, ValidationErrors};

use crate::config::Setting;

/// A boxed error, as transports return them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How many bytes of a reply body an [`Error`] keeps for diagnosis.
pub const BODY_EXCERPT_LIMIT: usize = 2048;

/// Everything that can go wrong with a call, one variant per outcome.
///
/// A business status in the reply's data (a refund still pending, a refund
/// that failed) is data, not an error: only a refusal of the request itself
/// (`code` other than `APPLY_SUCCESS`, `bizCode` other than `0000`) is
/// [`Error::Refused`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request broke a documented constraint; nothing was sent.
    #[error("{0}")]
    Validation(#[from] ValidationErrors),

    /// The operation needs a setting the client was built without (for
    /// example a legacy operation on a client without `merchant_id`); nothing
    /// was sent.
    #[error("the client has no {setting} configured, which this operation needs")]
    MissingSetting {
        /// The missing setting.
        setting: Setting,
    },

    /// The request could not be serialized; nothing was sent.
    #[error("cannot encode the request: {source}")]
    Encode {
        /// Why.
        #[source]
        source: BoxError,
    },

    /// Signing the request failed; nothing was sent.
    #[error("cannot sign the request: {0}")]
    Sign(#[source] payermax_sign::SignError),

    /// The transport failed (connection refused, TLS, reset, ...). The request
    /// may or may not have reached PayerMax.
    #[error("transport failed: {source}")]
    Transport {
        /// The transport's error.
        #[source]
        source: BoxError,
    },

    /// No complete reply within the time allowed (per-request timeout, connect
    /// timeout, or the retry deadline). The request may have reached PayerMax.
    #[error("no reply within {after:?}")]
    Timeout {
        /// The time that ran out.
        after: Duration,
    },

    /// PayerMax (or something in between) answered with a non-2xx HTTP status.
    #[error("HTTP status {status}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most [`BODY_EXCERPT_LIMIT`] bytes, lossy UTF-8).
        body: String,
    },

    /// The reply's `sign` header is missing where one is required, or does not
    /// verify under PayerMax's public key over the exact bytes received.
    #[error("reply signature {problem}")]
    Signature {
        /// Missing, or present and invalid.
        problem: SignatureProblem,
        /// The verifier's error, when there was one.
        #[source]
        source: Option<payermax_sign::VerifyError>,
    },

    /// The reply is not the JSON this operation expects.
    #[error("cannot decode the reply: {source}")]
    Decode {
        /// The parser's error.
        #[source]
        source: serde_json::Error,
        /// The start of the body (at most [`BODY_EXCERPT_LIMIT`] bytes, lossy UTF-8).
        body: String,
    },

    /// The reply body is larger than the configured limit; it was not read further.
    #[error("reply body larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },

    /// PayerMax refused the request: `code` other than `APPLY_SUCCESS`
    /// (gateway) or `bizCode` other than `0000` (legacy).
    #[error("PayerMax refused the request: {code} {message:?}{}", if *.signed { "" } else { " (unsigned reply)" })]
    Refused {
        /// The result code.
        code: ResultCode,
        /// The message beside it.
        message: String,
        /// Whether the reply carried a valid signature. `false` means the
        /// refusal is unauthenticated: anyone on the path could have sent it.
        signed: bool,
    },
}

/// What is wrong with a reply's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureProblem {
    /// No `sign` header on a reply that must be signed (a success).
    Missing,
    /// A `sign` header that does not verify (or is not ASCII, or appears twice).
    Invalid,
}

impl std::fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureProblem::Missing => "missing",
            SignatureProblem::Invalid => "invalid",
        })
    }
}

impl Error {
    /// Whether trying again (same payload, fresh `requestTime` and signature)
    /// may succeed: transport failures, timeouts, HTTP 5xx and 429, and the
    /// refusals `SYSTEM_ERROR` and `TOO_MANY_REQUEST`. Validation, signing,
    /// signature and decoding failures never are.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Status { status, .. } => *status >= 500 || *status == 429,
            Error::Refused { code, .. } => code.is_transient(),
            _ => false,
        }
    }

    /// Whether this is a [`Error::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// The refusal's result code, if PayerMax refused the request.
    pub fn refusal_code(&self) -> Option<&ResultCode> {
        match self {
            Error::Refused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status, if the reply had a non-2xx one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The validation errors, if the request was invalid.
    pub fn validation_errors(&self) -> Option<&ValidationErrors> {
        match self {
            Error::Validation(v) => Some(v),
            _ => None,
        }
    }

    /// A short stable name of the variant, as recorded in traces.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation",
            Error::MissingSetting { .. } => "missing_setting",
            Error::Encode { .. } => "encode",
            Error::Sign(_) => "sign",
            Error::Transport { .. } => "transport",
            Error::Timeout { .. } => "timeout",
            Error::Status { .. } => "status",
            Error::Signature { .. } => "signature",
            Error::Decode { .. } => "decode",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::Refused { .. } => "refused",
        }
    }
}

/// The first [`BODY_EXCERPT_LIMIT`] bytes of `body`, as lossy UTF-8.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let end = body.len().min(BODY_EXCERPT_LIMIT);
    String::from_utf8_lossy(&body[..end]).into_owned()
}

/// Whether an error chain contains an I/O timeout (hyper-util's connect timeout).
pub(crate) fn is_io_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        cur = e.source();
    }
    false
}
