//! Typed models for the PayerMax payment gateway.
//!
//! Everything under `generated` is written by `cargo xtask codegen` from the
//! endpoint schemas in `spec/`; the hand-written modules beside it hold the
//! pieces every operation shares.
#![deny(missing_docs)]

pub mod amount;
pub mod envelope;
pub mod operation;
pub mod timestamp;
pub mod validate;

pub use amount::{Amount, AmountError};
pub use envelope::{
    GatewayReply, GatewayRequest, LegacyReply, LegacyRequest, RawGatewayReply, RawLegacyReply,
    ResultCode,
};
pub use operation::{ApiGeneration, Notification, Operation};
pub use timestamp::{Timestamp, TimestampError};
pub use validate::{Rule, Validate, ValidationErrors, Violation};
