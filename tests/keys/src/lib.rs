//! Two fixed RSA-2048 key pairs for this workspace's tests, benches and fuzz
//! targets: the merchant's and "PayerMax's". They are public (in this
//! repository): never use them for anything but tests.
//!
//! This crate is `publish = false` and only ever a path dev-dependency, so
//! the keys stay out of every published crate (`cargo package --list` of
//! each; CI runs `.ci/no-keys-in-packages.py`). Published doc examples
//! generate their keys (`PrivateKey::generate`) instead.
#![deny(missing_docs)]

use std::sync::OnceLock;

use payermax_sign::{PrivateKey, PublicKey};

/// The merchant's private key, PEM PKCS#8: signs requests.
pub const MERCHANT_PRIVATE_PEM: &str = include_str!("pem/merchant_private.pem");
/// The merchant's public key, PEM SPKI: verifies requests.
pub const MERCHANT_PUBLIC_PEM: &str = include_str!("pem/merchant_public.pem");
/// "PayerMax's" private key, PEM PKCS#8: signs replies and notifications.
pub const PAYERMAX_PRIVATE_PEM: &str = include_str!("pem/payermax_private.pem");
/// "PayerMax's" public key, PEM SPKI: verifies replies and notifications.
pub const PAYERMAX_PUBLIC_PEM: &str = include_str!("pem/payermax_public.pem");

/// Two fixed key pairs for tests: the merchant's and "PayerMax's".
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TestKeys {
    /// Signs requests (give it to `ClientBuilder::private_key`).
    pub merchant_private: PrivateKey,
    /// Verifies requests (what a fake PayerMax server checks with).
    pub merchant_public: PublicKey,
    /// Signs replies and notifications (give it to `ReplayingTransport::signed_with`).
    pub payermax_private: PrivateKey,
    /// Verifies replies (give it to `ClientBuilder::payermax_public_key`).
    pub payermax_public: PublicKey,
}

/// The fixed test key pairs, parsed once per process.
pub fn test_keys() -> &'static TestKeys {
    static KEYS: OnceLock<TestKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let private = |pem: &str| PrivateKey::from_pem(pem).expect("fixture private key parses");
        let public = |pem: &str| PublicKey::from_pem(pem).expect("fixture public key parses");
        TestKeys {
            merchant_private: private(MERCHANT_PRIVATE_PEM),
            merchant_public: public(MERCHANT_PUBLIC_PEM),
            payermax_private: private(PAYERMAX_PRIVATE_PEM),
            payermax_public: public(PAYERMAX_PUBLIC_PEM),
        }
    })
}

/// The text lines of both private keys (without the PEM armour): what a
/// test searches output for to prove no key material leaked.
pub fn private_key_lines() -> impl Iterator<Item = &'static str> {
    [MERCHANT_PRIVATE_PEM, PAYERMAX_PRIVATE_PEM]
        .into_iter()
        .flat_map(str::lines)
        .filter(|l| !l.starts_with("-----") && !l.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_match() {
        let k = test_keys();
        assert_eq!(k.merchant_private.public_key(), k.merchant_public);
        assert_eq!(k.payermax_private.public_key(), k.payermax_public);
        assert_ne!(k.merchant_public, k.payermax_public);
        assert!(private_key_lines().count() > 20);
    }
}
