//! What a call costs beyond its cryptography, per backend, through an
//! in-memory transport (no network): a refund query.
//!
//! * `prepare`: validate, envelope, serialize, sign (what one attempt sends).
//! * `reply`: verify the signed reply over its bytes, classify, decode.
//! * `prepare/order_and_pay_direct`, `reply/order_query`: the same for the
//!   largest messages, a fully populated direct-API `orderAndPay` request
//!   and `orderQuery` reply (built from the spec's documented examples, see
//!   `large`), beside their baseline `raw_serde_json` (`serde_json` alone
//!   writing the same envelope / reading the same reply: doing it by hand).
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
//! The per-backend rows and the stub need payermax-http's bench seam,
//! `--cfg payermax_bench` (a compiler flag, never a cargo feature: no
//! published build can contain the stub); `benches/run.sh` at the workspace
//! root sets it, runs this with the others and prints ratios. By hand:
//! `RUSTFLAGS="--cfg payermax_bench" cargo bench -p payermax-http --features rsa,aws-lc-rs --bench pipeline`.
// Without the seam only `main` is compiled: the imports go unused.
#![cfg_attr(not(payermax_bench), allow(unused_imports))]

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::LazyLock;
use std::task::{Context, Poll};

use bytes::Bytes;
use divan::{Bencher, black_box};
use http::HeaderMap;
use http_body_util::Full;
#[cfg(payermax_bench)]
use payermax_http::BenchCrypto;
use payermax_http::{Client, Environment, RequestBody};
use payermax_sign::Backend;
use payermax_test_keys::test_keys;
use payermax_types::Operation;
use payermax_types::order_and_pay_direct::{OrderAndPayDirect, OrderAndPayDirectRequest};
use payermax_types::order_query::{OrderQuery, OrderQueryResponse};
use payermax_types::refund_query::{
    RefundQuery, RefundQueryRequest, RefundQueryRequestRequired, RefundRef,
};

fn main() {
    #[cfg(payermax_bench)]
    divan::main();
    // Without the seam there is nothing to measure: say so, and fail.
    #[cfg(not(payermax_bench))]
    {
        eprintln!(
            "this bench needs payermax-http's bench seam: run benches/run.sh, or \
             RUSTFLAGS=\"--cfg payermax_bench\" cargo bench -p payermax-http --features rsa,aws-lc-rs --bench pipeline"
        );
        std::process::exit(2);
    }
}

#[cfg(payermax_bench)]
const REPLY: &str = r#"{"code":"APPLY_SUCCESS","msg":"Success.","data":{"outRefundNo":"R1642411016202","refundTradeNo":"20220117092402RF1642411442152","refundAmount":10000.50,"refundCurrency":"IDR","outTradeNo":"P1642410680681","status":"REFUND_PENDING","refundFinishTime":"2022-01-17T09:24:02.000Z"}}"#;

#[cfg(payermax_bench)]
const REQUEST: &str = r#"{"version":"1.5","keyVersion":"1","requestTime":"2026-01-02T03:04:05.678+00:00","appId":"46153e2b787241ae8b01857bb9ab4bfa","merchantNo":"P01010113865434","data":{"outRefundNo":"R1642411016202"}}"#;

#[cfg(payermax_bench)]
static REPLY_SIGN: LazyLock<String> = LazyLock::new(|| {
    test_keys()
        .payermax_private
        .sign(REPLY.as_bytes())
        .expect("sign")
});

#[cfg(payermax_bench)]
fn request() -> RefundQueryRequest {
    RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo("R1642411016202".into()),
    })
}

/// A client over the canned transport; `None` is the default backend.
#[cfg(payermax_bench)]
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

#[cfg(payermax_bench)]
fn stub() -> BenchCrypto {
    BenchCrypto::DangerStub {
        signature: REPLY_SIGN.clone(),
    }
}

/// The headers of a 2xx reply signed with `sign`.
#[cfg(payermax_bench)]
fn reply_headers(sign: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert("sign", sign.parse().unwrap());
    headers
}

/// One whole call, polled on this thread. The in-memory transport answers
/// at once and there is no timeout or retry, so the call never waits: no
/// runtime is needed, and none is measured.
#[cfg(payermax_bench)]
fn call(client: &Client, request: &RefundQueryRequest) {
    let reply = poll_ready(client.send(black_box(request))).expect("call");
    assert!(reply.signature_verified);
    black_box(reply);
}

/// Polls `future` until it is ready (it never waits on anything here).
#[cfg(payermax_bench)]
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

/// What one attempt of `Client::send(request)` prepares for `O`.
#[cfg(payermax_bench)]
fn prepare<O: Operation>(bencher: Bencher, crypto: BenchCrypto, request: &O::Request)
where
    O::Request: Sync,
{
    let client = client(Some(crypto));
    bencher.bench(|| {
        client
            .bench_prepare::<O>(black_box(request))
            .expect("prepare")
    });
}

/// What `Client::send` does with the 2xx reply `body` of `O` signed with `sign`.
#[cfg(payermax_bench)]
fn reply<O: Operation>(bencher: Bencher, crypto: BenchCrypto, body: Bytes, sign: &str) {
    let client = client(Some(crypto));
    let headers = reply_headers(sign);
    bencher.bench(|| {
        client
            .bench_accept::<O>(black_box(&headers), black_box(body.clone()))
            .expect("accept")
    });
}

#[cfg(payermax_bench)]
fn refund_query_reply(bencher: Bencher, crypto: BenchCrypto) {
    let body = Bytes::from_static(REPLY.as_bytes());
    reply::<RefundQuery>(bencher, crypto, body, &REPLY_SIGN);
}

/// Validate, envelope, serialize, sign.
#[cfg(payermax_bench)]
mod prepare {
    use super::*;

    #[divan::bench]
    fn aws_lc_rs(bencher: Bencher) {
        prepare::<RefundQuery>(bencher, BenchCrypto::Backend(Backend::AwsLcRs), &request());
    }

    #[divan::bench]
    fn rsa(bencher: Bencher) {
        prepare::<RefundQuery>(bencher, BenchCrypto::Backend(Backend::Rsa), &request());
    }

    #[divan::bench]
    fn no_crypto(bencher: Bencher) {
        prepare::<RefundQuery>(bencher, stub(), &request());
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

    /// The largest request, a fully populated direct-API `orderAndPay`
    /// (`OrderAndPayDirectRequest`, every field of the spec set; see `large`).
    mod order_and_pay_direct {
        use super::*;

        #[divan::bench]
        fn aws_lc_rs(bencher: Bencher) {
            let request = large::order_and_pay_direct_request();
            prepare::<OrderAndPayDirect>(bencher, BenchCrypto::Backend(Backend::AwsLcRs), &request);
        }

        /// Validate, envelope, `requestTime`, serialize, `http::Request`:
        /// the SDK's own work for the largest request (goal: <= 10 µs).
        #[divan::bench]
        fn no_crypto(bencher: Bencher) {
            let request = large::order_and_pay_direct_request();
            prepare::<OrderAndPayDirect>(bencher, stub(), &request);
        }

        /// `OrderAndPayDirectRequest::validate` alone: the part of
        /// `no_crypto` that `raw_serde_json` does not do.
        #[divan::bench]
        fn validate_only(bencher: Bencher) {
            let request = large::order_and_pay_direct_request();
            bencher
                .bench(|| payermax_types::Validate::validate(black_box(&request)).expect("valid"));
        }

        /// The baseline of `no_crypto`: `serde_json` alone writing the same
        /// request in the same envelope (no validation, no `http::Request`).
        #[divan::bench]
        fn raw_serde_json(bencher: Bencher) {
            let request = large::order_and_pay_direct_request();
            bencher.bench(|| {
                serde_json::to_vec(&large::RequestEnvelope {
                    version: "1.4",
                    key_version: "1",
                    request_time: "2026-01-02T03:04:05.678+00:00",
                    app_id: "46153e2b787241ae8b01857bb9ab4bfa",
                    merchant_no: "P01010113865434",
                    data: black_box(&request),
                })
                .expect("serialize")
            });
        }
    }
}

/// The `rsa` crate used directly.
#[cfg(payermax_bench)]
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
#[cfg(payermax_bench)]
mod reply {
    use super::*;

    #[divan::bench]
    fn aws_lc_rs(bencher: Bencher) {
        refund_query_reply(bencher, BenchCrypto::Backend(Backend::AwsLcRs));
    }

    #[divan::bench]
    fn rsa(bencher: Bencher) {
        refund_query_reply(bencher, BenchCrypto::Backend(Backend::Rsa));
    }

    #[divan::bench]
    fn no_crypto(bencher: Bencher) {
        refund_query_reply(bencher, stub());
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

    /// The largest reply, a fully populated `orderQuery` reply
    /// (`OrderQueryResponse`, every field of the spec set; see `large`).
    mod order_query {
        use super::*;

        #[divan::bench]
        fn aws_lc_rs(bencher: Bencher) {
            let (body, sign) = large::order_query_reply();
            reply::<OrderQuery>(bencher, BenchCrypto::Backend(Backend::AwsLcRs), body, &sign);
        }

        /// Classify and decode: the SDK's own work for the largest reply
        /// (goal: <= 10 µs).
        #[divan::bench]
        fn no_crypto(bencher: Bencher) {
            let (body, sign) = large::order_query_reply();
            reply::<OrderQuery>(bencher, stub(), body, &sign);
        }

        /// The baseline of `no_crypto`: `serde_json` alone reading the same
        /// bytes into the generated type inside a typed envelope.
        #[divan::bench]
        fn raw_serde_json(bencher: Bencher) {
            let (body, _) = large::order_query_reply();
            bencher.bench(|| {
                serde_json::from_slice::<large::ReplyEnvelope>(black_box(&body)).expect("decode")
            });
        }
    }
}

/// One whole `Client::send` through the in-memory transport.
#[cfg(payermax_bench)]
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
#[cfg(payermax_bench)]
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

/// The largest messages, built from the documented examples of their specs:
/// the example's `data` (request example 0 of `spec/order_and_pay_direct.json`,
/// the 200 example 0 of `spec/order_query.json`), completed with what the
/// spec's other examples of the same message add, then with the fields no
/// example has (`*_FILL` below), checked to set every property the schema
/// lists, then decoded with `serde_json` into the generated type.
#[cfg(payermax_bench)]
mod large {
    use super::*;
    use serde_json::Value;

    /// Fields no example of `orderAndPay` (direct API) sets, and those that
    /// request examples leave out although the schema requires them (doc
    /// issues of kind `example-incomplete`): values of their documented form.
    const REQUEST_FILL: &str = r#"{
        "referralCode": "fp-7c1e2a9b44d0",
        "osType": "ANDROID",
        "subscriptionPlan": {
            "subscriptionNo": "SUB20250626121135955468",
            "firstPeriodStartDate": "2025-07-01T00:00:00.000+00:00"
        },
        "paymentDetail": {
            "payAccountInfo": [{ "accountNo": "903124360628", "accountNoType": "PHONE" }],
            "cardInfo": { "stored": "Y", "dynamic3DS": "do3DS" },
            "buyerInfo": {
                "middleName": "Lee", "phoneNoRegion": "+90", "idType": "PASSPORT",
                "idNo": "U12345678", "address": "GOLGELI SOKAK NO.34, 06700",
                "city": "GAZIOSMANPASA/ANKAR", "region": "ANKARA", "zipCode": "06700"
            },
            "merchantInitiated": false,
            "mitType": "SCHEDULED",
            "info3DSecure": {
                "threeDSVersion": "2.2.0", "eci": "05", "cavv": "AAABBEg0VhI0VniQEjRWAAAAAAA=",
                "dsTransactionId": "f25084f0-5b16-4c0a-ae5d-b24808a95e4b",
                "xid": "MDAwMDAwMDAwMDAwMDAwMzIyNzY="
            },
            "applePayPaymentData": { "network": "Visa", "type": "debit", "displayName": "Visa 5743" },
            "googlePayDetails": {
                "description": "Visa •••• 1751", "cardNetwork": "VISA", "cardHolderFullName": "James Smith"
            }
        },
        "subMerchant": { "subMerchantNo": "SUBM000001" },
        "shippingInfo": {
            "middleName": "Lee", "region": "ANKARA", "state": "ANKARA",
            "address2": "Floor 3", "address3": "Apartment 12"
        },
        "billingInfo": {
            "middleName": "Lee", "region": "ANKARA", "state": "ANKARA",
            "address2": "Floor 3", "address3": "Apartment 12", "phoneNoRegion": "+90"
        },
        "envInfo": {
            "deviceId": "a1b2c3d4e5f60718", "deviceLanguage": "en",
            "screenHeight": "2400", "screenWidth": "1080"
        }
    }"#;

    /// Fields no 200 example of `orderQuery` sets.
    const REPLY_FILL: &str = r#"{
        "paymentDetails": [{
            "cardInfo": {
                "cardType": "CREDIT", "totalCardOrg": ["VISA", "MADA"], "type": "PAN",
                "source": "CARD", "cardBinNo": "400555", "cardNumber": "400555******0001",
                "cardHolderName": "**ngwei", "cardLast4": "0001", "cardExpirationYear": "30",
                "cardExpirationMonth": "03",
                "threeDSResult": {
                    "threeDSVersion": "2.2.0", "enrolled": "Y", "authenticationStatus": "Y",
                    "eci": "05", "dsTransactionId": "f25084f0-5b16-4c0a-ae5d-b24808a95e4b",
                    "cavv": "AAABBEg0VhI0VniQEjRWAAA", "xid": "MDAwMDAwMDAwMDAwMDAwMzIyNzY="
                },
                "avsResult": "Y"
            }
        }],
        "resultCode": "SUCCESS",
        "createTime": "2025-06-26T12:11:35.955Z",
        "confirmPayTime": "2025-06-26T12:11:36.001Z",
        "cashierCountry": "SA"
    }"#;

    fn spec(file: &str) -> Value {
        let path = format!("{}/../../spec/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).expect("spec JSON")
    }

    /// `data` of the first example, completed from the others and `fill`.
    fn completed(examples: &Value, fill: &str) -> Value {
        let examples = examples.as_array().expect("examples");
        let mut data = examples[0]["data"].clone();
        for example in &examples[1..] {
            add_missing(&mut data, &example["data"]);
        }
        add_missing(&mut data, &serde_json::from_str(fill).expect("fill JSON"));
        data
    }

    /// Adds the members of `from` that `to` lacks, recursively (into the
    /// first element of arrays of objects).
    fn add_missing(to: &mut Value, from: &Value) {
        match (to, from) {
            (Value::Object(to), Value::Object(from)) => {
                for (key, value) in from {
                    match to.get_mut(key) {
                        Some(existing) => add_missing(existing, value),
                        None => {
                            to.insert(key.clone(), value.clone());
                        }
                    }
                }
            }
            (Value::Array(to), Value::Array(from)) => {
                if let (Some(to), Some(from)) = (to.first_mut(), from.first()) {
                    add_missing(to, from);
                }
            }
            _ => {}
        }
    }

    /// Panics unless `value` sets every property `schema` lists (names
    /// trimmed: a few spec names carry stray spaces, see `x-aliases`),
    /// recursively; free-form objects count as set when present.
    fn assert_complete(schema: &Value, value: &Value, path: &str) {
        if let Some(items) = schema.get("items") {
            let first = value
                .get(0)
                .unwrap_or_else(|| panic!("{path}: empty array"));
            return assert_complete(items, first, &format!("{path}[0]"));
        }
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (name, property) in properties {
            let name = name.trim();
            let member = value
                .get(name)
                .unwrap_or_else(|| panic!("{path}.{name}: not set by the bench's message"));
            assert_complete(property, member, &format!("{path}.{name}"));
        }
    }

    /// The fully populated `OrderAndPayDirectRequest`.
    ///
    /// Request example 0 does not decode as documented: it gives numbers
    /// where the schema declares strings (doc issues of kind `example-wrong`:
    /// `subscriptionPlan.totalPeriods`, `periodRule.periodCount`,
    /// `trialPeriodConfig.trialPeriodCount`, `trialConfig.trialDays`). The
    /// schema wins (the SDK sends strings), so this fixes the JSON up: each
    /// field an `example-wrong` issue of the request names is turned from a
    /// number into the string of its digits.
    pub(crate) fn order_and_pay_direct_request() -> OrderAndPayDirectRequest {
        let spec = spec("order_and_pay_direct.json");
        let mut data = completed(&spec["request"]["examples"], REQUEST_FILL);
        let mut fixed = 0;
        for issue in spec["docIssues"].as_array().expect("docIssues") {
            let id = issue["id"].as_str().expect("doc issue id");
            let Some(field) = id.strip_prefix("example-wrong@request:data.") else {
                continue;
            };
            let member = field
                .split('.')
                .try_fold(&mut data, |v, name| v.get_mut(name))
                .unwrap_or_else(|| panic!("{id}: not in the example"));
            if let Value::Number(n) = member {
                *member = Value::String(n.to_string());
                fixed += 1;
            }
        }
        assert!(
            fixed > 0,
            "example 0 was expected to need the example-wrong fix-up"
        );
        assert_complete(
            &spec["request"]["schema"]["properties"]["data"],
            &data,
            "data",
        );
        let request: OrderAndPayDirectRequest =
            serde_json::from_value(data).expect("the completed example decodes");
        payermax_types::Validate::validate(&request).expect("valid");
        request
    }

    /// The signed 2xx reply of `orderQuery` whose `data` is the fully
    /// populated `OrderQueryResponse`, and its signature (PayerMax's test key).
    pub(crate) fn order_query_reply() -> (Bytes, String) {
        let spec = spec("order_query.json");
        let reply = &spec["responses"]["200"];
        let data = completed(&reply["examples"], REPLY_FILL);
        assert_complete(&reply["schema"]["properties"]["data"], &data, "data");
        let response: OrderQueryResponse =
            serde_json::from_value(data).expect("the completed example decodes");
        // The body as PayerMax would send it: the example's envelope around
        // the data in the form the library writes it (every field once).
        let body = serde_json::to_vec(&ReplyEnvelope {
            code: "APPLY_SUCCESS".into(),
            msg: "Success.".into(),
            data: Some(response),
        })
        .expect("serialize");
        let sign = test_keys().payermax_private.sign(&body).expect("sign");
        (Bytes::from(body), sign)
    }

    /// The gateway request envelope, written by hand (the baseline).
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct RequestEnvelope<'a> {
        pub version: &'a str,
        pub key_version: &'a str,
        pub request_time: &'a str,
        pub app_id: &'a str,
        pub merchant_no: &'a str,
        pub data: &'a OrderAndPayDirectRequest,
    }

    /// The gateway reply envelope, read by hand (the baseline).
    #[derive(serde::Serialize, serde::Deserialize)]
    pub(crate) struct ReplyEnvelope {
        pub code: String,
        pub msg: String,
        pub data: Option<OrderQueryResponse>,
    }
}

/// Answers every request with the same signed reply, recording nothing.
#[cfg(payermax_bench)]
#[derive(Clone)]
struct Canned {
    sign: String,
}

#[cfg(payermax_bench)]
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
