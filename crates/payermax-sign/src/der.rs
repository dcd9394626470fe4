//! A small, defensive DER reader and writer for the handful of RSA key
//! structures merchants meet. Every read is bounds-checked; nothing here can
//! panic on any input. Errors carry static reasons only, never input bytes.

use zeroize::Zeroizing;

use crate::error::{KeyError, KeyFormat};

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;

/// DER content of OID 1.2.840.113549.1.1.1 (rsaEncryption).
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// Smallest modulus accepted, in bits.
pub(crate) const MIN_BITS: usize = 2048;
/// Largest modulus accepted, in bits (the limit both backends share).
pub(crate) const MAX_BITS: usize = 8192;

fn malformed(reason: &'static str) -> KeyError {
    KeyError::Der { reason }
}

/// One tag-length-value element.
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) value: &'a [u8],
    /// The whole element, header included.
    pub(crate) raw: &'a [u8],
}

/// Sequential reader over DER elements.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    pub(crate) fn read(&mut self) -> Result<Tlv<'a>, KeyError> {
        let data = self.data;
        let (&tag, rest) = data.split_first().ok_or(malformed("truncated DER"))?;
        if tag & 0x1f == 0x1f {
            return Err(malformed("unsupported multi-byte DER tag"));
        }
        let (&first, rest) = rest.split_first().ok_or(malformed("truncated DER"))?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else if first == 0x80 {
            return Err(malformed("indefinite length is not DER"));
        } else {
            let n = usize::from(first & 0x7f);
            if n > 4 {
                return Err(malformed("DER length too large"));
            }
            if rest.len() < n {
                return Err(malformed("truncated DER"));
            }
            let (len_bytes, rest) = rest.split_at(n);
            if len_bytes.first() == Some(&0) {
                return Err(malformed("non-minimal DER length"));
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return Err(malformed("non-minimal DER length"));
            }
            (len, rest)
        };
        if rest.len() < len {
            return Err(malformed("truncated DER"));
        }
        let (value, rest) = rest.split_at(len);
        let header_len = data.len() - rest.len() - len;
        let raw = data
            .get(..header_len + len)
            .ok_or(malformed("truncated DER"))?;
        self.data = rest;
        Ok(Tlv { tag, value, raw })
    }

    pub(crate) fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, KeyError> {
        let tlv = self.read()?;
        if tlv.tag != tag {
            return Err(malformed(what));
        }
        Ok(tlv)
    }
}

/// Reads exactly one element spanning all of `data`.
fn single<'a>(data: &'a [u8], tag: u8, what: &'static str) -> Result<Tlv<'a>, KeyError> {
    let mut r = Reader::new(data);
    let tlv = r.expect(tag, what)?;
    if !r.is_empty() {
        return Err(malformed("trailing data after DER structure"));
    }
    Ok(tlv)
}

/// Validates a DER INTEGER's content: non-empty and minimally encoded.
fn check_integer(value: &[u8]) -> Result<(), KeyError> {
    match value {
        [] => Err(malformed("empty INTEGER")),
        [0x00, next, ..] if *next < 0x80 => Err(malformed("non-minimal INTEGER")),
        [0xff, next, ..] if *next >= 0x80 => Err(malformed("non-minimal INTEGER")),
        _ => Ok(()),
    }
}

/// The magnitude of a positive INTEGER (leading zero byte removed).
fn positive<'a>(value: &'a [u8], what: &'static str) -> Result<&'a [u8], KeyError> {
    check_integer(value)?;
    if value.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(malformed(what));
    }
    let mag = match value {
        [0x00, rest @ ..] => rest,
        _ => value,
    };
    if mag.is_empty() {
        return Err(malformed(what));
    }
    Ok(mag)
}

/// The public part of an RSA key, as raw DER INTEGER elements.
#[derive(Clone, Copy)]
pub(crate) struct RsaPublicParts<'a> {
    /// The modulus INTEGER element (tag and length included).
    pub(crate) n_raw: &'a [u8],
    /// The exponent INTEGER element.
    pub(crate) e_raw: &'a [u8],
    /// Big-endian modulus magnitude, no leading zero.
    pub(crate) n: &'a [u8],
    /// Big-endian exponent magnitude, no leading zero.
    pub(crate) e: &'a [u8],
}

impl RsaPublicParts<'_> {
    /// Size of the modulus in bits.
    pub(crate) fn bits(&self) -> usize {
        match self.n.first() {
            Some(&b) => self.n.len() * 8 - b.leading_zeros() as usize,
            None => 0,
        }
    }

    fn check_size(&self) -> Result<(), KeyError> {
        let bits = self.bits();
        if bits < MIN_BITS {
            return Err(KeyError::TooSmall {
                bits,
                min: MIN_BITS,
            });
        }
        if bits > MAX_BITS {
            return Err(KeyError::TooLarge {
                bits,
                max: MAX_BITS,
            });
        }
        if self.n.last().is_some_and(|b| b & 1 == 0) {
            return Err(malformed("RSA modulus is even"));
        }
        // e must be odd, at least 3 and below 2^33 (both backends' limits).
        if self.e.len() > 5 || (self.e.len() == 5 && self.e[0] > 1) {
            return Err(malformed("RSA public exponent too large"));
        }
        if self.e.len() == 1 && self.e[0] < 3 {
            return Err(malformed("RSA public exponent too small"));
        }
        if self.e.last().is_some_and(|b| b & 1 == 0) {
            return Err(malformed("RSA public exponent is even"));
        }
        Ok(())
    }
}

fn public_parts<'a>(n: Tlv<'a>, e: Tlv<'a>) -> Result<RsaPublicParts<'a>, KeyError> {
    let parts = RsaPublicParts {
        n_raw: n.raw,
        e_raw: e.raw,
        n: positive(n.value, "RSA modulus is not a positive INTEGER")?,
        e: positive(e.value, "RSA public exponent is not a positive INTEGER")?,
    };
    parts.check_size()?;
    Ok(parts)
}

/// Parses a PKCS#1 `RSAPublicKey`.
pub(crate) fn parse_pkcs1_public(der: &[u8]) -> Result<RsaPublicParts<'_>, KeyError> {
    let seq = single(der, TAG_SEQUENCE, "RSAPublicKey is not a SEQUENCE")?;
    let mut r = Reader::new(seq.value);
    let n = r.expect(TAG_INTEGER, "RSAPublicKey modulus is not an INTEGER")?;
    let e = r.expect(TAG_INTEGER, "RSAPublicKey exponent is not an INTEGER")?;
    if !r.is_empty() {
        return Err(malformed("unexpected fields in RSAPublicKey"));
    }
    public_parts(n, e)
}

/// Parses a PKCS#1 `RSAPrivateKey` (two-prime), returning its public part.
pub(crate) fn parse_pkcs1_private(der: &[u8]) -> Result<RsaPublicParts<'_>, KeyError> {
    let seq = single(der, TAG_SEQUENCE, "RSAPrivateKey is not a SEQUENCE")?;
    let mut r = Reader::new(seq.value);
    let version = r.expect(TAG_INTEGER, "RSAPrivateKey version is not an INTEGER")?;
    match version.value {
        [0] => {}
        [1] => return Err(KeyError::MultiPrime),
        _ => return Err(malformed("unknown RSAPrivateKey version")),
    }
    let n = r.expect(TAG_INTEGER, "RSAPrivateKey field is not an INTEGER")?;
    let e = r.expect(TAG_INTEGER, "RSAPrivateKey field is not an INTEGER")?;
    let parts = public_parts(n, e)?;
    // d, p, q, dP, dQ, qInv: positive and no longer than the modulus (bounds
    // the backend's big-integer work on hostile input).
    for _ in 0..6 {
        let f = r.expect(TAG_INTEGER, "RSAPrivateKey field is not an INTEGER")?;
        let mag = positive(f.value, "RSAPrivateKey field is not a positive INTEGER")?;
        if mag.len() > parts.n.len() {
            return Err(malformed("RSAPrivateKey field longer than the modulus"));
        }
    }
    if !r.is_empty() {
        return Err(malformed("unexpected fields in RSAPrivateKey"));
    }
    Ok(parts)
}

/// What a DER blob turned out to be, with the PKCS#1 payload located.
pub(crate) enum Classified<'a> {
    /// PKCS#8 `PrivateKeyInfo` holding an RSA key; the inner PKCS#1 bytes.
    Pkcs8Private(&'a [u8]),
    /// A bare PKCS#1 `RSAPrivateKey`.
    Pkcs1Private(&'a [u8]),
    /// X.509 `SubjectPublicKeyInfo` holding an RSA key; the inner PKCS#1 bytes.
    Spki(&'a [u8]),
    /// A bare PKCS#1 `RSAPublicKey`.
    Pkcs1Public(&'a [u8]),
}

impl<'a> Classified<'a> {
    /// The PKCS#1 payload, whichever wrapper it came in.
    pub(crate) fn pkcs1(&self) -> &'a [u8] {
        match *self {
            Classified::Pkcs8Private(b)
            | Classified::Pkcs1Private(b)
            | Classified::Spki(b)
            | Classified::Pkcs1Public(b) => b,
        }
    }

    pub(crate) fn format(&self) -> KeyFormat {
        match self {
            Classified::Pkcs8Private(_) => KeyFormat::Pkcs8,
            Classified::Pkcs1Private(_) => KeyFormat::Pkcs1Private,
            Classified::Spki(_) => KeyFormat::Spki,
            Classified::Pkcs1Public(_) => KeyFormat::Pkcs1Public,
        }
    }
}

/// Checks an `AlgorithmIdentifier` names rsaEncryption (parameters NULL or absent).
fn check_rsa_algorithm(alg: Tlv<'_>) -> Result<(), KeyError> {
    let mut r = Reader::new(alg.value);
    let oid = r.expect(TAG_OID, "AlgorithmIdentifier without an OID")?;
    if oid.value != OID_RSA_ENCRYPTION {
        return Err(KeyError::NotRsa {
            algorithm: algorithm_name(oid.value),
        });
    }
    if !r.is_empty() {
        let params = r.read()?;
        if params.tag != TAG_NULL || !params.value.is_empty() || !r.is_empty() {
            return Err(malformed("rsaEncryption parameters must be NULL"));
        }
    }
    Ok(())
}

/// Recognises the key structure in `der`. Only validates the outer layer; the
/// inner PKCS#1 structure is parsed by [`parse_pkcs1_private`] / [`parse_pkcs1_public`].
pub(crate) fn classify(der: &[u8]) -> Result<Classified<'_>, KeyError> {
    if der.is_empty() {
        return Err(KeyError::Empty);
    }
    let top = single(der, TAG_SEQUENCE, "key is not a DER SEQUENCE")?;
    let mut r = Reader::new(top.value);
    let first = r.read()?;
    match first.tag {
        TAG_INTEGER => match r.peek_tag() {
            // PrivateKeyInfo / OneAsymmetricKey: version, algorithm, privateKey, ...
            Some(TAG_SEQUENCE) => {
                if !matches!(first.value, [0] | [1]) {
                    return Err(malformed("unknown PKCS#8 version"));
                }
                let alg = r.read()?;
                check_rsa_algorithm(alg)?;
                let key = r.expect(TAG_OCTET_STRING, "PKCS#8 privateKey is not an OCTET STRING")?;
                // Optional [0] attributes and [1] public key may follow.
                while !r.is_empty() {
                    let extra = r.read()?;
                    if !matches!(extra.tag, 0xa0 | 0x81 | 0xa1) {
                        return Err(malformed("unexpected field in PKCS#8 PrivateKeyInfo"));
                    }
                }
                Ok(Classified::Pkcs8Private(key.value))
            }
            // SEC1 ECPrivateKey: version 1, privateKey OCTET STRING, ...
            Some(TAG_OCTET_STRING) if first.value == [1] => Err(KeyError::NotRsa {
                algorithm: "EC".into(),
            }),
            Some(TAG_INTEGER) => {
                let mut count = 1usize;
                while !r.is_empty() {
                    r.read()?;
                    count += 1;
                }
                match count {
                    2 => Ok(Classified::Pkcs1Public(der)),
                    9.. if matches!(first.value, [0] | [1]) => Ok(Classified::Pkcs1Private(der)),
                    // OpenSSL "traditional" DSA private keys have 6 INTEGERs.
                    6 => Err(KeyError::NotRsa {
                        algorithm: "DSA".into(),
                    }),
                    _ => Err(malformed("unrecognised key structure")),
                }
            }
            _ => Err(malformed("unrecognised key structure")),
        },
        TAG_SEQUENCE => {
            let second = r.read()?;
            match second.tag {
                // SubjectPublicKeyInfo: algorithm, subjectPublicKey BIT STRING
                TAG_BIT_STRING => {
                    if !r.is_empty() {
                        return Err(malformed("unexpected field in SubjectPublicKeyInfo"));
                    }
                    check_rsa_algorithm(first)?;
                    match second.value {
                        [0, key @ ..] => Ok(Classified::Spki(key)),
                        _ => Err(malformed("SubjectPublicKeyInfo BIT STRING has unused bits")),
                    }
                }
                // EncryptedPrivateKeyInfo: encryptionAlgorithm, encryptedData
                TAG_OCTET_STRING => Err(KeyError::Encrypted),
                // Certificate: tbsCertificate, signatureAlgorithm, signature
                TAG_SEQUENCE if r.peek_tag() == Some(TAG_BIT_STRING) => {
                    Err(KeyError::UnexpectedFormat {
                        expected: None,
                        found: KeyFormat::Certificate,
                    })
                }
                _ => Err(malformed("unrecognised key structure")),
            }
        }
        _ => Err(malformed("unrecognised key structure")),
    }
}

/// A readable name for a key algorithm OID (never key material).
fn algorithm_name(oid: &[u8]) -> String {
    const KNOWN: &[(&[u8], &str)] = &[
        (
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a],
            "RSASSA-PSS",
        ),
        (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01], "EC"),
        (&[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01], "DSA"),
        (&[0x2b, 0x65, 0x6e], "X25519"),
        (&[0x2b, 0x65, 0x6f], "X448"),
        (&[0x2b, 0x65, 0x70], "Ed25519"),
        (&[0x2b, 0x65, 0x71], "Ed448"),
    ];
    if let Some((_, name)) = KNOWN.iter().find(|(o, _)| *o == oid) {
        return (*name).to_string();
    }
    dotted_oid(oid).unwrap_or_else(|| "unknown (malformed OID)".to_string())
}

fn dotted_oid(oid: &[u8]) -> Option<String> {
    if oid.len() > 64 {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    let mut in_arc = false;
    for &b in oid {
        if !in_arc && b == 0x80 {
            return None; // non-minimal arc
        }
        acc = acc.checked_mul(128)?.checked_add(u64::from(b & 0x7f))?;
        in_arc = b & 0x80 != 0;
        if !in_arc {
            arcs.push(acc);
            acc = 0;
        }
    }
    if in_arc {
        return None;
    }
    let (&first, rest) = arcs.split_first()?;
    let (a, b) = match first {
        0..=39 => (0, first),
        40..=79 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut s = format!("{a}.{b}");
    for arc in rest {
        s.push('.');
        s.push_str(&arc.to_string());
    }
    Some(s)
}

// ---------------------------------------------------------------- writing

fn header_len(len: usize) -> usize {
    match len {
        0..=0x7f => 2,
        0x80..=0xff => 3,
        0x100..=0xffff => 4,
        0x1_0000..=0xff_ffff => 5,
        _ => 6,
    }
}

/// Appends a tag and length. `out` must have capacity reserved beforehand so
/// that secret buffers are never reallocated (which would leave copies).
fn push_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    match len {
        0..=0x7f => out.push(len as u8),
        _ => {
            let bytes = (len as u64).to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (8 - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
    }
}

/// `AlgorithmIdentifier { rsaEncryption, NULL }`.
const RSA_ALG_ID: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// Wraps a PKCS#1 `RSAPrivateKey` into a canonical PKCS#8 v1 `PrivateKeyInfo`
/// (the exact layout `openssl pkcs8 -topk8 -nocrypt` writes).
pub(crate) fn pkcs8_from_pkcs1(pkcs1: &[u8]) -> Zeroizing<Vec<u8>> {
    let version: &[u8] = &[TAG_INTEGER, 0x01, 0x00];
    let content = version.len() + RSA_ALG_ID.len() + header_len(pkcs1.len()) + pkcs1.len();
    let mut out = Zeroizing::new(Vec::with_capacity(header_len(content) + content));
    push_header(&mut out, TAG_SEQUENCE, content);
    out.extend_from_slice(version);
    out.extend_from_slice(RSA_ALG_ID);
    push_header(&mut out, TAG_OCTET_STRING, pkcs1.len());
    out.extend_from_slice(pkcs1);
    out
}

/// Builds a canonical `SubjectPublicKeyInfo` for an RSA public key.
pub(crate) fn spki_from_parts(parts: &RsaPublicParts<'_>) -> Vec<u8> {
    let pkcs1_content = parts.n_raw.len() + parts.e_raw.len();
    let pkcs1_len = header_len(pkcs1_content) + pkcs1_content;
    let bit_string_content = 1 + pkcs1_len;
    let content = RSA_ALG_ID.len() + header_len(bit_string_content) + bit_string_content;
    let mut out = Vec::with_capacity(header_len(content) + content);
    push_header(&mut out, TAG_SEQUENCE, content);
    out.extend_from_slice(RSA_ALG_ID);
    push_header(&mut out, TAG_BIT_STRING, bit_string_content);
    out.push(0);
    push_header(&mut out, TAG_SEQUENCE, pkcs1_content);
    out.extend_from_slice(parts.n_raw);
    out.extend_from_slice(parts.e_raw);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip() {
        for len in [0usize, 1, 0x7f, 0x80, 0xff, 0x100, 0x1234, 0xffff, 0x1_0000] {
            let mut v = Vec::with_capacity(header_len(len) + len);
            push_header(&mut v, TAG_OCTET_STRING, len);
            assert_eq!(v.len(), header_len(len));
            v.resize(header_len(len) + len, 0xaa);
            assert_eq!(v.capacity(), v.len());
            let tlv = Reader::new(&v).read().unwrap();
            assert_eq!(tlv.value.len(), len);
            assert_eq!(tlv.raw.len(), v.len());
        }
    }

    #[test]
    fn rejects_bad_lengths() {
        for bad in [
            &[0x30][..],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x30, 0x81, 0x05],
            &[0x30, 0x81, 0x7f],
            &[0x30, 0x82, 0x00, 0x80],
            &[0x30, 0x85, 1, 0, 0, 0, 0],
            &[0x30, 0x03, 0x02, 0x01],
            &[0x1f, 0x01, 0x00],
        ] {
            assert!(Reader::new(bad).read().is_err(), "{bad:02x?}");
        }
    }

    #[test]
    fn oid_names() {
        assert_eq!(
            algorithm_name(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
            "EC"
        );
        assert_eq!(algorithm_name(&[0x2a, 0x03]), "1.2.3");
        assert_eq!(algorithm_name(&[0x88, 0x37, 0x01]), "2.999.1");
        assert_eq!(algorithm_name(&[0x2a, 0x83]), "unknown (malformed OID)");
        assert_eq!(
            algorithm_name(&[0x2a, 0x80, 0x01]),
            "unknown (malformed OID)"
        );
    }

    #[test]
    fn integers() {
        assert!(positive(&[0x00, 0x80], "x").is_ok());
        assert!(positive(&[0x00, 0x7f], "x").is_err());
        assert!(positive(&[0x80], "x").is_err());
        assert!(positive(&[], "x").is_err());
        assert_eq!(positive(&[0x01, 0x00], "x").unwrap(), &[0x01, 0x00]);
    }
}
