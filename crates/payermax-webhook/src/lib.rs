#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

#[cfg(feature = "payments")]
pub mod bill_payment;
mod error;
#[rustfmt::skip]
mod generated;
pub mod idempotency;
pub mod page_return;
mod reply;
mod service;
mod verify;

pub use error::{BODY_EXCERPT_LIMIT, WebhookError};
pub use generated::events::{Event, Kind};
pub use page_return::PageReturn;
pub use reply::{AnswerError, Reply};
pub use service::{ResponseFuture, WebhookService};
pub use verify::{
    DEFAULT_MAX_BODY_BYTES, Delivery, Endpoint, GATEWAY_ACKNOWLEDGEMENT, LEGACY_ACKNOWLEDGEMENT,
    Verifier, acknowledgement, sign_header, verify_notification,
};

pub use payermax_sign::{PrivateKey, PublicKey, VerifyError};
pub use payermax_types;
