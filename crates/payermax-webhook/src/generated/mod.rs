//! Code written by `cargo xtask codegen` from `spec/`.

pub mod events;
