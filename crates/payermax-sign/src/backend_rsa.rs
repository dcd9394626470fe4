//! The RustCrypto `rsa` backend (pure Rust). See the crate docs on RUSTSEC-2023-0071.

use rand_core::OsRng;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Verifier as _};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::der::{MAX_BITS, RsaPublicParts};
use crate::{Backend, KeyError, SignError, VerifyError};

/// A parsed private key. `RsaPrivateKey` zeroizes its components on drop.
pub(crate) struct Signer(SigningKey<Sha256>);

impl Signer {
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, KeyError> {
        let rejected = || KeyError::Rejected {
            backend: Backend::Rsa,
        };
        let key = RsaPrivateKey::from_pkcs8_der(pkcs8).map_err(|_| rejected())?;
        // `rsa` checks n, e, d, p and q but recomputes the CRT values (dP, dQ,
        // qInv) instead of reading them. Re-encode and compare, so a key with
        // inconsistent CRT values is refused here as AWS-LC refuses it.
        let canonical = key.to_pkcs8_der().map_err(|_| rejected())?;
        if !constant_time_eq(canonical.as_bytes(), pkcs8) {
            return Err(rejected());
        }
        Ok(Signer(SigningKey::new(key)))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256. Uses blinding (random, but the
    /// signature itself is deterministic).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let sig: Signature =
            self.0
                .try_sign_with_rng(&mut OsRng, message)
                .map_err(|_| SignError::Failed {
                    backend: Backend::Rsa,
                })?;
        Ok(sig.to_vec())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A parsed public key.
pub(crate) struct Verifier(VerifyingKey<Sha256>);

impl Verifier {
    pub(crate) fn from_parts(parts: &RsaPublicParts<'_>) -> Result<Self, KeyError> {
        let key = RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(parts.n),
            BigUint::from_bytes_be(parts.e),
            MAX_BITS,
        )
        .map_err(|_| KeyError::Rejected {
            backend: Backend::Rsa,
        })?;
        Ok(Verifier(VerifyingKey::new(key)))
    }

    /// `signature` has already been checked to be exactly modulus-length.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        let sig = Signature::try_from(signature).map_err(|_| VerifyError::Mismatch)?;
        self.0
            .verify(message, &sig)
            .map_err(|_| VerifyError::Mismatch)
    }
}

/// A new 2048-bit key as PKCS#8 DER.
pub(crate) fn generate() -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let err = || KeyError::Generation {
        backend: Backend::Rsa,
    };
    let key = RsaPrivateKey::new(&mut OsRng, 2048).map_err(|_| err())?;
    let doc = key.to_pkcs8_der().map_err(|_| err())?;
    Ok(Zeroizing::new(doc.as_bytes().to_vec()))
}
