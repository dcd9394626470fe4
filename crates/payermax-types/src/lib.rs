//! Typed models for the PayerMax payment gateway.
//!
//! Everything under `generated` is written by `cargo xtask codegen` from the
//! endpoint schemas in `spec/`; the hand-written modules beside it hold the
//! pieces every operation shares.
#![deny(missing_docs)]
