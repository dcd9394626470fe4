//! Sign and verify a ~370-byte PayerMax request body with each compiled
//! backend, beside the same operation done by hand with the backend crate
//! itself (`raw_rsa`, `raw_aws_lc_rs`: no key checks, no base64).
//!
//! `cargo bench -p payermax-sign --all-features` runs both backends in one
//! run; compare the `rsa` and `aws_lc_rs` rows with their `raw_` rows.
//! `benches/run.sh` at the workspace root runs it with the other benches and
//! OpenSSL's own figures, and prints ratios.

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use payermax_sign::{Backend, PrivateKey, PublicKey};

fn main() {
    divan::main();
}

const BODY: &[u8] = include_bytes!("../tests/fixtures/bodies/ascii.json");

static KEY: LazyLock<PrivateKey> = LazyLock::new(|| {
    PrivateKey::parse(include_str!("../tests/fixtures/openssl/private_pkcs8.b64"))
        .expect("fixture key")
});
static PUBLIC: LazyLock<PublicKey> = LazyLock::new(|| KEY.public_key());
static SIGNATURE: LazyLock<String> = LazyLock::new(|| KEY.sign(BODY).expect("sign"));

fn sign(bencher: Bencher, backend: Backend) {
    let key = &*KEY;
    // Warm the backend's parsed key outside the measurement.
    key.sign_with(backend, BODY).expect("sign");
    bencher.bench(|| key.sign_with(backend, black_box(BODY)).expect("sign"));
}

fn verify(bencher: Bencher, backend: Backend) {
    let (public, sig) = (&*PUBLIC, SIGNATURE.as_str());
    public.verify_with(backend, BODY, sig).expect("verify");
    bencher.bench(|| {
        public
            .verify_with(backend, black_box(BODY), black_box(sig))
            .expect("verify")
    });
}

#[cfg(feature = "rsa")]
mod rsa {
    use super::*;

    #[divan::bench]
    fn sign(bencher: Bencher) {
        super::sign(bencher, Backend::Rsa);
    }

    #[divan::bench]
    fn verify(bencher: Bencher) {
        super::verify(bencher, Backend::Rsa);
    }
}

#[cfg(feature = "aws-lc-rs")]
mod aws_lc_rs {
    use super::*;

    #[divan::bench]
    fn sign(bencher: Bencher) {
        super::sign(bencher, Backend::AwsLcRs);
    }

    #[divan::bench]
    fn verify(bencher: Bencher) {
        super::verify(bencher, Backend::AwsLcRs);
    }
}

/// The `rsa` crate used directly: the ceiling of the `rsa` backend.
#[cfg(feature = "rsa")]
mod raw_rsa {
    use super::*;
    use ::rsa::RsaPrivateKey;
    use ::rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
    use ::rsa::pkcs8::DecodePrivateKey as _;
    use ::rsa::signature::{
        Keypair as _, RandomizedSigner as _, SignatureEncoding as _, Verifier as _,
    };
    use sha2::Sha256;

    fn signing_key() -> SigningKey<Sha256> {
        let der = KEY.to_pkcs8_der();
        SigningKey::new(RsaPrivateKey::from_pkcs8_der(&der).expect("fixture key"))
    }

    #[divan::bench]
    fn sign(bencher: Bencher) {
        let key = signing_key();
        let mut rng = rand_core::OsRng;
        bencher.bench_local(|| key.sign_with_rng(&mut rng, black_box(BODY)).to_vec());
    }

    #[divan::bench]
    fn verify(bencher: Bencher) {
        let key = signing_key();
        let verifying: VerifyingKey<Sha256> = key.verifying_key();
        let sig = key.sign_with_rng(&mut rand_core::OsRng, BODY);
        let sig = Signature::try_from(sig.to_bytes().as_ref()).expect("signature");
        bencher.bench(|| verifying.verify(black_box(BODY), black_box(&sig)).is_ok());
    }
}

/// `aws-lc-rs` used directly: the ceiling of the `aws-lc-rs` backend.
#[cfg(feature = "aws-lc-rs")]
mod raw_aws_lc_rs {
    use super::*;
    use ::aws_lc_rs::rand::SystemRandom;
    use ::aws_lc_rs::rsa::KeyPair;
    use ::aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};

    fn key_pair() -> KeyPair {
        KeyPair::from_pkcs8(&KEY.to_pkcs8_der()).expect("fixture key")
    }

    #[divan::bench]
    fn sign(bencher: Bencher) {
        let pair = key_pair();
        let rng = SystemRandom::new();
        bencher.bench(|| {
            let mut sig = vec![0u8; pair.public_modulus_len()];
            pair.sign(&RSA_PKCS1_SHA256, &rng, black_box(BODY), &mut sig)
                .expect("sign");
            sig
        });
    }

    #[divan::bench]
    fn verify(bencher: Bencher) {
        let pair = key_pair();
        let mut sig = vec![0u8; pair.public_modulus_len()];
        pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), BODY, &mut sig)
            .expect("sign");
        // Parsed once from SPKI DER, as the backend does.
        let public = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, PUBLIC.to_spki_der())
            .expect("public key");
        bencher.bench(|| {
            public
                .verify_sig(black_box(BODY), black_box(&sig))
                .expect("verify")
        });
    }
}

/// Parsing a key from the dashboard's one-line form (done once per process).
#[divan::bench]
fn parse_private_key() -> PrivateKey {
    PrivateKey::parse(black_box(include_str!(
        "../tests/fixtures/openssl/private_pkcs8.b64"
    )))
    .expect("parse")
}
