//! The public key types.

use std::fmt;
use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::Backend;
#[cfg(feature = "aws-lc-rs")]
use crate::backend_aws;
#[cfg(feature = "rsa")]
use crate::backend_rsa;
#[cfg(feature = "rsa")]
use crate::der::Classified;
use crate::der::{self, RsaPublicParts};
use crate::error::{KeyError, KeyFormat, KeyKind, SignError, VerifyError, base64_reason};
use crate::text;

/// Parses `der`, checking the PEM label (if any), the key kind and (if
/// `only` is set) the exact format. Returns the PKCS#1 payload.
fn classify_checked(
    der: &[u8],
    pem_format: Option<KeyFormat>,
    kind: KeyKind,
    only: Option<KeyFormat>,
) -> Result<&[u8], KeyError> {
    let classified = der::classify(der)?;
    let found = classified.format();
    if pem_format.is_some_and(|label| label != found) {
        return Err(KeyError::Pem {
            reason: "PEM label does not match its contents",
        });
    }
    let found_kind = found.kind().unwrap_or(kind);
    if found_kind != kind {
        return Err(KeyError::WrongKeyKind {
            expected: kind,
            found: found_kind,
        });
    }
    if let Some(only) = only {
        if only != found {
            return Err(KeyError::UnexpectedFormat {
                expected: Some(only),
                found,
            });
        }
    }
    Ok(classified.pkcs1())
}

/// Decodes the one-line base64 forms (`from_spki_base64`,
/// `from_pkcs8_base64`), refusing PEM.
fn decode_one_line_base64(b64: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    if b64.contains("-----BEGIN") {
        return Err(KeyError::Pem {
            reason: "PEM given where one-line base64 is expected; use from_pem or parse",
        });
    }
    text::decode_base64_lenient(b64)
}

/// Decodes the PEM forms (`from_pem`), refusing text without a `BEGIN` line.
fn decode_pem(pem: &str) -> Result<text::Decoded, KeyError> {
    let decoded = text::decode(pem)?;
    if decoded.pem_format.is_none() {
        return Err(KeyError::Pem {
            reason: "no -----BEGIN line; use parse for one-line base64",
        });
    }
    Ok(decoded)
}

/// Base64 of secret bytes, written straight into a zeroizing buffer of the
/// exact size (no intermediate chunk buffers, no reallocation).
fn encode_secret(der: &[u8]) -> Zeroizing<String> {
    let mut buf = Zeroizing::new(vec![0u8; der.len().div_ceil(3) * 4]);
    let written = STANDARD.encode_slice(der, buf.as_mut_slice()).unwrap_or(0);
    buf.truncate(written);
    // Base64 output is ASCII, so this moves the allocation without copying.
    Zeroizing::new(String::from_utf8(std::mem::take(&mut *buf)).unwrap_or_default())
}

fn pem_wrap(label: &str, der: &[u8]) -> Zeroizing<String> {
    let b64 = encode_secret(der);
    let lines = b64.len().div_ceil(64);
    let cap = 2 * (label.len() + 17) + b64.len() + lines;
    let mut out = Zeroizing::new(String::with_capacity(cap));
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    let mut rest = b64.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

// ------------------------------------------------------------------ public

struct PublicInner {
    /// Canonical `SubjectPublicKeyInfo` DER.
    spki: Vec<u8>,
    bits: usize,
    /// Modulus length in bytes: every signature is exactly this long.
    modulus_len: usize,
    #[cfg(feature = "rsa")]
    rsa: OnceLock<Result<backend_rsa::Verifier, KeyError>>,
    #[cfg(feature = "aws-lc-rs")]
    aws: OnceLock<Result<backend_aws::Verifier, KeyError>>,
}

/// An RSA public key: PayerMax's platform key (to verify replies and
/// notifications) or the public half of a merchant key.
///
/// Parsed once; cloning is cheap (reference-counted). `Send + Sync`.
#[derive(Clone)]
pub struct PublicKey(Arc<PublicInner>);

impl PublicKey {
    /// Parses a public key in any supported form, detected automatically:
    /// one-line base64 of X.509 `SubjectPublicKeyInfo` (PayerMax's form) or of
    /// PKCS#1 `RSAPublicKey`, or PEM (`PUBLIC KEY` / `RSA PUBLIC KEY`).
    ///
    /// Whitespace, line breaks (LF or CRLF), base64 wrapped at any width and
    /// literal `\n` escapes are tolerated.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let decoded = text::decode(text)?;
        Self::load(&decoded.der, decoded.pem_format, None)
    }

    /// Parses one-line base64 of X.509 `SubjectPublicKeyInfo` DER, the form of
    /// PayerMax's platform public key (whitespace and line breaks tolerated).
    pub fn from_spki_base64(b64: &str) -> Result<Self, KeyError> {
        let der = decode_one_line_base64(b64)?;
        Self::load(&der, None, Some(KeyFormat::Spki))
    }

    /// Parses a PEM public key: `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let decoded = decode_pem(pem)?;
        Self::load(&decoded.der, decoded.pem_format, None)
    }

    /// Parses DER: X.509 `SubjectPublicKeyInfo` or PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::load(der, None, None)
    }

    fn load(der: &[u8], pem: Option<KeyFormat>, only: Option<KeyFormat>) -> Result<Self, KeyError> {
        let pkcs1 = classify_checked(der, pem, KeyKind::Public, only)?;
        Self::from_parts(&der::parse_pkcs1_public(pkcs1)?)
    }

    fn from_parts(parts: &RsaPublicParts<'_>) -> Result<Self, KeyError> {
        let key = PublicKey(Arc::new(PublicInner {
            spki: der::spki_from_parts(parts),
            bits: parts.bits(),
            modulus_len: parts.n.len(),
            #[cfg(feature = "rsa")]
            rsa: OnceLock::new(),
            #[cfg(feature = "aws-lc-rs")]
            aws: OnceLock::new(),
        }));
        // Parse eagerly for the backend in use, so errors surface at load time.
        match Backend::DEFAULT {
            #[cfg(feature = "rsa")]
            Backend::Rsa => key.rsa_verifier().map(|_| ())?,
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLcRs => key.aws_verifier().map(|_| ())?,
        }
        Ok(key)
    }

    #[cfg(feature = "rsa")]
    fn rsa_verifier(&self) -> Result<&backend_rsa::Verifier, KeyError> {
        self.0
            .rsa
            .get_or_init(|| {
                let parts = match der::classify(&self.0.spki)? {
                    Classified::Spki(pkcs1) => der::parse_pkcs1_public(pkcs1)?,
                    _ => {
                        return Err(KeyError::Der {
                            reason: "internal: canonical SPKI expected",
                        });
                    }
                };
                backend_rsa::Verifier::from_parts(&parts)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    #[cfg(feature = "aws-lc-rs")]
    fn aws_verifier(&self) -> Result<&backend_aws::Verifier, KeyError> {
        self.0
            .aws
            .get_or_init(|| backend_aws::Verifier::from_spki(&self.0.spki))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The canonical X.509 `SubjectPublicKeyInfo` DER.
    pub fn to_spki_der(&self) -> &[u8] {
        &self.0.spki
    }

    /// One-line base64 of the `SubjectPublicKeyInfo` DER: the form PayerMax's
    /// dashboard takes for the merchant public key.
    pub fn to_spki_base64(&self) -> String {
        STANDARD.encode(&self.0.spki)
    }

    /// PEM (`-----BEGIN PUBLIC KEY-----`, 64-character lines).
    pub fn to_pem(&self) -> String {
        pem_wrap("PUBLIC KEY", &self.0.spki).to_string()
    }

    /// The modulus size in bits (2048 for PayerMax keys).
    pub fn bits(&self) -> usize {
        self.0.bits
    }

    /// The length in bytes of every signature under this key (256 for RSA-2048).
    pub fn signature_len(&self) -> usize {
        self.0.modulus_len
    }

    /// Verifies a SHA256WithRSA (RSASSA-PKCS1-v1_5, SHA-256) signature over the
    /// exact `message` bytes, e.g. the raw body of a PayerMax reply or
    /// notification and the value of its `sign` header.
    ///
    /// `signature_b64` must be standard base64 with `=` padding on one line.
    /// Surrounding spaces and tabs (HTTP optional whitespace) are ignored;
    /// anything else is strict: no inner whitespace or line breaks, no missing
    /// padding, no URL-safe alphabet, exactly [`signature_len`](Self::signature_len)
    /// bytes once decoded.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> Result<(), VerifyError> {
        self.verify_with(Backend::DEFAULT, message, signature_b64)
    }

    /// [`verify`](Self::verify) with an explicitly chosen backend (for
    /// cross-checking backends; normal code uses `verify`).
    pub fn verify_with(
        &self,
        backend: Backend,
        message: &[u8],
        signature_b64: &str,
    ) -> Result<(), VerifyError> {
        let signature = self.decode_signature(signature_b64)?;
        match backend {
            #[cfg(feature = "rsa")]
            Backend::Rsa => self
                .rsa_verifier()
                .map_err(VerifyError::Key)?
                .verify(message, &signature),
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLcRs => self
                .aws_verifier()
                .map_err(VerifyError::Key)?
                .verify(message, &signature),
        }
    }

    fn decode_signature(&self, signature_b64: &str) -> Result<Vec<u8>, VerifyError> {
        let s = signature_b64.trim_matches([' ', '\t']);
        if s.is_empty() {
            return Err(VerifyError::Empty);
        }
        let expected = self.0.modulus_len;
        // Refuse to decode text far longer than any signature could be.
        if s.len() > 4 * expected.div_ceil(3) * 4 {
            return Err(VerifyError::Length {
                expected,
                found: s.len() / 4 * 3,
            });
        }
        let bytes = STANDARD.decode(s).map_err(|e| VerifyError::Base64 {
            reason: base64_reason(e),
        })?;
        if bytes.len() != expected {
            return Err(VerifyError::Length {
                expected,
                found: bytes.len(),
            });
        }
        Ok(bytes)
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.spki == other.0.spki
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &"RSA")
            .field("bits", &self.0.bits)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RSA-{} public key", self.0.bits)
    }
}

// ----------------------------------------------------------------- private

struct PrivateInner {
    /// Canonical PKCS#8 v1 DER (zeroized on drop).
    pkcs8: Zeroizing<Vec<u8>>,
    public: PublicKey,
    #[cfg(feature = "rsa")]
    rsa: OnceLock<Result<backend_rsa::Signer, KeyError>>,
    #[cfg(feature = "aws-lc-rs")]
    aws: OnceLock<Result<backend_aws::Signer, KeyError>>,
}

/// An RSA private key: the merchant key that signs requests.
///
/// Parsed once; cloning is cheap (reference-counted) and shares the key.
/// `Send + Sync`. The key material is zeroized when the last clone drops:
/// this crate's DER copy is a `Zeroizing` buffer, the `rsa` backend's
/// `RsaPrivateKey` zeroizes itself and AWS-LC cleanses memory it frees.
/// `Debug` and `Display` show only the key size.
#[derive(Clone)]
pub struct PrivateKey(Arc<PrivateInner>);

impl PrivateKey {
    /// Parses a private key in any supported form, detected automatically:
    /// one-line base64 of PKCS#8 DER (PayerMax's dashboard form) or of PKCS#1
    /// `RSAPrivateKey`, or PEM (`PRIVATE KEY` / `RSA PRIVATE KEY`).
    ///
    /// Whitespace, line breaks (LF or CRLF), base64 wrapped at any width and
    /// literal `\n` escapes are tolerated.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let decoded = text::decode(text)?;
        Self::load(&decoded.der, decoded.pem_format, None)
    }

    /// Parses one-line base64 of PKCS#8 DER: the merchant private key as
    /// PayerMax's docs and dashboard show it (whitespace and line breaks tolerated).
    pub fn from_pkcs8_base64(b64: &str) -> Result<Self, KeyError> {
        let der = decode_one_line_base64(b64)?;
        Self::load(&der, None, Some(KeyFormat::Pkcs8))
    }

    /// Parses a PEM private key: `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let decoded = decode_pem(pem)?;
        Self::load(&decoded.der, decoded.pem_format, None)
    }

    /// Parses PKCS#8 `PrivateKeyInfo` DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::load(der, None, Some(KeyFormat::Pkcs8))
    }

    /// Parses DER: PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::load(der, None, None)
    }

    /// Generates a new RSA-2048 key pair with the backend in use.
    ///
    /// Slow in unoptimised builds with the `rsa` backend (seconds); fine in release.
    pub fn generate() -> Result<Self, KeyError> {
        Self::generate_with(Backend::DEFAULT)
    }

    /// [`generate`](Self::generate) with an explicitly chosen backend.
    pub fn generate_with(backend: Backend) -> Result<Self, KeyError> {
        let pkcs8 = match backend {
            #[cfg(feature = "rsa")]
            Backend::Rsa => backend_rsa::generate()?,
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLcRs => backend_aws::generate()?,
        };
        Self::from_pkcs8_der(&pkcs8)
    }

    fn load(der: &[u8], pem: Option<KeyFormat>, only: Option<KeyFormat>) -> Result<Self, KeyError> {
        let pkcs1 = classify_checked(der, pem, KeyKind::Private, only)?;
        let parts = der::parse_pkcs1_private(pkcs1)?;
        let public = PublicKey::from_parts(&parts)?;
        let key = PrivateKey(Arc::new(PrivateInner {
            pkcs8: der::pkcs8_from_pkcs1(pkcs1),
            public,
            #[cfg(feature = "rsa")]
            rsa: OnceLock::new(),
            #[cfg(feature = "aws-lc-rs")]
            aws: OnceLock::new(),
        }));
        match Backend::DEFAULT {
            #[cfg(feature = "rsa")]
            Backend::Rsa => key.rsa_signer().map(|_| ())?,
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLcRs => key.aws_signer().map(|_| ())?,
        }
        Ok(key)
    }

    #[cfg(feature = "rsa")]
    fn rsa_signer(&self) -> Result<&backend_rsa::Signer, KeyError> {
        self.0
            .rsa
            .get_or_init(|| backend_rsa::Signer::from_pkcs8(&self.0.pkcs8))
            .as_ref()
            .map_err(Clone::clone)
    }

    #[cfg(feature = "aws-lc-rs")]
    fn aws_signer(&self) -> Result<&backend_aws::Signer, KeyError> {
        self.0
            .aws
            .get_or_init(|| backend_aws::Signer::from_pkcs8(&self.0.pkcs8))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The matching public key (upload its [`PublicKey::to_spki_base64`] to PayerMax).
    pub fn public_key(&self) -> PublicKey {
        self.0.public.clone()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.0.public.bits()
    }

    /// One-line base64 of the canonical PKCS#8 DER (the form PayerMax's docs use
    /// for the merchant private key; keep it secret, never upload it).
    pub fn to_pkcs8_base64(&self) -> Zeroizing<String> {
        encode_secret(&self.0.pkcs8)
    }

    /// The canonical PKCS#8 DER.
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.pkcs8.to_vec())
    }

    /// PEM (`-----BEGIN PRIVATE KEY-----`, 64-character lines).
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        pem_wrap("PRIVATE KEY", &self.0.pkcs8)
    }

    /// Signs the exact `message` bytes (the HTTP body you are about to send)
    /// with SHA256WithRSA (RSASSA-PKCS1-v1_5, SHA-256). Returns standard
    /// base64 with padding on one line: 344 characters for RSA-2048, ready
    /// for the `sign` header.
    pub fn sign(&self, message: &[u8]) -> Result<String, SignError> {
        self.sign_with(Backend::DEFAULT, message)
    }

    /// [`sign`](Self::sign) with an explicitly chosen backend (for
    /// cross-checking backends; normal code uses `sign`).
    pub fn sign_with(&self, backend: Backend, message: &[u8]) -> Result<String, SignError> {
        let raw = match backend {
            #[cfg(feature = "rsa")]
            Backend::Rsa => self.rsa_signer().map_err(SignError::Key)?.sign(message)?,
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLcRs => self.aws_signer().map_err(SignError::Key)?.sign(message)?,
        };
        if raw.len() != self.0.public.signature_len() {
            return Err(SignError::Failed { backend });
        }
        Ok(STANDARD.encode(raw))
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &"RSA")
            .field("bits", &self.bits())
            .field("material", &"<redacted>")
            .finish()
    }
}

impl fmt::Display for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RSA-{} private key (redacted)", self.bits())
    }
}

#[cfg(all(test, feature = "aws-lc-rs"))]
mod tests {
    use super::*;

    #[test]
    fn spki_matches_aws_lc() {
        // Generated: the fixtures under tests/ hold private keys and do not ship.
        let key = PrivateKey::generate_with(Backend::AwsLcRs).unwrap();
        let aws_pkcs1 = key.aws_signer().unwrap().public_pkcs1();
        let public = PublicKey::from_der(&aws_pkcs1).unwrap();
        assert_eq!(public, key.public_key());
    }
}
