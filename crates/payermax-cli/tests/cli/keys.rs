//! `keygen`, `sign` and `verify`, checked against OpenSSL.

use super::common::{
    OpensslKeys, base64_one_line, openssl, payermax, payermax_env, temp_dir, write,
};

/// A body with a trailing newline, non-ASCII text and escapes: signed as is.
const BODY: &[u8] =
    "{\"version\":\"1.4\",\"data\":{\"subject\":\"caf\u{e9} \u{1f42d}\",\"amount\":1000.00}}\n"
        .as_bytes();

#[test]
fn keygen_prints_both_halves_and_openssl_agrees() {
    let dir = temp_dir("keygen");
    let run = payermax(&["keygen"]);
    run.expect(0);
    let pair = run.json();
    assert_eq!(pair["bits"], 2048);
    assert!(
        pair["publicKey"]["role"]
            .as_str()
            .unwrap()
            .contains("upload")
    );
    assert!(
        pair["privateKey"]["role"]
            .as_str()
            .unwrap()
            .contains("never upload")
    );
    assert!(
        run.stderr.contains("UPLOAD the public key") && run.stderr.contains("KEEP the private key")
    );
    // OpenSSL reads the private PEM and derives the same public key.
    let private = write(&dir, "k.pem", pair["privateKey"]["pem"].as_str().unwrap());
    let der = openssl(
        &["pkey", "-in", &private, "-pubout", "-outform", "DER"],
        b"",
    );
    assert_eq!(
        base64_one_line(&der),
        pair["publicKey"]["base64"].as_str().unwrap()
    );
    // The one-line private form is OpenSSL's PKCS#8 DER.
    let pkcs8 = openssl(
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", &private, "-outform", "DER",
        ],
        b"",
    );
    assert_eq!(
        base64_one_line(&pkcs8),
        pair["privateKey"]["base64"].as_str().unwrap()
    );
    assert!(
        pair["publicKey"]["pem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----\n")
    );
}

#[test]
fn keygen_out_writes_files_never_prints_the_private_key_and_never_overwrites() {
    let dir = temp_dir("keygen-out").join("keys");
    let out = dir.display().to_string();
    let run = payermax(&["keygen", "--out", &out]);
    run.expect(0);
    let private = std::fs::read_to_string(dir.join("merchant_private_key.txt")).unwrap();
    let private_b64 = private.trim();
    assert!(private_b64.len() > 1000);
    assert!(!run.stdout().contains(private_b64) && !run.stderr.contains(private_b64));
    assert!(run.json()["privateKey"]["pem"].is_null());
    let public = std::fs::read_to_string(dir.join("merchant_public_key.txt")).unwrap();
    assert_eq!(
        public.trim(),
        run.json()["publicKey"]["base64"].as_str().unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for name in ["merchant_private_key.txt", "merchant_private_key.pem"] {
            let mode = std::fs::metadata(dir.join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{name} is readable by others: {mode:o}");
        }
    }
    // The files are keys the tool reads back.
    let pem = dir.join("merchant_private_key.pem").display().to_string();
    payermax_env(&["sign", "--key", &pem, "-"], b"{}", &[]).expect(0);
    // A second run refuses to overwrite them.
    payermax(&["keygen", "--out", &out]).fails(2, "never overwritten");
    assert_eq!(
        std::fs::read_to_string(dir.join("merchant_private_key.txt")).unwrap(),
        private
    );
}

#[test]
fn sign_gives_openssls_bytes_in_every_key_form() {
    let dir = temp_dir("sign");
    let keys = OpensslKeys::new(&dir);
    let expected = keys.sign(&dir, BODY);
    let body = write(&dir, "body.json", BODY);
    // PKCS#8 PEM, PKCS#1 PEM, one-line base64 PKCS#8 (PayerMax's form).
    let pkcs1 = openssl(&["rsa", "-in", &keys.private_pem, "-traditional"], b"");
    let pkcs1 = write(&dir, "pkcs1.pem", pkcs1);
    let der = openssl(
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            &keys.private_pem,
            "-outform",
            "DER",
        ],
        b"",
    );
    let one_line = write(&dir, "key.txt", base64_one_line(&der));
    for key in [&keys.private_pem, &pkcs1, &one_line] {
        let run = payermax(&["sign", "--key", key, &body]);
        run.expect(0);
        assert_eq!(run.stdout(), format!("{expected}\n"), "{key}");
    }
    // stdin, and the key from the environment (text, then a path).
    let stdin = payermax_env(
        &["sign", "-"],
        BODY,
        &[("PAYERMAX_MERCHANT_KEY", &base64_one_line(&der))],
    );
    assert_eq!(stdin.expect(0).stdout(), format!("{expected}\n"));
    let by_path = payermax_env(
        &["sign"],
        BODY,
        &[("PAYERMAX_MERCHANT_KEY", &keys.private_pem)],
    );
    assert_eq!(by_path.expect(0).stdout(), format!("{expected}\n"));
    // Without the trailing newline the signature differs: nothing is added or removed.
    let trimmed = payermax_env(
        &["sign", "--key", &keys.private_pem, "-"],
        &BODY[..BODY.len() - 1],
        &[],
    );
    assert_ne!(trimmed.expect(0).stdout(), format!("{expected}\n"));
    assert_eq!(
        trimmed.stdout().trim(),
        keys.sign(&dir, &BODY[..BODY.len() - 1])
    );
}

#[test]
fn verify_accepts_openssls_signatures_and_rejects_a_changed_byte() {
    let dir = temp_dir("verify");
    let keys = OpensslKeys::new(&dir);
    let signature = keys.sign(&dir, BODY);
    let body = write(&dir, "body.json", BODY);
    let run = payermax(&[
        "verify",
        "--key",
        &keys.public_pem,
        "--sign",
        &signature,
        &body,
    ]);
    run.expect(0);
    assert!(run.stdout.is_empty());
    // One-line base64 SPKI from the environment, body on stdin.
    let der = openssl(
        &["pkey", "-pubin", "-in", &keys.public_pem, "-outform", "DER"],
        b"",
    );
    payermax_env(
        &["verify", "--sign", &signature, "-"],
        BODY,
        &[("PAYERMAX_PLATFORM_KEY", &base64_one_line(&der))],
    )
    .expect(0);
    // Every single changed byte is refused, exit 7, one line.
    for i in [0, BODY.len() / 2, BODY.len() - 1] {
        let mut changed = BODY.to_vec();
        changed[i] ^= 0x01;
        let run = payermax_env(
            &[
                "verify",
                "--key",
                &keys.public_pem,
                "--sign",
                &signature,
                "-",
            ],
            &changed,
            &[],
        );
        run.fails(7, "signature does not hold");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    // A newline added to the body, a changed signature, a malformed one.
    let mut longer = BODY.to_vec();
    longer.push(b'\n');
    payermax_env(
        &[
            "verify",
            "--key",
            &keys.public_pem,
            "--sign",
            &signature,
            "-",
        ],
        &longer,
        &[],
    )
    .fails(7, "does not hold");
    let mut other = signature.clone().into_bytes();
    other[10] = if other[10] == b'A' { b'B' } else { b'A' };
    let other = String::from_utf8(other).unwrap();
    payermax(&["verify", "--key", &keys.public_pem, "--sign", &other, &body])
        .fails(7, "does not hold");
    payermax(&[
        "verify",
        "--key",
        &keys.public_pem,
        "--sign",
        "not base64!",
        &body,
    ])
    .fails(7, "base64");
}

#[test]
fn bad_keys_are_one_line_usage_errors_that_never_echo_the_key() {
    let dir = temp_dir("bad-keys");
    let keys = OpensslKeys::new(&dir);
    let body = write(&dir, "body.json", BODY);
    let missing = dir.join("missing.pem").display().to_string();
    payermax(&["sign", "--key", &missing, &body]).fails(2, "cannot read");
    payermax(&["sign", &body]).fails(2, "PAYERMAX_MERCHANT_KEY");
    payermax_env(
        &["sign", &body],
        b"",
        &[("PAYERMAX_MERCHANT_KEY", &missing)],
    )
    .fails(2, "PAYERMAX_MERCHANT_KEY: no file at");
    let garbage = write(
        &dir,
        "garbage.pem",
        "-----BEGIN PRIVATE KEY-----\nnot a key at all\n-----END PRIVATE KEY-----\n",
    );
    payermax(&["sign", "--key", &garbage, &body]).fails(2, "garbage.pem");
    // A public key where a private one is needed, and the other way round.
    let run = payermax(&["sign", "--key", &keys.public_pem, &body]);
    run.fails(2, "public key");
    let run2 = payermax(&[
        "verify",
        "--key",
        &keys.private_pem,
        "--sign",
        "AAAA",
        &body,
    ]);
    run2.fails(2, "private key");
    // The private key's text appears nowhere.
    let secret = std::fs::read_to_string(&keys.private_pem).unwrap();
    let middle = secret.lines().nth(5).unwrap();
    for r in [&run, &run2] {
        assert!(!r.stderr.contains(middle) && !r.stdout().contains(middle));
    }
    // A malformed key in the environment is named by its variable, not shown.
    let truncated = &secret[..secret.len() / 2];
    let run = payermax_env(
        &["sign", "-"],
        b"{}",
        &[("PAYERMAX_MERCHANT_KEY", truncated)],
    );
    run.fails(2, "PAYERMAX_MERCHANT_KEY");
    assert!(!run.stderr.contains(middle));
}
