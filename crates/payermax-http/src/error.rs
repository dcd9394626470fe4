//! The outcomes of a call that are not a typed reply.

use std::time::Duration;

use payermax_types::{ResultCode, SettledBy, ValidationErrors};

use crate::client::RawReply;
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
/// [`Error::Refused`] (signed) or [`Error::UnsignedRefusal`].
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
        /// The reply's `Retry-After`, when it gave a number of seconds.
        /// Retries of reads wait at least this long (within the policy's
        /// deadline).
        retry_after: Option<Duration>,
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

    /// PayerMax refused the request in a **signed** reply: `code` other
    /// than `APPLY_SUCCESS` (gateway) or `bizCode` other than `0000`
    /// (legacy), under a signature that verified with PayerMax's key. Safe
    /// to act on.
    #[error("PayerMax refused the request: {code} {message:?}")]
    Refused {
        /// The result code.
        code: ResultCode,
        /// The message beside it.
        message: String,
        /// The reply as received (status, headers, body).
        raw: Box<RawReply>,
    },

    /// A refusal that carried **no signature** (PayerMax leaves its
    /// refusals unsigned): anyone on the path could have sent it, so it
    /// proves nothing. Never act on it as if PayerMax had refused (do not,
    /// for instance, send a refund again under a new number); for a write
    /// the client reports [`Error::Ambiguous`] instead, with this refusal as
    /// its cause.
    #[error("unsigned refusal (unauthenticated, proves nothing): {code} {message:?}")]
    UnsignedRefusal {
        /// The result code the reply claims.
        code: ResultCode,
        /// The message beside it.
        message: String,
        /// The reply as received (status, headers, body).
        raw: Box<RawReply>,
    },

    /// A validly signed reply that answers **another request**: its `data`
    /// carries back an identifier of the request (`Operation::ECHO`, declared
    /// per operation in the spec) with another value than was sent, e.g. a
    /// refundQuery reply for another refund, replayed by someone on the
    /// path. Not accepted; the reply stays in `raw` for audit. Not retryable;
    /// for a write the client reports [`Error::Ambiguous`] with this as its
    /// cause (what PayerMax made of the request is unknown).
    #[error(
        "the reply to {operation} answers another request: {request_field} sent {sent:?}, the reply's {reply_field} is {received:?}"
    )]
    EchoMismatch {
        /// The operation's PayerMax name (`Operation::NAME`).
        operation: &'static str,
        /// The request field (wire name).
        request_field: &'static str,
        /// Where the reply's `data` carries it (wire name or dotted path).
        reply_field: &'static str,
        /// The value sent.
        sent: String,
        /// The value that came back.
        received: String,
        /// The reply as received (status, headers, body).
        raw: Box<RawReply>,
    },

    /// A write (`Operation::RETRY` is `Write`) failed in a way that leaves
    /// its outcome unknown: the request may have reached PayerMax and been
    /// processed. The client did not send it again. Settle it with
    /// [`crate::Client::settle`] (the query the operation names), or wait
    /// for PayerMax's notification; never send it again under a new number.
    #[error(transparent)]
    Ambiguous(Box<AmbiguousOutcome>),

    /// [`crate::Client::settle`] was given a query other than the one that
    /// settles the ambiguous outcome (or the write has none).
    #[error("{given} does not settle {operation} (its settling query: {})", expected.unwrap_or("none"))]
    NotTheSettlingQuery {
        /// The write whose outcome is unknown.
        operation: &'static str,
        /// The query that settles it, if any.
        expected: Option<&'static str>,
        /// The query given.
        given: &'static str,
    },
}

/// The unknown outcome of a write: what was sent, why the outcome is
/// unknown, and the query that settles it. See [`Error::Ambiguous`].
#[derive(Debug)]
#[non_exhaustive]
pub struct AmbiguousOutcome {
    /// The write's PayerMax name (`Operation::NAME`), e.g. `refund`.
    pub operation: &'static str,
    /// The merchant's identifiers from the request, `(wire field, value)`:
    /// the fields the settling query takes (e.g. `("outRefundNo", "R-1")`),
    /// or, for a write no query settles, the request's own reference fields.
    pub identifiers: Vec<(&'static str, String)>,
    /// The query that settles it, when there is one.
    pub settled_by: Option<SettledBy>,
    /// How many attempts were sent.
    pub attempts: u32,
    /// The failure that left the outcome unknown.
    pub cause: Error,
}

impl AmbiguousOutcome {
    /// The value of the request field `field` (wire name), if it is one of
    /// the identifiers.
    pub fn identifier(&self, field: &str) -> Option<&str> {
        self.identifiers
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
    }
}

impl std::fmt::Display for AmbiguousOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the outcome of {} is unknown (", self.operation)?;
        for (n, (field, value)) in self.identifiers.iter().enumerate() {
            if n > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{field}={value:?}")?;
        }
        write!(f, "; not sent again) after: {}", self.cause)?;
        match &self.settled_by {
            Some(s) => write!(f, "; settle it with {}", s.operation),
            None => f.write_str("; no query settles it: wait for the notification"),
        }
    }
}

impl std::error::Error for AmbiguousOutcome {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
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
    /// Whether trying a **read** again (same payload, fresh `requestTime`
    /// and signature) may succeed: transport failures, timeouts, HTTP 5xx
    /// and 429, and the refusals `SYSTEM_ERROR` and `TOO_MANY_REQUEST`.
    /// Validation, signing, signature and decoding failures never are, nor
    /// is an [`Error::Ambiguous`] outcome. Writes follow stricter rules (see
    /// [`crate::RetryPolicy`]).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Status { status, .. } => *status >= 500 || *status == 429,
            Error::Refused { code, .. } | Error::UnsignedRefusal { code, .. } => {
                code.is_transient()
            }
            _ => false,
        }
    }

    /// The unknown outcome of a write, if this is [`Error::Ambiguous`].
    pub fn ambiguous(&self) -> Option<&AmbiguousOutcome> {
        match self {
            Error::Ambiguous(a) => Some(a),
            _ => None,
        }
    }

    /// Whether this is a timeout: [`Error::Timeout`] (measured by the
    /// client, or the default transport's connect timeout), or a
    /// [`Error::Transport`] whose error chain holds an I/O `TimedOut` (a
    /// custom transport's own timeout, whose duration the client does not
    /// know).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Transport { source } => is_io_timeout(&**source),
            _ => false,
        }
    }

    /// The refusal's result code, if PayerMax refused the request in a
    /// signed reply ([`Error::Refused`]); `None` for an unsigned refusal.
    pub fn refusal_code(&self) -> Option<&ResultCode> {
        match self {
            Error::Refused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The `Retry-After` of a non-2xx reply, when it gave a number of seconds.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Status { retry_after, .. } => *retry_after,
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
            Error::UnsignedRefusal { .. } => "unsigned_refusal",
            Error::EchoMismatch { .. } => "echo_mismatch",
            Error::Ambiguous(_) => "ambiguous",
            Error::NotTheSettlingQuery { .. } => "not_the_settling_query",
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

/// A transport error that proves the request was **not** sent: nothing was
/// written to PayerMax (no connection, a refused connection, a failed TLS
/// handshake). A custom transport wraps its error in it so that the client
/// may retry even a write; the default transport's connect errors count
/// without it.
#[derive(Debug, thiserror::Error)]
#[error("request not sent: {0}")]
pub struct NotSent(#[source] pub BoxError);

/// Whether a transport error proves that nothing was sent: a [`NotSent`]
/// in its chain, an I/O `ConnectionRefused`, or hyper-util's connect error
/// (TCP connect or TLS handshake, timeouts included).
pub(crate) fn proves_not_sent(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.is::<NotSent>() {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        #[cfg(feature = "hyper")]
        if let Some(h) = e.downcast_ref::<hyper_util::client::legacy::Error>()
            && h.is_connect()
        {
            return true;
        }
        cur = e.source();
    }
    false
}
