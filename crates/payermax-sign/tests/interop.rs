//! Interop with OpenSSL-made keys and signatures, and PayerMax's sample keys.

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use payermax_sign::{Backend, PrivateKey, PublicKey, VerifyError};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(path: &str) -> String {
    fs::read_to_string(fixtures().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn private_key() -> PrivateKey {
    PrivateKey::parse(&fixture("openssl/private_pkcs8.b64")).unwrap()
}

/// (body name, body bytes, openssl signature)
fn signed_bodies() -> Vec<(String, Vec<u8>, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(fixtures().join("bodies")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let body = fs::read(&path).unwrap();
        let sig = fixture(&format!("sigs/{name}.sig"));
        out.push((name, body, sig));
    }
    out.sort();
    assert!(out.len() >= 7, "fixture bodies missing");
    out
}

#[test]
fn every_form_of_the_openssl_key_loads_to_the_same_key() {
    let canonical_private = fixture("openssl/private_pkcs8.b64");
    let canonical_public = fixture("openssl/public_spki.b64");
    let privates = [
        PrivateKey::parse(&fixture("openssl/private_pkcs8.pem")).unwrap(),
        PrivateKey::parse(&fixture("openssl/private_pkcs1.pem")).unwrap(),
        PrivateKey::parse(&fixture("openssl/private_pkcs8.b64")).unwrap(),
        PrivateKey::parse(&fixture("openssl/private_pkcs1.b64")).unwrap(),
        PrivateKey::from_pem(&fixture("openssl/private_pkcs8.pem")).unwrap(),
        PrivateKey::from_pem(&fixture("openssl/private_pkcs1.pem")).unwrap(),
        PrivateKey::from_pkcs8_base64(&fixture("openssl/private_pkcs8.b64")).unwrap(),
    ];
    for key in &privates {
        assert_eq!(key.to_pkcs8_base64().as_str(), canonical_private);
        assert_eq!(key.public_key().to_spki_base64(), canonical_public);
        assert_eq!(key.bits(), 2048);
        let der = key.to_pkcs8_der();
        assert_eq!(
            PrivateKey::from_pkcs8_der(&der)
                .unwrap()
                .to_pkcs8_base64()
                .as_str(),
            canonical_private
        );
        assert_eq!(
            PrivateKey::parse(&key.to_pkcs8_pem())
                .unwrap()
                .to_pkcs8_base64()
                .as_str(),
            canonical_private
        );
    }
    assert_eq!(
        privates[0].to_pkcs8_pem().as_str(),
        fixture("openssl/private_pkcs8.pem")
    );

    let publics = [
        PublicKey::parse(&fixture("openssl/public_spki.pem")).unwrap(),
        PublicKey::parse(&fixture("openssl/public_pkcs1.pem")).unwrap(),
        PublicKey::parse(&fixture("openssl/public_spki.b64")).unwrap(),
        PublicKey::parse(&fixture("openssl/public_pkcs1.b64")).unwrap(),
        PublicKey::from_pem(&fixture("openssl/public_spki.pem")).unwrap(),
        PublicKey::from_pem(&fixture("openssl/public_pkcs1.pem")).unwrap(),
        PublicKey::from_spki_base64(&fixture("openssl/public_spki.b64")).unwrap(),
    ];
    for key in &publics {
        assert_eq!(key.to_spki_base64(), canonical_public);
        assert_eq!(key, &privates[0].public_key());
        assert_eq!(key.bits(), 2048);
        assert_eq!(key.signature_len(), 256);
        assert_eq!(PublicKey::from_der(key.to_spki_der()).unwrap(), *key);
    }
    assert_eq!(publics[0].to_pem(), fixture("openssl/public_spki.pem"));
}

#[test]
fn whitespace_and_line_breaks_are_tolerated() {
    let pem = fixture("openssl/private_pkcs8.pem");
    let b64 = fixture("openssl/private_pkcs8.b64");
    let expected = private_key().public_key();
    let wrapped76: String = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    let variants = [
        pem.replace('\n', "\r\n"),
        format!("\n\n   {pem}\n\n"),
        format!("\u{feff}{pem}"),
        format!("Bag Attributes\n    localKeyID: 01\n{pem}trailing text\n"),
        pem.replace('\n', "\\n"),
        format!("  {b64}  \n"),
        format!("{wrapped76}\r\n"),
        b64.trim_end_matches('=').to_string(),
        pem.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
    ];
    for (i, text) in variants.iter().enumerate() {
        let key = PrivateKey::parse(text).unwrap_or_else(|e| panic!("variant {i}: {e}"));
        assert_eq!(key.public_key(), expected, "variant {i}");
    }
    let public = fixture("openssl/public_spki.pem").replace('\n', "\r\n");
    assert_eq!(PublicKey::parse(&public).unwrap(), expected);
    assert_eq!(
        PublicKey::from_spki_base64(&format!("\t{}\r\n", fixture("openssl/public_spki.b64")))
            .unwrap(),
        expected
    );
}

#[test]
fn signatures_match_openssl_byte_for_byte_on_every_backend() {
    let key = private_key();
    let public = PublicKey::parse(&fixture("openssl/public_spki.pem")).unwrap();
    for (name, body, openssl_sig) in signed_bodies() {
        assert_eq!(openssl_sig.len(), 344, "{name}");
        for &backend in Backend::ALL {
            let ours = key.sign_with(backend, &body).unwrap();
            assert_eq!(ours, openssl_sig, "{name} signed by {backend}");
            public
                .verify_with(backend, &body, &openssl_sig)
                .unwrap_or_else(|e| panic!("{name} verified by {backend}: {e}"));
            // One byte more or less in the body must not verify.
            let mut longer = body.clone();
            longer.push(b' ');
            assert_eq!(
                public.verify_with(backend, &longer, &openssl_sig),
                Err(VerifyError::Mismatch),
                "{name} + space, {backend}"
            );
        }
        assert_eq!(
            key.sign(&body).unwrap(),
            openssl_sig,
            "{name} default backend"
        );
        public.verify(&body, &openssl_sig).unwrap();
    }
}

#[test]
fn leading_zero_signature_is_kept_at_full_length() {
    let (name, body, sig) = signed_bodies()
        .into_iter()
        .find(|(name, ..)| name.starts_with("leading-zero-"))
        .expect("leading-zero fixture");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&sig)
        .unwrap();
    assert_eq!(
        (raw.len(), raw[0]),
        (256, 0),
        "{name}: must start with a zero byte"
    );
    for &backend in Backend::ALL {
        assert_eq!(private_key().sign_with(backend, &body).unwrap(), sig);
    }
}

#[test]
fn payermax_sample_key_pair_loads_in_every_form() {
    let privates = [
        PrivateKey::parse(&fixture("payermax-sample/sample_priv.pem")).unwrap(),
        PrivateKey::from_pem(&fixture("payermax-sample/sample_priv.pem")).unwrap(),
        PrivateKey::parse(&fixture("payermax-sample/sample_priv.b64")).unwrap(),
        PrivateKey::from_pkcs8_base64(&fixture("payermax-sample/sample_priv.b64")).unwrap(),
    ];
    let publics = [
        PublicKey::parse(&fixture("payermax-sample/sample_pub.pem")).unwrap(),
        PublicKey::from_pem(&fixture("payermax-sample/sample_pub.pem")).unwrap(),
        PublicKey::parse(&fixture("payermax-sample/sample_pub.b64")).unwrap(),
        PublicKey::from_spki_base64(&fixture("payermax-sample/sample_pub.b64")).unwrap(),
    ];
    for key in &privates {
        assert_eq!(
            key.to_pkcs8_base64().as_str(),
            fixture("payermax-sample/sample_priv.b64")
        );
        assert_eq!(key.public_key(), publics[0]);
    }
    for public in &publics {
        assert_eq!(
            public.to_spki_base64(),
            fixture("payermax-sample/sample_pub.b64")
        );
    }
    let body = br#"{"version":"1.5","keyVersion":"1","requestTime":"2026-11-21T10:05:12.345+00:00","appId":"x","merchantNo":"y","data":{}}"#;
    let sig = privates[0].sign(body).unwrap();
    for &backend in Backend::ALL {
        assert_eq!(privates[0].sign_with(backend, body).unwrap(), sig);
        publics[2].verify_with(backend, body, &sig).unwrap();
    }
}

/// The `sign` value shown on PayerMax's refund pages, made with the sample
/// key over a body the docs do not show: well-formed, so it must be a
/// mismatch (not a decoding error) for any other body.
#[test]
fn documented_sign_header_is_well_formed() {
    const DOC_SIGN: &str = "FPFVT3o227JrFRbqu19boZCpVVTF9KznxyRawUmxpfXilHV/0yK46haPhAjNu1hPUMy7Vw/ILXhfzffNm4Fj0apWknlTY9OJxnSoQxS9BTFtc61tn5yV1q69x/kkBl82/qwg+XTJ4fOzy7Mar3VaC1E2PlDA6RkkKBUyNE6RYgsdB+Su7an4+4HVTNAnoe74WyvBgxTLMNg28igBTdqxaO3w/UBY6ObVp7vkqkQGdL1Y+HgmMYaAVwrM3+ALWGId0sJ+YqTY4WJ+0xCRGhaSnybiIjZsQEYyID68WNUfuavDLDsEhaMm/HfQvf5p0R1Ltovp3wwJnEbQcjY458iX5A==";
    let public = PublicKey::parse(&fixture("payermax-sample/sample_pub.pem")).unwrap();
    for &backend in Backend::ALL {
        assert_eq!(
            public.verify_with(backend, b"{}", DOC_SIGN),
            Err(VerifyError::Mismatch)
        );
    }
}
