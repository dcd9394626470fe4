//! Every bad input gets a typed error, never a panic.

use std::fs;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
use payermax_sign::{Backend, KeyError, KeyFormat, KeyKind, PrivateKey, PublicKey, VerifyError};

fn fixture(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn not_rsa(algorithm: &str) -> KeyError {
    KeyError::NotRsa {
        algorithm: algorithm.into(),
    }
}

#[test]
fn small_keys_are_refused() {
    let too_small = KeyError::TooSmall {
        bits: 1024,
        min: 2048,
    };
    assert_eq!(
        PrivateKey::parse(&fixture("bad/rsa1024_pkcs8.pem")).unwrap_err(),
        too_small
    );
    assert_eq!(
        PublicKey::parse(&fixture("bad/rsa1024_spki.pem")).unwrap_err(),
        too_small
    );
}

#[test]
fn non_rsa_keys_are_refused() {
    let cases = [
        ("bad/ec_p256_pkcs8.pem", "EC"),
        ("bad/ec_p256_sec1.pem", "EC"),
        ("bad/ed25519_pkcs8.pem", "Ed25519"),
        ("bad/rsa_pss_pkcs8.pem", "RSASSA-PSS"),
    ];
    for (path, algorithm) in cases {
        let text = fixture(path);
        assert_eq!(
            PrivateKey::parse(&text).unwrap_err(),
            not_rsa(algorithm),
            "{path}"
        );
        // The same DER without PEM armour (SEC1 has no armour-free form in the wild,
        // but the DER classifier must still name it).
        let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(
            PrivateKey::parse(&b64).unwrap_err(),
            not_rsa(algorithm),
            "{path} b64"
        );
    }
    assert_eq!(
        PublicKey::parse(&fixture("bad/ec_p256_spki.pem")).unwrap_err(),
        not_rsa("EC")
    );
}

#[test]
fn encrypted_keys_and_certificates_are_refused() {
    assert_eq!(
        PrivateKey::parse(&fixture("bad/encrypted_pkcs8.pem")).unwrap_err(),
        KeyError::Encrypted
    );
    let cert = fixture("bad/certificate.pem");
    let certificate = KeyError::UnexpectedFormat {
        expected: None,
        found: KeyFormat::Certificate,
    };
    assert_eq!(PublicKey::parse(&cert).unwrap_err(), certificate);
    let cert_b64: String = cert.lines().filter(|l| !l.starts_with("-----")).collect();
    assert_eq!(PublicKey::parse(&cert_b64).unwrap_err(), certificate);
    assert!(certificate.to_string().contains("openssl x509 -pubkey"));
}

#[test]
fn wrong_key_kind_is_refused() {
    let public_given = KeyError::WrongKeyKind {
        expected: KeyKind::Private,
        found: KeyKind::Public,
    };
    let private_given = KeyError::WrongKeyKind {
        expected: KeyKind::Public,
        found: KeyKind::Private,
    };
    for path in [
        "openssl/public_spki.pem",
        "openssl/public_pkcs1.pem",
        "openssl/public_spki.b64",
        "openssl/public_pkcs1.b64",
    ] {
        assert_eq!(
            PrivateKey::parse(&fixture(path)).unwrap_err(),
            public_given,
            "{path}"
        );
    }
    assert_eq!(
        PrivateKey::from_pkcs8_base64(&fixture("openssl/public_spki.b64")).unwrap_err(),
        public_given
    );
    assert_eq!(
        PrivateKey::from_pem(&fixture("openssl/public_spki.pem")).unwrap_err(),
        public_given
    );
    for path in [
        "openssl/private_pkcs8.pem",
        "openssl/private_pkcs1.pem",
        "openssl/private_pkcs8.b64",
        "openssl/private_pkcs1.b64",
    ] {
        assert_eq!(
            PublicKey::parse(&fixture(path)).unwrap_err(),
            private_given,
            "{path}"
        );
    }
    assert_eq!(
        PublicKey::from_spki_base64(&fixture("openssl/private_pkcs8.b64")).unwrap_err(),
        private_given
    );
}

#[test]
fn strict_constructors_name_the_format_found() {
    assert_eq!(
        PrivateKey::from_pkcs8_base64(&fixture("openssl/private_pkcs1.b64")).unwrap_err(),
        KeyError::UnexpectedFormat {
            expected: Some(KeyFormat::Pkcs8),
            found: KeyFormat::Pkcs1Private,
        }
    );
    assert_eq!(
        PublicKey::from_spki_base64(&fixture("openssl/public_pkcs1.b64")).unwrap_err(),
        KeyError::UnexpectedFormat {
            expected: Some(KeyFormat::Spki),
            found: KeyFormat::Pkcs1Public,
        }
    );
    assert!(matches!(
        PrivateKey::from_pkcs8_base64(&fixture("openssl/private_pkcs8.pem")),
        Err(KeyError::Pem { .. })
    ));
    assert!(matches!(
        PrivateKey::from_pem(&fixture("openssl/private_pkcs8.b64")),
        Err(KeyError::Pem { .. })
    ));
    // A PEM label that lies about its contents.
    let lying = fixture("openssl/private_pkcs1.pem").replace("RSA PRIVATE KEY", "PRIVATE KEY");
    assert_eq!(
        PrivateKey::parse(&lying).unwrap_err(),
        KeyError::Pem {
            reason: "PEM label does not match its contents"
        }
    );
}

#[test]
fn bad_text_is_refused() {
    assert_eq!(PrivateKey::parse("").unwrap_err(), KeyError::Empty);
    assert_eq!(PublicKey::parse(" \r\n\t").unwrap_err(), KeyError::Empty);
    assert!(matches!(
        PrivateKey::parse("not a key at all!").unwrap_err(),
        KeyError::Base64 { .. }
    ));
    assert!(matches!(
        PublicKey::parse("MIIB-IjAN").unwrap_err(),
        KeyError::Base64 { .. }
    ));
    assert!(matches!(
        PrivateKey::parse(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
        )
        .unwrap_err(),
        KeyError::UnsupportedPemLabel { .. }
    ));
    assert!(matches!(
        PublicKey::parse("AAAA").unwrap_err(),
        KeyError::Der { .. }
    ));
}

/// Every prefix of the key's DER, and every single-byte corruption of the
/// public key, is an error or (for harmless corruptions) a key: never a panic.
#[test]
fn truncated_and_corrupted_der_never_panics() {
    let private_der = STANDARD
        .decode(fixture("openssl/private_pkcs8.b64"))
        .unwrap();
    let public_der = STANDARD.decode(fixture("openssl/public_spki.b64")).unwrap();
    for len in 0..private_der.len() {
        assert!(
            PrivateKey::from_der(&private_der[..len]).is_err(),
            "prefix {len}"
        );
    }
    for len in 0..public_der.len() {
        assert!(
            PublicKey::from_der(&public_der[..len]).is_err(),
            "prefix {len}"
        );
    }
    let mut trailing = public_der.clone();
    trailing.push(0);
    assert!(matches!(
        PublicKey::from_der(&trailing),
        Err(KeyError::Der { .. })
    ));
    for i in 0..public_der.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut der = public_der.clone();
            der[i] ^= flip;
            let _ = PublicKey::from_der(&der);
        }
    }
    // Corrupting the private key header and structure (not the big integers,
    // which only the backend can check, at a cost of a key validation each).
    for i in (0..40).chain((0..private_der.len()).step_by(97)) {
        let mut der = private_der.clone();
        der[i] ^= 0xff;
        let _ = PrivateKey::from_der(&der);
    }
    // Truncated base64 text.
    let text = fixture("openssl/private_pkcs8.b64");
    for len in (0..text.len()).step_by(7) {
        assert!(
            PrivateKey::parse(&text[..len]).is_err(),
            "text prefix {len}"
        );
    }
}

/// Minimal DER writer for hand-made structures.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn rsa_public_pkcs1(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let mut content = tlv(0x02, modulus);
    content.extend(tlv(0x02, exponent));
    tlv(0x30, &content)
}

#[test]
fn hand_made_structures() {
    // 8208-bit modulus: too large for both backends.
    let mut n = vec![0x00, 0x80];
    n.extend(vec![0xffu8; 1024]);
    n.push(0x01);
    assert_eq!(
        PublicKey::from_der(&rsa_public_pkcs1(&n, &[0x01, 0x00, 0x01])).unwrap_err(),
        KeyError::TooLarge {
            bits: 8208,
            max: 8192
        }
    );
    // Plausible 2048-bit shapes with bad exponents or an even modulus.
    let mut n2048 = vec![0x00];
    n2048.extend(vec![0xc5u8; 256]);
    for (e, what) in [
        (&[0x01][..], "too small"),
        (&[0x01, 0x00, 0x00][..], "even"),
        (&[0x01, 0x00, 0x00, 0x00, 0x00, 0x01][..], "too large"),
    ] {
        assert!(
            matches!(
                PublicKey::from_der(&rsa_public_pkcs1(&n2048, e)),
                Err(KeyError::Der { .. })
            ),
            "exponent {what}"
        );
    }
    let mut even = n2048.clone();
    *even.last_mut().unwrap() = 0xc4;
    assert!(matches!(
        PublicKey::from_der(&rsa_public_pkcs1(&even, &[0x01, 0x00, 0x01])),
        Err(KeyError::Der { .. })
    ));
    // Negative modulus, non-minimal integer, indefinite length.
    let mut negative = vec![0x80u8];
    negative.extend(vec![0x01u8; 255]);
    assert!(PublicKey::from_der(&rsa_public_pkcs1(&negative, &[0x03])).is_err());
    assert!(PublicKey::from_der(&rsa_public_pkcs1(&[0x00, 0x01], &[0x03])).is_err());
    assert!(PublicKey::from_der(&[0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00]).is_err());
    // Multi-prime PKCS#1 private key (version 1).
    let mut fields = tlv(0x02, &[0x01]);
    for _ in 0..8 {
        fields.extend(tlv(0x02, &n2048));
    }
    assert_eq!(
        PrivateKey::from_der(&tlv(0x30, &fields)).unwrap_err(),
        KeyError::MultiPrime
    );
    // A well-formed but fake RSA key (the backend must reject it, not panic).
    let mut fields = tlv(0x02, &[0x00]);
    fields.extend(tlv(0x02, &n2048));
    fields.extend(tlv(0x02, &[0x01, 0x00, 0x01]));
    for _ in 0..6 {
        fields.extend(tlv(0x02, &[0x00, 0xc5, 0xc5]));
    }
    assert!(matches!(
        PrivateKey::from_der(&tlv(0x30, &fields)).unwrap_err(),
        KeyError::Rejected { .. }
    ));
}

#[test]
fn malformed_signatures_are_told_apart_from_mismatches() {
    let key = PrivateKey::parse(&fixture("openssl/private_pkcs8.b64")).unwrap();
    let public = key.public_key();
    let body = b"{\"code\":\"APPLY_SUCCESS\"}";
    let good = key.sign(body).unwrap();
    let raw = STANDARD.decode(&good).unwrap();

    for &backend in Backend::ALL {
        let verify = |sig: &str| public.verify_with(backend, body, sig);
        assert_eq!(verify(&good), Ok(()));
        // Surrounding HTTP whitespace (SP, HTAB) is ignored.
        assert_eq!(verify(&format!(" \t{good} ")), Ok(()));

        let malformed = [
            String::new(),
            "   ".to_string(),
            format!("{good}\n"),
            format!("\r\n{good}"),
            format!("{} {}", &good[..100], &good[100..]),
            format!("{}\n{}", &good[..64], &good[64..]),
            STANDARD_NO_PAD.encode(&raw),
            URL_SAFE.encode(&raw).replace('=', ""),
            good[..good.len() - 4].to_string(),
            format!("{good}AAAA"),
            STANDARD.encode(&raw[..255]),
            STANDARD.encode([raw.as_slice(), &[0]].concat()),
            "!".repeat(344),
            "A".repeat(100_000),
            // Non-canonical: last character carries non-zero discarded bits.
            format!("{}B==", &good[..good.len() - 3]),
        ];
        for sig in &malformed {
            let err = verify(sig).unwrap_err();
            assert!(
                err.is_malformed(),
                "{backend}: {:?}... gave {err:?}",
                sig.get(..20)
            );
        }
        assert_eq!(verify(""), Err(VerifyError::Empty));
        assert_eq!(
            verify(&STANDARD.encode(&raw[..255])),
            Err(VerifyError::Length {
                expected: 256,
                found: 255
            })
        );

        let mut flipped = raw.clone();
        flipped[100] ^= 1;
        let mismatches = [
            STANDARD.encode(&flipped),
            STANDARD.encode([0u8; 256]),
            STANDARD.encode([0xffu8; 256]),
            key.sign(b"another body").unwrap(),
        ];
        for sig in &mismatches {
            assert_eq!(verify(sig), Err(VerifyError::Mismatch), "{backend}");
        }
        assert!(!VerifyError::Mismatch.is_malformed());
        assert_eq!(
            public.verify_with(backend, b"{\"code\":\"APPLY_SUCCESS\"} ", &good),
            Err(VerifyError::Mismatch)
        );
    }
}

/// Deterministic mutation fuzzing of every key form: random byte flips,
/// insertions, deletions and length-byte tampering. Loads may fail in any
/// typed way, or succeed for harmless mutations; nothing may panic.
#[test]
fn mutated_keys_never_panic() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let inputs = [
        STANDARD
            .decode(fixture("openssl/private_pkcs8.b64"))
            .unwrap(),
        STANDARD
            .decode(fixture("openssl/private_pkcs1.b64"))
            .unwrap(),
        STANDARD.decode(fixture("openssl/public_spki.b64")).unwrap(),
        STANDARD
            .decode(fixture("openssl/public_pkcs1.b64"))
            .unwrap(),
    ];
    let texts = [
        fixture("openssl/private_pkcs8.pem"),
        fixture("openssl/public_pkcs1.pem"),
    ];
    let mut accepted = 0usize;
    for round in 0..600 {
        let mut der = inputs[round % inputs.len()].clone();
        for _ in 0..1 + next() % 3 {
            let at = (next() as usize) % der.len().max(1);
            match next() % 4 {
                0 => der[at] ^= 1 << (next() % 8),
                1 => der.insert(at, next() as u8),
                2 => {
                    der.remove(at);
                }
                // Header bytes are lengths and tags: hit them often.
                _ => der[at % 8] = next() as u8,
            }
        }
        if let Ok(key) = PrivateKey::from_der(&der) {
            accepted += 1;
            // An accepted key works, identically, in every compiled backend.
            let sigs: Vec<_> = Backend::ALL
                .iter()
                .map(|&b| key.sign_with(b, b"x").unwrap())
                .collect();
            assert!(sigs.windows(2).all(|w| w[0] == w[1]));
            key.public_key().verify(b"x", &sigs[0]).unwrap();
        }
        accepted += usize::from(PublicKey::from_der(&der).is_ok());
        let mut text = texts[round % texts.len()].clone().into_bytes();
        let at = (next() as usize) % text.len();
        text[at] = b"-=\n\r \\A/+:"[(next() % 10) as usize];
        let text = String::from_utf8(text).unwrap();
        accepted += usize::from(PrivateKey::parse(&text).is_ok());
        accepted += usize::from(PublicKey::parse(&text).is_ok());
    }
    eprintln!("accepted {accepted} of 2400 mutated loads");
    // Most mutations are caught by the DER layer or the backend.
    assert!(accepted < 600, "accepted {accepted} mutated keys");
}
