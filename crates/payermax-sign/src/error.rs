//! Error types. None of them ever holds key bytes, base64 of key bytes or
//! signature bytes: only static reasons, sizes and algorithm names.

use std::fmt;

use crate::Backend;

/// Whether a key is the private or the public half.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// A private key (signing).
    Private,
    /// A public key (verification).
    Public,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Private => "private key",
            KeyKind::Public => "public key",
        })
    }
}

/// The encoding a key was found in.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyFormat {
    /// PKCS#8 `PrivateKeyInfo` (PEM label `PRIVATE KEY`; PayerMax's merchant private key form).
    Pkcs8,
    /// PKCS#1 `RSAPrivateKey` (PEM label `RSA PRIVATE KEY`).
    Pkcs1Private,
    /// X.509 `SubjectPublicKeyInfo` (PEM label `PUBLIC KEY`; PayerMax's public key form).
    Spki,
    /// PKCS#1 `RSAPublicKey` (PEM label `RSA PUBLIC KEY`).
    Pkcs1Public,
    /// An X.509 certificate (not a key).
    Certificate,
}

impl KeyFormat {
    /// Which half of a key pair this format holds, if it is a key at all.
    pub fn kind(self) -> Option<KeyKind> {
        match self {
            KeyFormat::Pkcs8 | KeyFormat::Pkcs1Private => Some(KeyKind::Private),
            KeyFormat::Spki | KeyFormat::Pkcs1Public => Some(KeyKind::Public),
            KeyFormat::Certificate => None,
        }
    }
}

impl fmt::Display for KeyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyFormat::Pkcs8 => "PKCS#8 PrivateKeyInfo",
            KeyFormat::Pkcs1Private => "PKCS#1 RSAPrivateKey",
            KeyFormat::Spki => "X.509 SubjectPublicKeyInfo",
            KeyFormat::Pkcs1Public => "PKCS#1 RSAPublicKey",
            KeyFormat::Certificate => "X.509 certificate",
        })
    }
}

/// A key could not be loaded or generated.
///
/// Never contains key material: only reasons, sizes and algorithm names.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The input is empty (or only whitespace).
    Empty,
    /// The key text is not valid base64 (after removing whitespace and line breaks).
    Base64 {
        /// The rule broken (e.g. "invalid character").
        reason: &'static str,
    },
    /// The PEM armour is malformed (missing END line, mismatched labels, ...).
    Pem {
        /// The rule broken.
        reason: &'static str,
    },
    /// The PEM label is not one this crate reads.
    UnsupportedPemLabel {
        /// The label between `-----BEGIN ` and `-----`, or a placeholder when it
        /// does not look like a label (so pasted key text is never echoed).
        label: String,
    },
    /// The DER structure is malformed or truncated.
    Der {
        /// The rule broken.
        reason: &'static str,
    },
    /// The key is in a valid encoding, but not the one this constructor reads.
    UnexpectedFormat {
        /// What the constructor reads (`None` when any key format would do).
        expected: Option<KeyFormat>,
        /// What the input holds.
        found: KeyFormat,
    },
    /// A public key was given where a private key is needed, or the other way round.
    WrongKeyKind {
        /// What the constructor needs.
        expected: KeyKind,
        /// What the input holds.
        found: KeyKind,
    },
    /// The private key is password-protected; decrypt it first
    /// (`openssl pkcs8 -in enc.pem -nocrypt -topk8`).
    Encrypted,
    /// The key is not an RSA key (`rsaEncryption`).
    NotRsa {
        /// The algorithm found (e.g. "EC", "Ed25519", "RSASSA-PSS" or a dotted OID).
        algorithm: String,
    },
    /// Multi-prime RSA private keys are not supported.
    MultiPrime,
    /// The modulus is shorter than PayerMax's 2048 bits.
    TooSmall {
        /// The key's modulus size in bits.
        bits: usize,
        /// The minimum accepted.
        min: usize,
    },
    /// The modulus is longer than the backends support.
    TooLarge {
        /// The key's modulus size in bits.
        bits: usize,
        /// The maximum accepted.
        max: usize,
    },
    /// The crypto backend rejected the key (e.g. its components are inconsistent).
    Rejected {
        /// The backend that rejected it.
        backend: Backend,
    },
    /// Key generation failed in the backend.
    Generation {
        /// The backend that failed.
        backend: Backend,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Empty => f.write_str("key text is empty"),
            KeyError::Base64 { reason } => write!(f, "key text is not valid base64: {reason}"),
            KeyError::Pem { reason } => write!(f, "malformed PEM key: {reason}"),
            KeyError::UnsupportedPemLabel { label } => write!(
                f,
                "unsupported PEM label {label:?}; expected PRIVATE KEY, RSA PRIVATE KEY, PUBLIC KEY or RSA PUBLIC KEY"
            ),
            KeyError::Der { reason } => write!(f, "malformed key DER: {reason}"),
            KeyError::UnexpectedFormat {
                expected: Some(expected),
                found,
            } => write!(
                f,
                "expected a {expected}, found a {found} (use `parse` to accept any supported form)"
            ),
            KeyError::UnexpectedFormat {
                expected: None,
                found: KeyFormat::Certificate,
            } => f.write_str(
                "found an X.509 certificate, not a key; extract its public key with `openssl x509 -pubkey -noout`",
            ),
            KeyError::UnexpectedFormat {
                expected: None,
                found,
            } => write!(f, "unexpected key format {found}"),
            KeyError::WrongKeyKind { expected, found } => {
                write!(f, "expected an RSA {expected}, found an RSA {found}")
            }
            KeyError::Encrypted => f.write_str(
                "the private key is encrypted; decrypt it first (openssl pkcs8 -topk8 -nocrypt)",
            ),
            KeyError::NotRsa { algorithm } => {
                write!(f, "not an RSA key (algorithm {algorithm}); PayerMax uses RSA-2048")
            }
            KeyError::MultiPrime => f.write_str("multi-prime RSA private keys are not supported"),
            KeyError::TooSmall { bits, min } => write!(
                f,
                "RSA key of {bits} bits is too small: at least {min} bits required"
            ),
            KeyError::TooLarge { bits, max } => write!(
                f,
                "RSA key of {bits} bits is too large: at most {max} bits supported"
            ),
            KeyError::Rejected { backend } => {
                write!(f, "the {backend} backend rejected the RSA key as invalid")
            }
            KeyError::Generation { backend } => {
                write!(f, "RSA key generation failed in the {backend} backend")
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// Signing failed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// The backend's signing operation failed.
    Failed {
        /// The backend that failed.
        backend: Backend,
    },
    /// The backend picked with [`PrivateKey::sign_with`](crate::PrivateKey::sign_with)
    /// could not load the key (only possible when several backends are compiled).
    Key(KeyError),
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::Failed { backend } => {
                write!(f, "RSA signing failed in the {backend} backend")
            }
            SignError::Key(e) => write!(f, "cannot sign: {e}"),
        }
    }
}

impl std::error::Error for SignError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SignError::Key(e) => Some(e),
            SignError::Failed { .. } => None,
        }
    }
}

/// A signature did not verify.
///
/// [`VerifyError::is_malformed`] separates a signature that could not even be
/// decoded (bad base64, wrong length) from a well-formed one that does not
/// match ([`VerifyError::Mismatch`]).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The signature value is empty.
    Empty,
    /// The signature is not standard padded base64 on one line.
    Base64 {
        /// The rule broken (e.g. "invalid character").
        reason: &'static str,
    },
    /// The decoded signature is not as long as the key's modulus.
    Length {
        /// The modulus length in bytes (256 for RSA-2048).
        expected: usize,
        /// The decoded length in bytes.
        found: usize,
    },
    /// The signature is well-formed but does not match the message and key.
    Mismatch,
    /// The backend picked with [`PublicKey::verify_with`](crate::PublicKey::verify_with)
    /// could not load the key (only possible when several backends are compiled).
    Key(KeyError),
}

impl VerifyError {
    /// True when the signature could not be decoded at all (empty, bad base64
    /// or wrong length), as opposed to a well-formed signature that does not match.
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            VerifyError::Empty | VerifyError::Base64 { .. } | VerifyError::Length { .. }
        )
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Empty => f.write_str("signature is empty"),
            VerifyError::Base64 { reason } => {
                write!(f, "signature is not standard padded base64: {reason}")
            }
            VerifyError::Length { expected, found } => write!(
                f,
                "signature decodes to {found} bytes; the key needs exactly {expected}"
            ),
            VerifyError::Mismatch => {
                f.write_str("signature does not match the message and public key")
            }
            VerifyError::Key(e) => write!(f, "cannot verify: {e}"),
        }
    }
}

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VerifyError::Key(e) => Some(e),
            _ => None,
        }
    }
}

pub(crate) fn base64_reason(e: base64::DecodeError) -> &'static str {
    match e {
        base64::DecodeError::InvalidByte(..) => "invalid character",
        base64::DecodeError::InvalidLength(_) => "invalid length",
        base64::DecodeError::InvalidLastSymbol(..) => "non-canonical last character",
        base64::DecodeError::InvalidPadding => "invalid padding",
    }
}
