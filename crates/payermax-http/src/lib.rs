//! The PayerMax client: composes `payermax-types` and `payermax-sign` behind a tower-style transport seam.
#![deny(missing_docs)]
