//! [`Verifier`]: verify over the exact bytes, then check, dispatch and
//! decode into a [`Delivery`].

use std::time::Duration;

use payermax_sign::PublicKey;
use payermax_types::{Notification, Timestamp};
use serde_json::{Map, Value};

use crate::error::{WebhookError, excerpt};
use crate::idempotency;
use crate::{Event, Kind};

/// The body size cap unless [`Verifier::max_body_bytes`] says otherwise:
/// 1 MiB, far above any message PayerMax documents.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// The acknowledgement of the current gateway's notifications (and of a
/// message of unknown kind).
pub const GATEWAY_ACKNOWLEDGEMENT: &str = r#"{"code":"SUCCESS","msg":"Success"}"#;

/// The acknowledgement of the legacy v2.1 refund notification.
pub const LEGACY_ACKNOWLEDGEMENT: &str = r#"{"bizCode":"0000","message":"success"}"#;

/// What an endpoint (a URL the merchant gave PayerMax) receives, which
/// decides the kind a message is decoded as.
///
/// PayerMax POSTs each kind to the URL the merchant configured for it
/// (`notifyUrl` of an order, `callbackUrl` of a legacy refund, the URLs of
/// the merchant dashboard), so the URL says what a message is. The body's
/// `notifyType` alone does not: `PAYMENT` is sent with both payment and
/// authorisation results, RFI notifications, legacy refund notifications
/// and bill payment validations have none, and the capture and
/// cancellation notifications were documented with the refund's enum (their
/// examples send `CAPTURE` and `CANCEL`, which this crate follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// The endpoint receives this kind only: every message is decoded as
    /// it, whatever its `notifyType` says (recommended).
    Kind(Kind),
    /// One endpoint for several kinds: the kind is the one documenting the
    /// body's `notifyType`. A value shared by several kinds (`PAYMENT`) or
    /// a missing `notifyType` is [`WebhookError::UndeterminedKind`]; a value
    /// no kind documents is [`Event::Unknown`] (or
    /// [`WebhookError::UnknownKind`] with [`Verifier::reject_unknown_kinds`]).
    ByNotifyType,
}

impl From<Kind> for Endpoint {
    fn from(kind: Kind) -> Endpoint {
        Endpoint::Kind(kind)
    }
}

/// Verifies messages from PayerMax and turns them into [`Delivery`]s.
///
/// In order: the body size cap; exactly one `sign` header (any case, as
/// HTTP header names are); the signature over the exact bytes received;
/// UTF-8 and a JSON object; the merchant checks (only for the identifiers
/// configured, and only where the body carries the field); the freshness
/// window (off by default); the kind; the typed body. Nothing is parsed
/// before the signature verified.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: PublicKey,
    merchant_no: Option<String>,
    app_id: Option<String>,
    merchant_id: Option<String>,
    max_body: usize,
    freshness: Option<Duration>,
    reject_unknown: bool,
}

impl Verifier {
    /// A verifier of messages signed with `payermax_public_key` (PayerMax's
    /// platform public key from the merchant dashboard, not the merchant's).
    pub fn new(payermax_public_key: PublicKey) -> Verifier {
        Verifier {
            key: payermax_public_key,
            merchant_no: None,
            app_id: None,
            merchant_id: None,
            max_body: DEFAULT_MAX_BODY_BYTES,
            freshness: None,
            reject_unknown: false,
        }
    }

    /// Rejects a body whose `merchantNo` is another merchant's
    /// ([`WebhookError::ForeignMerchant`]).
    pub fn merchant_no(mut self, merchant_no: impl Into<String>) -> Verifier {
        self.merchant_no = Some(merchant_no.into());
        self
    }

    /// Rejects a body whose `appId` (or `merchantAppId`) is another app's.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Verifier {
        self.app_id = Some(app_id.into());
        self
    }

    /// Rejects a legacy v2.1 body whose `merchantId` is another merchant's.
    pub fn legacy_merchant_id(mut self, merchant_id: impl Into<String>) -> Verifier {
        self.merchant_id = Some(merchant_id.into());
        self
    }

    /// The body size cap, checked before anything else
    /// (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: usize) -> Verifier {
        self.max_body = limit;
        self
    }

    /// Rejects a message whose `notifyTime` is further than `window` from
    /// now, either way ([`WebhookError::Stale`]). Off by default: PayerMax
    /// delivers a message again until it is acknowledged, up to 6 times
    /// over about 12 hours (0 s, 30 s, 5 min, 10 min, 1 h, 12 h), with the
    /// same `notifyTime`; a window shorter than that turns late
    /// redeliveries into errors. Kinds without `notifyTime` (the legacy
    /// refund notification, the bill payment validation) are not checked.
    pub fn freshness(mut self, window: Duration) -> Verifier {
        self.freshness = Some(window);
        self
    }

    /// With `true`, a `notifyType` no kind documents is
    /// [`WebhookError::UnknownKind`] instead of [`Event::Unknown`] (only on
    /// an [`Endpoint::ByNotifyType`]).
    pub fn reject_unknown_kinds(mut self, reject: bool) -> Verifier {
        self.reject_unknown = reject;
        self
    }

    /// PayerMax's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Verifies a request's headers and raw body, exactly as received.
    pub fn verify(
        &self,
        endpoint: impl Into<Endpoint>,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Delivery, WebhookError> {
        self.verify_at(endpoint, headers, body, Timestamp::now())
    }

    /// [`Verifier::verify`] as if the time were `now` (for the freshness window).
    pub fn verify_at(
        &self,
        endpoint: impl Into<Endpoint>,
        headers: &http::HeaderMap,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Delivery, WebhookError> {
        self.check_size(body)?;
        self.run(endpoint.into(), sign_header(headers)?, body, now)
    }

    /// Verifies a raw body with the value of its `sign` header, for servers
    /// that hand headers over one by one (`None`: no `sign` header; finding
    /// it, and refusing a repeated one, is then the caller's job).
    pub fn verify_signed(
        &self,
        endpoint: impl Into<Endpoint>,
        sign: Option<&str>,
        body: &[u8],
    ) -> Result<Delivery, WebhookError> {
        self.check_size(body)?;
        let sign = sign.ok_or(WebhookError::MissingSignature)?;
        self.run(endpoint.into(), sign, body, Timestamp::now())
    }

    fn check_size(&self, body: &[u8]) -> Result<(), WebhookError> {
        if body.len() > self.max_body {
            return Err(WebhookError::BodyTooLarge {
                limit: self.max_body,
                len: body.len(),
            });
        }
        Ok(())
    }

    fn run(
        &self,
        endpoint: Endpoint,
        sign: &str,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Delivery, WebhookError> {
        let text = verified_text(&self.key, sign, body)?;
        let object: Map<String, Value> =
            serde_json::from_str(text).map_err(|source| WebhookError::Decode {
                source,
                kind: None,
                body: excerpt(body),
            })?;
        self.check_merchant(&object)?;
        if let Some(window) = self.freshness {
            check_freshness(&object, window, now)?;
        }
        let notify_type = object
            .get("notifyType")
            .and_then(Value::as_str)
            .map(|t| t.trim().to_owned());
        let kind = match endpoint {
            Endpoint::Kind(kind) => Some(kind),
            Endpoint::ByNotifyType => self.dispatch(notify_type.as_deref())?,
        };
        let event = match kind {
            Some(kind) => Event::decode(kind, text, notify_type.as_deref()).map_err(|source| {
                WebhookError::Decode {
                    source,
                    kind: Some(kind),
                    body: excerpt(body),
                }
            })?,
            None => Event::Unknown {
                kind: None,
                notify_type: notify_type.clone(),
                body: text.to_owned(),
            },
        };
        let key = idempotency::key(kind, notify_type.as_deref(), &object, body);
        Ok(Delivery {
            kind,
            notify_type,
            event,
            body: text.to_owned(),
            idempotency_key: key,
        })
    }

    fn dispatch(&self, notify_type: Option<&str>) -> Result<Option<Kind>, WebhookError> {
        let Some(t) = notify_type else {
            return Err(WebhookError::UndeterminedKind {
                notify_type: None,
                candidates: &[],
            });
        };
        match Kind::by_notify_type(t) {
            [kind] => Ok(Some(*kind)),
            [] if self.reject_unknown => Err(WebhookError::UnknownKind {
                notify_type: t.to_owned(),
            }),
            [] => Ok(None),
            candidates => Err(WebhookError::UndeterminedKind {
                notify_type: Some(t.to_owned()),
                candidates,
            }),
        }
    }

    fn check_merchant(&self, object: &Map<String, Value>) -> Result<(), WebhookError> {
        let checks: [(&'static str, &Option<String>); 4] = [
            ("merchantNo", &self.merchant_no),
            ("appId", &self.app_id),
            ("merchantAppId", &self.app_id),
            ("merchantId", &self.merchant_id),
        ];
        for (field, expected) in checks {
            let Some(expected) = expected else { continue };
            let found = match object.get(field) {
                None | Some(Value::Null) => continue,
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            if found.trim() != expected.trim() {
                return Err(WebhookError::ForeignMerchant { field, found });
            }
        }
        Ok(())
    }
}

fn check_freshness(
    object: &Map<String, Value>,
    window: Duration,
    now: Timestamp,
) -> Result<(), WebhookError> {
    let Some(raw) = object.get("notifyTime").and_then(Value::as_str) else {
        return Ok(());
    };
    let at: Timestamp = raw
        .trim()
        .parse()
        .map_err(|_| WebhookError::InvalidNotifyTime {
            notify_time: raw.to_owned(),
        })?;
    let age_ms = now.unix_millis().saturating_sub(at.unix_millis());
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    if age_ms.unsigned_abs() > window_ms.unsigned_abs() {
        return Err(WebhookError::Stale {
            notify_time: raw.to_owned(),
            age_seconds: age_ms / 1000,
        });
    }
    Ok(())
}

/// The value of the one `sign` header (header names are case-insensitive;
/// `http::HeaderMap` already folds them): missing, repeated or non-text is
/// an error.
pub fn sign_header(headers: &http::HeaderMap) -> Result<&str, WebhookError> {
    let mut values = headers.get_all(payermax_sign::SIGN_HEADER).iter();
    let first = values.next().ok_or(WebhookError::MissingSignature)?;
    let more = values.count();
    if more > 0 {
        return Err(WebhookError::RepeatedSignature { count: more + 1 });
    }
    first
        .to_str()
        .map_err(|_| WebhookError::MalformedSignatureHeader)
}

/// Verifies `sign` over `body`, then checks UTF-8.
fn verified_text<'a>(key: &PublicKey, sign: &str, body: &'a [u8]) -> Result<&'a str, WebhookError> {
    key.verify(body, sign.trim())
        .map_err(WebhookError::InvalidSignature)?;
    std::str::from_utf8(body).map_err(|e| WebhookError::InvalidUtf8 {
        valid_up_to: e.valid_up_to(),
    })
}

/// A verified message: its kind, its typed [`Event`], the body as received
/// and the key to process it once by.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    kind: Option<Kind>,
    notify_type: Option<String>,
    event: Event,
    body: String,
    idempotency_key: String,
}

impl Delivery {
    /// The kind (the endpoint's, or the one its `notifyType` names);
    /// `None` for a kind this version does not know.
    pub fn kind(&self) -> Option<Kind> {
        self.kind
    }

    /// The body's `notifyType`, if any.
    pub fn notify_type(&self) -> Option<&str> {
        self.notify_type.as_deref()
    }

    /// The typed event.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The typed event, by value.
    pub fn into_event(self) -> Event {
        self.event
    }

    /// The verified body, exactly as received (to store or log it).
    pub fn raw_body(&self) -> &str {
        &self.body
    }

    /// A key that is the same for every delivery of the same message and
    /// differs between messages: the kind's spec id, PayerMax's identifier
    /// of what the message is about, and its status
    /// (`collect_result_notify:T2024...:SUCCESS`). PayerMax delivers a
    /// message again until it sees the acknowledgement (up to 6 times over
    /// about 12 hours), and an acknowledgement can be lost on the way back:
    /// record the key with the effect of the message, in one transaction,
    /// and skip a delivery whose key is already recorded (still answering
    /// the acknowledgement). See [`crate::idempotency`] for each kind's fields.
    pub fn idempotency_key(&self) -> &str {
        &self.idempotency_key
    }

    /// The body acknowledging this message, exactly as PayerMax documents
    /// it for its kind; `None` for a synchronous callback (answer with
    /// [`Reply::answer`](crate::Reply::answer)).
    pub fn acknowledgement(&self) -> Option<&'static str> {
        match self.kind {
            Some(kind) => kind.acknowledgement(),
            None => Some(GATEWAY_ACKNOWLEDGEMENT),
        }
    }
}

/// Verifies one notification of a known type `N` over `raw_body` (the
/// exact bytes received) and decodes it as `N::Body`; the low-level form of
/// [`Verifier::verify`], without merchant checks or dispatch.
///
/// `sign_header` is the value of the request's `sign` header (header names
/// are case-insensitive: look it up as HTTP does; [`sign_header`] does), or
/// `None` when absent. The body cap is [`DEFAULT_MAX_BODY_BYTES`].
pub fn verify_notification<N: Notification>(
    public_key: &PublicKey,
    raw_body: &[u8],
    sign_header: Option<&str>,
) -> Result<N::Body, WebhookError> {
    if raw_body.len() > DEFAULT_MAX_BODY_BYTES {
        return Err(WebhookError::BodyTooLarge {
            limit: DEFAULT_MAX_BODY_BYTES,
            len: raw_body.len(),
        });
    }
    let sign = sign_header.ok_or(WebhookError::MissingSignature)?;
    let text = verified_text(public_key, sign, raw_body)?;
    serde_json::from_str(text).map_err(|source| WebhookError::Decode {
        source,
        kind: Kind::from_spec_id(N::NAME),
        body: excerpt(raw_body),
    })
}

/// The exact body to answer a verified notification of type `N` with, with
/// `Content-Type: application/json`: its kind's
/// [`Kind::acknowledgement`] (the documented one, without the sample
/// `data` of the bill payment notification's example), else
/// `N::ACKNOWLEDGEMENT`.
pub fn acknowledgement<N: Notification>() -> &'static [u8] {
    Kind::from_spec_id(N::NAME)
        .and_then(Kind::acknowledgement)
        .unwrap_or(N::ACKNOWLEDGEMENT)
        .as_bytes()
}
