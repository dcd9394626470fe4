//! Sign and verify a ~370-byte PayerMax request body with each compiled backend.
//!
//! `cargo bench -p payermax-sign --all-features` runs both backends in one
//! run; compare the `rsa` and `aws_lc_rs` rows of each group.

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

/// Parsing a key from the dashboard's one-line form (done once per process).
#[divan::bench]
fn parse_private_key() -> PrivateKey {
    PrivateKey::parse(black_box(include_str!(
        "../tests/fixtures/openssl/private_pkcs8.b64"
    )))
    .expect("parse")
}
