//! The operation descriptor: what payermax-http needs to know about an
//! operation without knowing which one it is. Generated code implements these
//! traits for every operation in `spec/`.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::validate::Validate;

/// Which PayerMax API generation an operation belongs to; it decides the
/// request envelope, the reply envelope and what counts as success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiGeneration {
    /// The current gateway: `/aggregate-pay/api/gateway/<api>`, envelope
    /// `version`/`keyVersion`/`requestTime`/`appId`/`merchantNo`/`data`,
    /// reply `code`/`msg`/`data`, success when `code` is `APPLY_SUCCESS`.
    Gateway,
    /// The legacy v2.1 API: one path, the operation chosen by `bizType`, flat
    /// body with `merchantId`/`bizType`/`version`, reply
    /// `bizCode`/`message`/`data`, success when `bizCode` is `0000`.
    LegacyV21,
}

/// Whether an operation may be sent again after a failure that leaves its
/// outcome unknown (the spec's `retry`, decided per operation from the docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// A query: repeating it changes nothing at PayerMax.
    Read,
    /// It changes something at PayerMax (an order, a refund, a token...)
    /// and PayerMax documents no idempotent replay: it is never re-sent
    /// after a failure where the request may have reached PayerMax. The
    /// default of every operation whose spec says nothing.
    Write,
}

/// The query that tells the outcome of a write whose reply was lost (the
/// spec's `settledBy`): run it with the write's own identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SettledBy {
    /// The query's spec id (its module in this crate), e.g. `refund_query`.
    pub spec: &'static str,
    /// The query's PayerMax name ([`Operation::NAME`]), e.g. `refundQuery`.
    pub operation: &'static str,
    /// The query's path ([`Operation::PATH`]).
    pub path: &'static str,
    /// Which request fields of the write fill which request fields of the query.
    pub by: &'static [SettleKey],
}

/// One identifier a settling query takes from the write's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SettleKey {
    /// The query's request field (wire name, inside `data` for the gateway).
    pub query_field: &'static str,
    /// The write's request field it is taken from (wire name, top level of
    /// the payload the caller builds).
    pub request_field: &'static str,
}

/// One identifier of the request that the reply's `data` carries back (the
/// spec's `echo`): when both hold it, they must be equal, or the reply
/// answers another request (a replayed reply, validly signed, for another
/// refund or order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Echo {
    /// The request field (wire name, top level of the payload the caller
    /// builds: inside `data` for the gateway).
    pub request_field: &'static str,
    /// Where the reply's `data` carries it: a wire name, or a dotted path
    /// through objects (`subscriptionPlan.subscriptionNo`).
    pub reply_field: &'static str,
}

/// An operation the merchant calls on PayerMax.
pub trait Operation {
    /// PayerMax's name for it: the last path segment (gateway) or the `bizType` (legacy).
    const NAME: &'static str;
    /// The API generation.
    const API: ApiGeneration;
    /// The request path, appended to the environment's base URL.
    const PATH: &'static str;
    /// The `version` the library sends unless the caller overrides it.
    const DEFAULT_VERSION: &'static str;
    /// The `keyVersion` constant (gateway only).
    const KEY_VERSION: Option<&'static str>;
    /// The `bizType` constant (legacy only).
    const BIZ_TYPE: Option<&'static str>;
    /// The gateway envelope's name for the app id: `appId`, except for the
    /// operations whose documented envelope has `merchantAppId` instead
    /// (`orderConfirm`, `addOrDelRiskNameList`).
    const APP_ID_FIELD: &'static str = "appId";
    /// Whether the operation is a read or a write (the spec's `retry`;
    /// [`RetryClass::Write`] when the spec says nothing).
    const RETRY: RetryClass = RetryClass::Write;
    /// The query that settles an ambiguous outcome of this write (the
    /// spec's `settledBy`); `None` for reads and for writes no query settles.
    const SETTLED_BY: Option<SettledBy> = None;
    /// The request identifiers the reply echoes (the spec's `echo`); empty
    /// when it echoes none.
    const ECHO: &'static [Echo] = &[];
    /// What the caller builds: the `data` object (gateway) or the flat fields
    /// other than the envelope (legacy).
    type Request: Serialize + DeserializeOwned + Validate;
    /// The reply's `data`: a generated struct, `Option` of one when the
    /// reply may come without `data` (or with `null`), `bool` for a bare
    /// boolean, a `serde_json` map for a free-form object.
    type Response: Serialize + DeserializeOwned;
}

/// A notification PayerMax POSTs to the merchant.
pub trait Notification {
    /// The spec id of the notification.
    const NAME: &'static str;
    /// PayerMax's own name of the notification: the path its OpenAPI document gives
    /// it (`collectResultNotifyUrl`), or the legacy page's (`refundNotify`).
    /// Defaults to [`NAME`](Self::NAME) for hand-written descriptors.
    const PAYERMAX_NAME: &'static str = Self::NAME;
    /// The API generation.
    const API: ApiGeneration;
    /// The notification body.
    type Body: Serialize + DeserializeOwned;
    /// The exact body the merchant answers with to acknowledge it.
    const ACKNOWLEDGEMENT: &'static str;
}

/// A synchronous callback: PayerMax POSTs a request to the merchant and
/// reads the merchant's typed answer from the HTTP reply (e.g. a bill
/// payment validation). The merchant builds the answer, so it has
/// constructors and [`Validate`].
pub trait SyncCallback {
    /// The spec id of the callback.
    const NAME: &'static str;
    /// PayerMax's own name of the callback: the path its OpenAPI document gives
    /// it (`collectResultNotifyUrl`), or the legacy page's (`refundNotify`).
    /// Defaults to [`NAME`](Self::NAME) for hand-written descriptors.
    const PAYERMAX_NAME: &'static str = Self::NAME;
    /// The API generation.
    const API: ApiGeneration;
    /// What PayerMax sends.
    type Body: Serialize + DeserializeOwned;
    /// What the merchant answers (the whole reply body).
    type Answer: Serialize + DeserializeOwned + Validate;
}

/// A browser redirect back to the merchant (a return URL): PayerMax sends
/// the payer's browser to the merchant with a `text/plain` body or query,
/// which the webhook layer parses; there is no typed body.
pub trait Redirect {
    /// The spec id of the redirect.
    const NAME: &'static str;
    /// PayerMax's own name of the redirect: the path its OpenAPI document gives
    /// it (`collectResultNotifyUrl`), or the legacy page's (`refundNotify`).
    /// Defaults to [`NAME`](Self::NAME) for hand-written descriptors.
    const PAYERMAX_NAME: &'static str = Self::NAME;
    /// The API generation.
    const API: ApiGeneration;
}

/// Links a request payload type to its operation, so a client can take just
/// the request (`client.send(request)`) and find the descriptor.
pub trait OperationRequest {
    /// The operation this payload is sent with.
    type Operation: Operation<Request = Self>;
}
