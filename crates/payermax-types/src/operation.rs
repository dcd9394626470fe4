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
    /// What the caller builds: the `data` object (gateway) or the flat fields
    /// other than the envelope (legacy).
    type Request: Serialize + Validate;
    /// The reply's `data`.
    type Response: DeserializeOwned;
}

/// A notification PayerMax POSTs to the merchant.
pub trait Notification {
    /// The spec id of the notification.
    const NAME: &'static str;
    /// The API generation.
    const API: ApiGeneration;
    /// The notification body.
    type Body: DeserializeOwned;
    /// The exact body the merchant answers with to acknowledge it.
    const ACKNOWLEDGEMENT: &'static str;
}

/// Links a request payload type to its operation, so a client can take just
/// the request (`client.send(request)`) and find the descriptor.
pub trait OperationRequest {
    /// The operation this payload is sent with.
    type Operation: Operation<Request = Self>;
}
