//! Private key material never shows up in Debug, Display or any error.

use std::fs;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use payermax_sign::{Backend, PrivateKey, PublicKey, SignError, VerifyError};

fn fixture(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}

#[test]
fn key_types_are_send_sync_clone() {
    assert_send_sync_clone::<PrivateKey>();
    assert_send_sync_clone::<PublicKey>();
    assert_send_sync_clone::<Backend>();
    fn error<E: std::error::Error + Send + Sync + 'static>() {}
    error::<payermax_sign::KeyError>();
    error::<SignError>();
    error::<VerifyError>();
}

/// Fails if `output` contains any 12-character window of a secret text, or
/// any 6-byte window of the secret DER in hex.
fn assert_no_fragment(output: &str, secrets: &[String], der: &[Vec<u8>]) {
    for secret in secrets {
        let bytes = secret.as_bytes();
        for window in bytes.windows(12) {
            let fragment = std::str::from_utf8(window).unwrap();
            assert!(
                !output.contains(fragment),
                "key fragment {fragment:?} leaked into {output:?}"
            );
        }
    }
    let lower = output.to_ascii_lowercase();
    for bytes in der {
        for window in bytes.windows(6) {
            let hex: String = window.iter().map(|b| format!("{b:02x}")).collect();
            assert!(
                !lower.contains(&hex),
                "key bytes leaked as hex into {output:?}"
            );
            let debug = format!("{window:?}");
            assert!(
                !output.contains(&debug[1..debug.len() - 1]),
                "key bytes leaked as a list"
            );
        }
    }
}

#[test]
fn nothing_formats_key_material() {
    let pkcs8 = fixture("openssl/private_pkcs8.b64");
    let pkcs1 = fixture("openssl/private_pkcs1.b64");
    let pem = fixture("openssl/private_pkcs8.pem");
    let secrets = vec![pkcs8.clone(), pkcs1.clone()];
    let der = vec![
        STANDARD.decode(&pkcs8).unwrap(),
        STANDARD.decode(&pkcs1).unwrap(),
    ];
    // The secret DER minus the public modulus and exponent (which are public)
    // must not show up even in the public key's formatting.
    let key = PrivateKey::parse(&pkcs8).unwrap();

    let mut outputs = vec![
        format!("{key:?}"),
        format!("{key:#?}"),
        format!("{key}"),
        format!("{:?}", key.public_key()),
        format!("{}", key.public_key()),
        format!("{:?}", Backend::ALL),
    ];
    assert!(outputs[0].contains("redacted"), "{}", outputs[0]);
    assert!(outputs[2].contains("2048"), "{}", outputs[2]);

    // Errors provoked by damaged versions of the secret key text.
    let mut errors: Vec<Box<dyn std::error::Error>> = Vec::new();
    let damaged = [
        pkcs8[..pkcs8.len() / 2].to_string(),
        pkcs8[..pkcs8.len() - 8].to_string(),
        format!("{}!{}", &pkcs8[..500], &pkcs8[500..]),
        pkcs8.replacen('A', "-", 3),
        pem.replace("PRIVATE KEY-----\n", "PRIVATE KEY-----\nProc-Type: x\n"),
        pem.replace("-----END PRIVATE KEY-----", "-----END PUBLIC KEY-----"),
        pem.replace("-----END PRIVATE KEY-----", ""),
        pem.replace("PRIVATE KEY", "RSA PRIVATE KEY"),
        pem.replace("PRIVATE KEY", &pkcs8[..60]),
        format!("{}x", &pkcs8[..pkcs8.len() - 2]),
    ];
    for text in &damaged {
        match PrivateKey::parse(text) {
            Ok(_) => panic!("damaged key accepted"),
            Err(e) => errors.push(Box::new(e)),
        }
        if let Err(e) = PublicKey::parse(text) {
            errors.push(Box::new(e));
        }
    }
    for text in [&pkcs8, &pkcs1, &pem] {
        errors.push(Box::new(PublicKey::parse(text).unwrap_err()));
    }
    errors.push(Box::new(PrivateKey::from_pkcs8_base64(&pkcs1).unwrap_err()));
    errors.push(Box::new(PrivateKey::from_pem(&pkcs8).unwrap_err()));
    errors.push(Box::new(PublicKey::from_spki_base64(&pem).unwrap_err()));
    errors.push(Box::new(SignError::Key(
        PrivateKey::parse(&damaged[0]).unwrap_err(),
    )));
    errors.push(Box::new(
        key.public_key().verify(b"x", &pkcs8[..344]).unwrap_err(),
    ));
    errors.push(Box::new(key.public_key().verify(b"x", &pkcs8).unwrap_err()));
    assert!(errors.len() > 20);
    for e in &errors {
        outputs.push(format!("{e}"));
        outputs.push(format!("{e:?}"));
        outputs.push(format!("{e:#?}"));
    }
    for output in &outputs {
        assert_no_fragment(output, &secrets, &der);
    }
}

#[test]
fn generated_keys_round_trip() {
    // One key generation per test binary: slow in debug with the rsa backend.
    let key = PrivateKey::generate().unwrap();
    assert_eq!(key.bits(), 2048);
    let b64 = key.to_pkcs8_base64();
    assert!(!b64.contains(['\n', '\r', ' ']));
    let again = PrivateKey::from_pkcs8_base64(&b64).unwrap();
    let public = PublicKey::from_spki_base64(&key.public_key().to_spki_base64()).unwrap();
    assert_eq!(again.public_key(), public);
    let body = br#"{"code":"SUCCESS","msg":"Success"}"#;
    for &backend in Backend::ALL {
        let sig = again.sign_with(backend, body).unwrap();
        assert_eq!(sig.len(), 344);
        assert_eq!(sig, key.sign(body).unwrap());
        public.verify_with(backend, body, &sig).unwrap();
    }
    assert_no_fragment(
        &format!("{key:?} {key} {again:?}"),
        &[b64.to_string()],
        &[key.to_pkcs8_der().to_vec()],
    );
}
