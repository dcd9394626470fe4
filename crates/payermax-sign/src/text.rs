//! Key text handling: PEM armour and whitespace-tolerant base64. Every buffer
//! that may hold private key material is a `Zeroizing` buffer allocated at its
//! final capacity, so no unzeroized copy is left behind by a reallocation.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use zeroize::Zeroizing;

use crate::error::{KeyError, KeyFormat, base64_reason};

/// Standard alphabet; padding optional (some tools strip it); trailing bits must be zero.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The DER bytes found in a key text, and the PEM label's format if it was PEM.
pub(crate) struct Decoded {
    pub(crate) der: Zeroizing<Vec<u8>>,
    /// `Some` when the text was PEM; the format its label announces.
    pub(crate) pem_format: Option<KeyFormat>,
}

/// Decodes base64 text, skipping ASCII whitespace (line breaks, CRLF, indentation)
/// and the two-character escapes `\n` / `\r` that keys pasted through JSON or
/// `.env` files often carry.
pub(crate) fn decode_base64_lenient(text: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let bytes = text.as_bytes();
    let mut compact = Zeroizing::new(Vec::with_capacity(bytes.len()));
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' && matches!(bytes.get(i + 1), Some(b'n' | b'r')) {
            i += 2;
            continue;
        }
        if !b.is_ascii_whitespace() {
            compact.push(b);
        }
        i += 1;
    }
    if compact.is_empty() {
        return Err(KeyError::Empty);
    }
    let mut der = Zeroizing::new(vec![0u8; compact.len().div_ceil(4) * 3]);
    let n = KEY_BASE64
        .decode_slice(compact.as_slice(), der.as_mut_slice())
        .map_err(|e| match e {
            base64::DecodeSliceError::DecodeError(e) => KeyError::Base64 {
                reason: base64_reason(e),
            },
            base64::DecodeSliceError::OutputSliceTooSmall => KeyError::Base64 {
                reason: "invalid length",
            },
        })?;
    der.truncate(n);
    Ok(der)
}

/// Finds the first PEM block in `text`, if there is any `-----BEGIN ` line.
/// Text before the BEGIN line and after the END line is ignored (RFC 7468).
pub(crate) fn decode(text: &str) -> Result<Decoded, KeyError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(KeyError::Empty);
    }
    const BEGIN: &str = "-----BEGIN ";
    let Some(start) = text.find(BEGIN) else {
        return Ok(Decoded {
            der: decode_base64_lenient(text)?,
            pem_format: None,
        });
    };
    let after_begin = &text[start + BEGIN.len()..];
    let label_end = after_begin.find("-----").ok_or(KeyError::Pem {
        reason: "BEGIN line not closed with -----",
    })?;
    let label = &after_begin[..label_end];
    let body_and_rest = &after_begin[label_end + 5..];
    if label.contains(['\n', '\r']) {
        return Err(KeyError::Pem {
            reason: "BEGIN line not closed with -----",
        });
    }
    let pem_format = match label {
        "PRIVATE KEY" => KeyFormat::Pkcs8,
        "RSA PRIVATE KEY" => KeyFormat::Pkcs1Private,
        "PUBLIC KEY" => KeyFormat::Spki,
        "RSA PUBLIC KEY" => KeyFormat::Pkcs1Public,
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
            return Err(KeyError::UnexpectedFormat {
                expected: None,
                found: KeyFormat::Certificate,
            });
        }
        "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
        "EC PRIVATE KEY" | "EC PUBLIC KEY" => {
            return Err(KeyError::NotRsa {
                algorithm: "EC".into(),
            });
        }
        "DSA PRIVATE KEY" => {
            return Err(KeyError::NotRsa {
                algorithm: "DSA".into(),
            });
        }
        "OPENSSH PRIVATE KEY" => {
            return Err(KeyError::UnsupportedPemLabel {
                label: "OPENSSH PRIVATE KEY (convert with ssh-keygen -p -m PKCS8)".into(),
            });
        }
        other => {
            return Err(KeyError::UnsupportedPemLabel {
                label: sanitise_label(other),
            });
        }
    };
    let end_marker = ["-----END ", label, "-----"].concat();
    let Some(body_end) = body_and_rest.find("-----END ") else {
        return Err(KeyError::Pem {
            reason: "missing END line",
        });
    };
    if !body_and_rest[body_end..].starts_with(&end_marker) {
        return Err(KeyError::Pem {
            reason: "END label does not match BEGIN label",
        });
    }
    let body = &body_and_rest[..body_end];
    // RFC 1421 headers (Proc-Type, DEK-Info) appear only in legacy encrypted keys.
    if body.contains(':') {
        if body.contains("ENCRYPTED") {
            return Err(KeyError::Encrypted);
        }
        return Err(KeyError::Pem {
            reason: "unexpected header lines inside the PEM block",
        });
    }
    Ok(Decoded {
        der: decode_base64_lenient(body)?,
        pem_format: Some(pem_format),
    })
}

/// Echoes a label only when it looks like one (upper-case words, at most 40
/// characters), so that pasted key text in a broken BEGIN line never ends up
/// in an error message.
fn sanitise_label(label: &str) -> String {
    let plausible = !label.is_empty()
        && label.len() <= 40
        && label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ' || b == b'#');
    if plausible {
        label.to_string()
    } else {
        "<not shown: not a PEM label>".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_base64() {
        assert_eq!(
            decode_base64_lenient(" TWF\r\nu\\nTWE=\n")
                .unwrap()
                .as_slice(),
            b"ManMa"
        );
        assert_eq!(
            decode_base64_lenient("TWFuTWE").unwrap().as_slice(),
            b"ManMa"
        );
        assert_eq!(decode_base64_lenient(" \n "), Err(KeyError::Empty));
        assert!(matches!(
            decode_base64_lenient("TW!u"),
            Err(KeyError::Base64 { .. })
        ));
        assert!(matches!(
            decode_base64_lenient("TWFuT"),
            Err(KeyError::Base64 { .. })
        ));
    }

    #[test]
    fn pem_errors() {
        let e = |t: &str| decode(t).err().unwrap();
        assert_eq!(
            e("-----BEGIN PUBLIC KEY-----\nTWFu\n"),
            KeyError::Pem {
                reason: "missing END line"
            }
        );
        assert_eq!(
            e("-----BEGIN PUBLIC KEY-----\nTWFu\n-----END PRIVATE KEY-----"),
            KeyError::Pem {
                reason: "END label does not match BEGIN label"
            }
        );
        assert_eq!(
            e(
                "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nTWFu\n-----END RSA PRIVATE KEY-----"
            ),
            KeyError::Encrypted
        );
        assert_eq!(
            e("-----BEGIN FOO\u{7}BAR-----\n-----END FOO\u{7}BAR-----"),
            KeyError::UnsupportedPemLabel {
                label: "<not shown: not a PEM label>".into()
            }
        );
        assert_eq!(
            e("-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----"),
            KeyError::UnsupportedPemLabel {
                label: "CERTIFICATE REQUEST".into()
            }
        );
        assert_eq!(
            e("-----BEGIN PUBLIC KEY\nabc"),
            KeyError::Pem {
                reason: "BEGIN line not closed with -----"
            }
        );
        assert_eq!(e("  \r\n"), KeyError::Empty);
    }

    #[test]
    fn pem_surroundings_ignored() {
        let d = decode("Bag Attributes: x\r\n-----BEGIN PUBLIC KEY-----\r\nTWFu\r\n-----END PUBLIC KEY-----\r\ntrailer").unwrap();
        assert_eq!(d.der.as_slice(), b"Man");
        assert_eq!(d.pem_format, Some(KeyFormat::Spki));
    }
}
