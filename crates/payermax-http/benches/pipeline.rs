//! What a call costs beyond its cryptography, per backend, through an
//! in-memory transport (no network): a refund query.
//!
//! * `prepare`: validate, envelope, serialize, sign (what one attempt sends).
//! * `reply`: verify the signed reply over its bytes, classify, decode.
//! * `call`: one whole `Client::send`, and the baseline of only signing the
//!   request and verifying the reply with the same keys. Calls are polled on
//!   the bench thread (they never wait): no async runtime is measured.
//! * `raw_rsa_crate_*` rows: the `rsa` crate alone, same key and bytes, the
//!   baseline of the `rsa` rows beside them.
//! * `no_crypto` rows: the same with the cryptography stubbed out
//!   (`BenchCrypto::DangerStub`): the SDK's own overhead.
//! * `throughput`: whole calls on 1 and 2 threads sharing one client:
//!   `shared_client` (divan's threads: the median time per call on each
//!   thread) and `batch_64_calls` (64 calls split over the threads, wall
//!   clock), beside `batch_64_sign_verify` (the same RSA work alone, split the
//!   same way: what the machine lets scale).
//!
//! The per-backend rows and the stub need the internal `bench-hooks` feature;
//! `benches/run.sh` at the workspace root runs this with the others and
//! prints ratios. By hand:
//! `cargo bench -p payermax-http --features bench-hooks,rsa,aws-lc-rs --bench pipeline`.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::LazyLock;
use std::task::{Context, Poll};

use bytes::Bytes;
use divan::{Bencher, black_box};
use http::HeaderMap;
use http_body_util::Full;
use payermax_http::test_util::test_keys;
use payermax_http::{BenchCrypto, Client, Environment, RequestBody};
use payermax_sign::Backend;
use payermax_types::refund_query::{
    RefundQuery, RefundQueryRequest, RefundQueryRequestRequired, RefundRef,
};

fn main() {
    divan::main();
}

const REPLY: &str = r#"{"code":"APPLY_SUCCESS","msg":"Success.","data":{"outRefundNo":"R1642411016202","refundTradeNo":"20220117092402RF1642411442152","refundAmount":10000.50,"refundCurrency":"IDR","outTradeNo":"P1642410680681","status":"REFUND_PENDING","refundFinishTime":"2022-01-17T09:24:02.000Z"}}"#;

const REQUEST: &str = r#"{"version":"1.5","keyVersion":"1","requestTime":"2026-01-02T03:04:05.678+00:00","appId":"46153e2b787241ae8b01857bb9ab4bfa","merchantNo":"P01010113865434","data":{"outRefundNo":"R1642411016202"}}"#;

static REPLY_SIGN: LazyLock<String> = LazyLock::new(|| {
    test_keys()
        .payermax_private
        .sign(REPLY.as_bytes())
        .expect("sign")
});

fn request() -> RefundQueryRequest {
    RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo("R1642411016202".into()),
    })
}

/// A client over the canned transport; `None` is the default backend.
fn client(crypto: Option<BenchCrypto>) -> Client {
    let keys = test_keys();
    let builder = Client::builder(Environment::Custom("http://127.0.0.1:9".into()))
        .app_id("46153e2b787241ae8b01857bb9ab4bfa")
        .merchant_no("P01010113865434")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .transport(Canned {
            sign: REPLY_SIGN.clone(),
        })
        .request_timeout(None);
    match crypto {
        Some(c) => builder.bench_crypto(c),
        None => builder,
    }
    .build()
    .expect("client")
}

fn stub() -> BenchCrypto {
    BenchCrypto::DangerStub {
        signature: REPLY_SIGN.clone(),
    }
}

fn reply_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert("sign", REPLY_SIGN.parse().unwrap());
    headers
}

/// One whole call, polled on this thread. The in-memory transport answers
/// at once and there is no timeout or retry, so the call never waits: no
/// runtime is needed, and none is measured.
fn call(client: &Client, request: &RefundQueryRequest) {
    let reply = poll_ready(client.send(black_box(request))).expect("call");
    assert!(reply.signature_verified);
    black_box(reply);
}

/// Polls `future` until it is ready (it never waits on anything here).
fn poll_ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::yield_now();
    }
}

fn prepare(bencher: Bencher, crypto: BenchCrypto) {
    let client = client(Some(crypto));
    let request = request();
    bencher.bench(|| {
        client
            .bench_prepare::<RefundQuery>(black_box(&request))
            .expect("prepare")
    });
}

fn reply(bencher: Bencher, crypto: BenchCrypto) {
    let client = client(Some(crypto));
    let headers = reply_headers();
    let body = Bytes::from_static(REPLY.as_bytes());
    bencher.bench(|| {
        client
            .bench_accept::<RefundQuery>(black_box(&headers), black_box(body.clone()))
            .expect("accept")
    });
}

/// Validate, envelope, serialize, sign.
mod prepare {
    use super::*;

    #[divan::bench]
    fn aws_lc_rs(bencher: Bencher) {
        prepare(bencher, BenchCrypto::Backend(Backend::AwsLcRs));
    }

    #[divan::bench]
    fn rsa(bencher: Bencher) {
        prepare(bencher, BenchCrypto::Backend(Backend::Rsa));
    }

    #[divan::bench]
    fn no_crypto(bencher: Bencher) {
        prepare(bencher, stub());
    }

    /// The baseline of `rsa`: the `rsa` crate alone signing a request body
    /// of the same size with the same key (no SDK at all), measured in this
    /// binary right beside it.
    #[divan::bench]
    fn raw_rsa_crate_sign(bencher: Bencher) {
        use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
        let key = raw_rsa::signing_key(&test_keys().merchant_private);
        let mut rng = rand_core::OsRng;
        bencher.bench_local(|| {
            key.sign_with_rng(&mut rng, black_box(REQUEST.as_bytes()))
                .to_vec()
        });
    }
}

/// The `rsa` crate used directly.
mod raw_rsa {
    use payermax_sign::PrivateKey;
    use rsa::pkcs1v15::SigningKey;
    use rsa::pkcs8::DecodePrivateKey as _;
    use sha2::Sha256;

    pub(crate) fn signing_key(key: &PrivateKey) -> SigningKey<Sha256> {
        let der = key.to_pkcs8_der();
        SigningKey::new(rsa::RsaPrivateKey::from_pkcs8_der(&der).expect("test key"))
    }
}

/// Verify the reply's signature, classify, decode.
mod reply {
    use super::*;

    #[divan::bench]
    fn aws_lc_rs(bencher: Bencher) {
        reply(bencher, BenchCrypto::Backend(Backend::AwsLcRs));
    }

    #[divan::bench]
    fn rsa(bencher: Bencher) {
        reply(bencher, BenchCrypto::Backend(Backend::Rsa));
    }

    #[divan::bench]
    fn no_crypto(bencher: Bencher) {
        reply(bencher, stub());
    }

    /// The baseline of `rsa`: the `rsa` crate alone verifying the same reply
    /// signature with the same key, measured in this binary right beside it.
    #[divan::bench]
    fn raw_rsa_crate_verify(bencher: Bencher) {
        use rsa::signature::{Keypair as _, RandomizedSigner as _, Verifier as _};
        let signer = raw_rsa::signing_key(&test_keys().payermax_private);
        let key = signer.verifying_key();
        // PKCS#1 v1.5 is deterministic: the same signature as `REPLY_SIGN`.
        let sig = signer.sign_with_rng(&mut rand_core::OsRng, REPLY.as_bytes());
        bencher.bench(|| {
            key.verify(black_box(REPLY.as_bytes()), black_box(&sig))
                .expect("verify")
        });
    }
}

/// One whole `Client::send` through the in-memory transport.
mod call {
    use super::*;

    #[divan::bench]
    fn aws_lc_rs(bencher: Bencher) {
        let client = client(Some(BenchCrypto::Backend(Backend::AwsLcRs)));
        let request = request();
        bencher.bench(|| call(&client, &request));
    }

    /// The SDK's own overhead: everything but RSA.
    #[divan::bench]
    fn no_crypto(bencher: Bencher) {
        let client = client(Some(stub()));
        let request = request();
        bencher.bench(|| call(&client, &request));
    }

    /// The floor of a call: sign a request body and verify a reply body with
    /// the default backend, nothing else.
    #[divan::bench]
    fn sign_and_verify_only(bencher: Bencher) {
        let keys = test_keys();
        let reply_sig = REPLY_SIGN.as_str();
        bencher.bench(|| {
            let sig = keys
                .merchant_private
                .sign(black_box(REQUEST.as_bytes()))
                .unwrap();
            keys.payermax_public
                .verify(black_box(REPLY.as_bytes()), black_box(reply_sig))
                .unwrap();
            sig
        });
    }
}

/// Whole calls (default backend) on 1 and 2 threads sharing one client.
mod throughput {
    use super::*;

    static SHARED: LazyLock<Client> = LazyLock::new(|| client(None));

    #[divan::bench(threads = [1, 2])]
    fn shared_client(bencher: Bencher) {
        let client = &*SHARED;
        let request = request();
        call(client, &request);
        bencher.bench(|| call(client, &request));
    }

    /// 64 calls per iteration, split over 1 or 2 threads, timed by the wall
    /// clock: the throughput the machine actually delivers (on a shared
    /// machine, other processes' load shows here).
    #[divan::bench(args = [1, 2])]
    fn batch_64_calls(bencher: Bencher, threads: usize) {
        let client = &*SHARED;
        let request = request();
        call(client, &request);
        bencher.bench(|| split(threads, || call(client, &request)));
    }

    /// The baseline of `batch_64_calls`: 64 signs and verifies alone (the
    /// RSA work of 64 calls) split over 1 or 2 threads, wall clock: how far
    /// the machine lets pure cryptography scale at that moment.
    #[divan::bench(args = [1, 2])]
    fn batch_64_sign_verify(bencher: Bencher, threads: usize) {
        let keys = test_keys();
        let reply_sig = REPLY_SIGN.as_str();
        bencher.bench(|| {
            split(threads, || {
                let sig = keys.merchant_private.sign(REQUEST.as_bytes()).unwrap();
                keys.payermax_public
                    .verify(REPLY.as_bytes(), reply_sig)
                    .unwrap();
                black_box(sig);
            })
        });
    }

    /// Runs `work` 64 times, split over `threads` scoped threads.
    fn split(threads: usize, work: impl Fn() + Sync) {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..64 / threads {
                        work();
                    }
                });
            }
        })
    }
}

/// Answers every request with the same signed reply, recording nothing.
#[derive(Clone)]
struct Canned {
    sign: String,
}

impl tower_service::Service<http::Request<RequestBody>> for Canned {
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: http::Request<RequestBody>) -> Self::Future {
        let resp = http::Response::builder()
            .header("content-type", "application/json")
            .header("sign", self.sign.as_str())
            .body(Full::new(Bytes::from_static(REPLY.as_bytes())))
            .unwrap();
        ready(Ok(resp))
    }
}
