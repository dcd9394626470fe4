//! A refund query over loopback against payermax-sandbox: the SDK's client
//! (default hyper transport) next to a bare hyper client POSTing the same
//! pre-signed bytes, all in one run.
//!
//! * `bare_hyper`: hyper-util's pooled client POSTs one pre-signed body with
//!   its `sign` header and reads the reply; nothing else.
//! * `client_no_crypto`: `Client::send` with the cryptography stubbed out
//!   (payermax-http's bench seam, `--cfg payermax_bench`) and a fixed clock, so it sends exactly
//!   the bytes `bare_hyper` sends (the sandbox still verifies them and signs
//!   its reply): the client's cost beside a bare HTTP client.
//! * `client`: `Client::send` as an application runs it: it signs its
//!   request and verifies the reply (one RSA sign and one verify more than
//!   `bare_hyper`).
//!
//! The sandbox verifies each request and signs each reply, in every row.
//! `benches/run.sh` runs this with the other benches; by hand:
//! `RUSTFLAGS="--cfg payermax_bench" cargo bench -p payermax-tests --bench loopback`.
// Without the seam only `main` is compiled: the imports go unused.
#![cfg_attr(not(payermax_bench), allow(unused_imports))]

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use bytes::Bytes;
use divan::{Bencher, black_box};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
#[cfg(payermax_bench)]
use payermax_http::BenchCrypto;
use payermax_http::{Client, Environment};
use payermax_sandbox::{ManualClock, Sandbox, SandboxHandle, Settlement};
use payermax_sign::PrivateKey;
use payermax_types::Timestamp;
use payermax_types::legacy_refund_apply::{
    LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired,
};
use payermax_types::refund_query::{
    RefundQuery, RefundQueryRequest, RefundQueryRequestRequired, RefundRef,
};
use tokio::runtime::Runtime;

fn main() {
    #[cfg(payermax_bench)]
    divan::main();
    // Without the seam there is nothing to measure: say so, and fail.
    #[cfg(not(payermax_bench))]
    {
        eprintln!(
            "this bench needs payermax-http's bench seam: run benches/run.sh, or \
             RUSTFLAGS=\"--cfg payermax_bench\" cargo bench -p payermax-tests --bench loopback"
        );
        std::process::exit(2);
    }
}

/// The sandbox, its runtime and everything the rows share.
#[cfg(payermax_bench)]
struct Fixture {
    runtime: Runtime,
    _sandbox: SandboxHandle,
    client: Client,
    client_no_crypto: Client,
    bare: HyperClient<HttpConnector, Full<Bytes>>,
    /// The pre-signed request: URI, body and `sign` header.
    uri: String,
    body: Bytes,
    sign: String,
    request: RefundQueryRequest,
}

#[cfg(payermax_bench)]
static FIXTURE: LazyLock<Fixture> = LazyLock::new(fixture);

#[cfg(payermax_bench)]
fn fixture() -> Fixture {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // A fixed time on both sides: every request carries the same
    // `requestTime`, so one signature fits every body the client sends.
    let now = Timestamp::now().unix_millis();
    let merchant = PrivateKey::generate().expect("key");
    let platform = PrivateKey::generate().expect("key");
    let sandbox = runtime
        .block_on(
            Sandbox::builder()
                .merchant_public_key(merchant.public_key())
                .platform_private_key(platform.clone())
                .clock(Arc::new(ManualClock::new(now)))
                .settlement(Settlement {
                    pending_queries: u32::MAX,
                    settle_after: None,
                })
                .start(),
        )
        .expect("sandbox");
    let builder = || {
        Client::builder(Environment::Custom(sandbox.base_url().to_owned()))
            .app_id("app-bench")
            .merchant_no("SP-BENCH")
            .merchant_id("SP-BENCH")
            .private_key(merchant.clone())
            .payermax_public_key(platform.public_key())
            .clock(move || Timestamp::from_unix_millis(now).expect("in range"))
            .request_timeout(Some(Duration::from_secs(10)))
    };
    let client = builder().build().expect("client");
    // A refund to query.
    let amount = "25.00".parse().expect("amount");
    runtime
        .block_on(client.send(&LegacyRefundApplyRequest::new(
            LegacyRefundApplyRequestRequired {
                refund_id: "R-BENCH".into(),
                order_id: "ORDER-BENCH".into(),
                amount,
                currency: "USD".into(),
            },
        )))
        .expect("refund apply");
    let request = RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo("R-BENCH".into()),
    });
    let prepared = client
        .bench_prepare::<RefundQuery>(&request)
        .expect("prepare");
    let uri = prepared.uri().to_string();
    let sign = prepared.headers()["sign"]
        .to_str()
        .expect("sign")
        .to_owned();
    let body = runtime
        .block_on(prepared.into_body().collect())
        .expect("body")
        .to_bytes();
    let client_no_crypto = builder()
        .bench_crypto(BenchCrypto::DangerStub {
            signature: sign.clone(),
        })
        .build()
        .expect("client");
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    let bare = HyperClient::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .build(http);
    Fixture {
        runtime,
        _sandbox: sandbox,
        client,
        client_no_crypto,
        bare,
        uri,
        body,
        sign,
        request,
    }
}

#[cfg(payermax_bench)]
async fn bare_post(f: &Fixture) -> Bytes {
    let request = http::Request::post(f.uri.as_str())
        .header("content-type", "application/json")
        .header("sign", f.sign.as_str())
        .body(Full::new(f.body.clone()))
        .expect("request");
    let response = f.bare.request(request).await.expect("response");
    assert!(response.status().is_success());
    assert!(response.headers().contains_key("sign"));
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
}

#[cfg(payermax_bench)]
async fn client_send(client: &Client, request: &RefundQueryRequest) {
    let reply = client.send(request).await.expect("refund query");
    black_box(reply);
}

#[cfg(payermax_bench)]
#[divan::bench]
fn bare_hyper(bencher: Bencher) {
    let f = &*FIXTURE;
    // The reply must be the sandbox's success, not a refusal.
    let reply = f.runtime.block_on(bare_post(f));
    assert!(
        reply.starts_with(br#"{"code":"APPLY_SUCCESS""#),
        "{reply:?}"
    );
    bencher.bench(|| f.runtime.block_on(bare_post(f)));
}

#[cfg(payermax_bench)]
#[divan::bench]
fn client_no_crypto(bencher: Bencher) {
    let f = &*FIXTURE;
    f.runtime
        .block_on(client_send(&f.client_no_crypto, &f.request));
    bencher.bench(|| {
        f.runtime
            .block_on(client_send(&f.client_no_crypto, black_box(&f.request)))
    });
}

#[cfg(payermax_bench)]
#[divan::bench]
fn client(bencher: Bencher) {
    let f = &*FIXTURE;
    f.runtime.block_on(client_send(&f.client, &f.request));
    bencher.bench(|| {
        f.runtime
            .block_on(client_send(&f.client, black_box(&f.request)))
    });
}
