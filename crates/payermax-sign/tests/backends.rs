//! The two backends agree byte for byte (run with `--all-features`).
#![cfg(all(feature = "rsa", feature = "aws-lc-rs"))]

use payermax_sign::{Backend, PrivateKey};

#[test]
fn both_backends_are_compiled_and_aws_lc_rs_is_preferred() {
    assert_eq!(Backend::ALL, &[Backend::Rsa, Backend::AwsLcRs]);
    assert_eq!(Backend::DEFAULT, Backend::AwsLcRs);
}

#[test]
fn signatures_are_byte_identical_across_backends() {
    let key = PrivateKey::parse(include_str!("fixtures/openssl/private_pkcs8.b64")).unwrap();
    let public = key.public_key();
    // Bodies of many lengths and byte values, including non-UTF-8 bytes.
    let mut body = Vec::new();
    for i in 0u32..40 {
        body.extend((0..i * 37).map(|j| (j.wrapping_mul(2_654_435_761) >> 13) as u8));
        let rsa = key.sign_with(Backend::Rsa, &body).unwrap();
        let aws = key.sign_with(Backend::AwsLcRs, &body).unwrap();
        assert_eq!(rsa, aws, "body of {} bytes", body.len());
        public.verify_with(Backend::Rsa, &body, &aws).unwrap();
        public.verify_with(Backend::AwsLcRs, &body, &rsa).unwrap();
        body.clear();
    }
}

#[test]
fn keys_generated_by_one_backend_work_in_the_other() {
    // aws-lc-rs generates quickly; the rsa-generated key is covered by the
    // default-feature run of tests/secrets.rs.
    let key = PrivateKey::generate_with(Backend::AwsLcRs).unwrap();
    let body = br#"{"code":"SUCCESS","msg":"Success"}"#;
    assert_eq!(
        key.sign_with(Backend::Rsa, body).unwrap(),
        key.sign_with(Backend::AwsLcRs, body).unwrap()
    );
}
