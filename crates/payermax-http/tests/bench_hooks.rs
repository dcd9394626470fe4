//! The bench seam (`--cfg payermax_bench`, set by `benches/run.sh`; this
//! file is empty without it) measures the real pipeline: what
//! `bench_prepare` builds is what `Client::send` sends, each backend signs
//! alike, and `bench_accept` takes a reply as a call does. CI runs it with
//! the flag (`.ci/run`, step "the bench seam").
#![cfg(payermax_bench)]

use bytes::Bytes;
use http::HeaderMap;
use http_body_util::BodyExt;
use payermax_http::test_util::{CannedReply, CapturingTransport};
use payermax_http::{BenchCrypto, Client, ClientBuilder, Environment, Error, SignatureProblem};
use payermax_sign::Backend;
use payermax_test_keys::test_keys;
use payermax_types::Timestamp;
use payermax_types::refund_query::{
    RefundQuery, RefundQueryRequest, RefundQueryRequestRequired, RefundRef,
};

const REPLY: &str = r#"{"code":"APPLY_SUCCESS","msg":"Success.","data":{"outRefundNo":"R-1","status":"REFUND_PENDING"}}"#;

fn builder(transport: CapturingTransport) -> ClientBuilder {
    let keys = test_keys();
    Client::builder(Environment::Custom("http://127.0.0.1:9".into()))
        .app_id("app-1")
        .merchant_no("P01")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .clock(|| Timestamp::from_unix_millis(1_767_323_045_678).expect("in range"))
        .transport(transport)
        .request_timeout(None)
}

fn transport() -> CapturingTransport {
    CapturingTransport::new(|_| CannedReply::json(200, REPLY).signed(&test_keys().payermax_private))
}

fn request() -> RefundQueryRequest {
    RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo("R-1".into()),
    })
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// (body, sign header) of what `bench_prepare` builds.
fn prepared(client: &Client) -> (Bytes, String) {
    let req = client
        .bench_prepare::<RefundQuery>(&request())
        .expect("prepare");
    let sign = req.headers()["sign"].to_str().expect("ascii").to_owned();
    let body = block_on(req.into_body().collect())
        .expect("body")
        .to_bytes();
    (body, sign)
}

#[test]
fn bench_prepare_builds_what_send_sends() {
    let t = transport();
    let client = builder(t.clone()).build().expect("client");
    let (body, sign) = prepared(&client);
    let reply = block_on(client.send(&request())).expect("send");
    assert!(reply.signature_verified);
    let sent = &t.requests()[0];
    assert_eq!(sent.body, body);
    assert_eq!(sent.sign(), Some(sign.as_str()));
    test_keys()
        .merchant_public
        .verify(&body, &sign)
        .expect("signed by the merchant key");
}

#[test]
fn every_backend_signs_the_same_bytes_alike() {
    let default = prepared(&builder(transport()).build().unwrap());
    for &backend in Backend::ALL {
        let client = builder(transport())
            .bench_crypto(BenchCrypto::Backend(backend))
            .build()
            .unwrap();
        // RSASSA-PKCS1-v1_5 is deterministic.
        assert_eq!(prepared(&client), default, "{backend}");
    }
}

#[test]
fn bench_accept_verifies_and_decodes_like_a_call() {
    let client = builder(transport()).build().unwrap();
    let mut headers = HeaderMap::new();
    let sig = test_keys().payermax_private.sign(REPLY.as_bytes()).unwrap();
    headers.insert("sign", sig.parse().unwrap());
    let reply = client
        .bench_accept::<RefundQuery>(&headers, Bytes::from_static(REPLY.as_bytes()))
        .expect("accepted");
    assert!(reply.signature_verified);
    let data = reply.data.expect("the reply has data");
    assert_eq!(data.out_refund_no.as_deref(), Some("R-1"));

    // A signature over other bytes is refused ...
    let tampered = REPLY.replace("R-1", "R-2");
    match client.bench_accept::<RefundQuery>(&headers, Bytes::from(tampered.clone())) {
        Err(Error::Signature { problem, .. }) => assert_eq!(problem, SignatureProblem::Invalid),
        other => panic!("{other:?}"),
    }
    // ... except by the stub, which checks nothing (benchmarks only).
    let stub = builder(transport())
        .bench_crypto(BenchCrypto::DangerStub {
            signature: "stub".into(),
        })
        .build()
        .unwrap();
    let reply = stub
        .bench_accept::<RefundQuery>(&headers, Bytes::from(tampered))
        .expect("the stub accepts");
    let data = reply.data.expect("the reply has data");
    assert_eq!(data.out_refund_no.as_deref(), Some("R-2"));
    assert_eq!(prepared(&stub).1, "stub");
}
