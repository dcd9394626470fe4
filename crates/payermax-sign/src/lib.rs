//! Keys, signing and verification for PayerMax (SHA256WithRSA over the exact body bytes).
#![deny(missing_docs)]
