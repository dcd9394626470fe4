//! What a call costs beyond its cryptography: one full `Client::send` of a
//! refund query through an in-memory transport (validate, envelope, serialize,
//! sign, verify the signed reply, decode) against the baseline of just
//! signing the request body and verifying the reply body with the same keys.
//!
//! `cargo bench -p payermax-http`; compare `full_call` with `sign_and_verify_only`.

use divan::{Bencher, black_box};
use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::Full;
use payermax_http::test_util::test_keys;
use payermax_http::{Client, Environment, RequestBody};
use payermax_types::refund_query::{RefundQueryRequest, RefundRef};

fn main() {
    divan::main();
}

const REPLY: &str = r#"{"code":"APPLY_SUCCESS","msg":"Success.","data":{"outRefundNo":"R1642411016202","refundTradeNo":"20220117092402RF1642411442152","refundAmount":10000.50,"refundCurrency":"IDR","outTradeNo":"P1642410680681","status":"REFUND_PENDING","refundFinishTime":"2022-01-17T09:24:02.000Z"}}"#;

const REQUEST: &str = r#"{"version":"1.5","keyVersion":"1","requestTime":"2026-01-02T03:04:05.678+00:00","appId":"46153e2b787241ae8b01857bb9ab4bfa","merchantNo":"P01010113865434","data":{"outRefundNo":"R1642411016202"}}"#;

#[divan::bench]
fn sign_and_verify_only(bencher: Bencher) {
    let keys = test_keys();
    let reply_sig = keys.payermax_private.sign(REPLY.as_bytes()).unwrap();
    bencher.bench(|| {
        let sig = keys
            .merchant_private
            .sign(black_box(REQUEST.as_bytes()))
            .unwrap();
        keys.payermax_public
            .verify(black_box(REPLY.as_bytes()), black_box(&reply_sig))
            .unwrap();
        sig
    });
}

#[divan::bench]
fn full_call(bencher: Bencher) {
    let keys = test_keys();
    let transport = Canned {
        sign: keys.payermax_private.sign(REPLY.as_bytes()).unwrap(),
    };
    let client = Client::builder(Environment::Custom("http://127.0.0.1:9".into()))
        .app_id("46153e2b787241ae8b01857bb9ab4bfa")
        .merchant_no("P01010113865434")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .transport(transport)
        .request_timeout(None)
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let request = RefundQueryRequest::new(RefundRef::OutRefundNo("R1642411016202".into()));
    bencher.bench(|| runtime.block_on(client.send(black_box(&request))).unwrap());
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
