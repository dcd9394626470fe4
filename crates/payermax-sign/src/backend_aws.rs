//! The AWS-LC backend (`aws-lc-rs`): constant-time, faster, builds C code.
//!
//! Key memory lives in AWS-LC's C heap; AWS-LC cleanses allocations when it
//! frees them (`OPENSSL_free`), so dropping the `KeyPair` wipes the key.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use zeroize::Zeroizing;

use crate::{Backend, KeyError, SignError, VerifyError};

/// A parsed private key.
pub(crate) struct Signer(KeyPair);

impl Signer {
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, KeyError> {
        KeyPair::from_pkcs8(pkcs8)
            .map(Signer)
            .map_err(|_| KeyError::Rejected {
                backend: Backend::AwsLcRs,
            })
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut sig = vec![0u8; self.0.public_modulus_len()];
        self.0
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
            .map_err(|_| SignError::Failed {
                backend: Backend::AwsLcRs,
            })?;
        Ok(sig)
    }

    /// The public key as PKCS#1 `RSAPublicKey` DER.
    #[cfg(test)]
    pub(crate) fn public_pkcs1(&self) -> Vec<u8> {
        use aws_lc_rs::signature::KeyPair as _;
        self.0.public_key().as_ref().to_vec()
    }
}

/// A parsed public key.
pub(crate) struct Verifier(ParsedPublicKey);

impl Verifier {
    pub(crate) fn from_spki(spki: &[u8]) -> Result<Self, KeyError> {
        ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki)
            .map(Verifier)
            .map_err(|_| KeyError::Rejected {
                backend: Backend::AwsLcRs,
            })
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        self.0
            .verify_sig(message, signature)
            .map_err(|_| VerifyError::Mismatch)
    }
}

/// A new 2048-bit key as PKCS#8 DER.
pub(crate) fn generate() -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let err = || KeyError::Generation {
        backend: Backend::AwsLcRs,
    };
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| err())?;
    // `Pkcs8V1Der` zeroizes its own buffer on drop.
    let der = pair.as_der().map_err(|_| err())?;
    Ok(Zeroizing::new(der.as_ref().to_vec()))
}
