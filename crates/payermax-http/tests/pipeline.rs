//! The pipeline against the test-util transports: wire format, every error
//! variant, the signature rule, the body cap, retries and timeouts (paused
//! time), redaction.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use payermax_http::test_util::{CannedReply, CapturingTransport, ReplayingTransport};
use payermax_http::{
    BuildError, Client, Environment, Error, ResultCode, RetryPolicy, Setting, SignatureProblem,
};
use payermax_test_keys::test_keys;
use serde_json::json;

fn success_data() -> serde_json::Value {
    json!({"outRefundNo": "R-1", "status": "REFUND_PENDING", "unknownField": [1]})
}

fn client_with(t: &ReplayingTransport) -> Client {
    builder().transport(t.clone()).build().unwrap()
}

fn signed_replayer() -> ReplayingTransport {
    ReplayingTransport::signed_with(test_keys().payermax_private.clone())
}

// ---------------------------------------------------------------- building

#[test]
fn builder_names_missing_settings() {
    let keys = test_keys();
    let env = || Environment::Custom(BASE.into());
    let t = ReplayingTransport::unsigned();
    let err = Client::builder(env())
        .app_id("a")
        .merchant_no("m")
        .payermax_public_key(keys.payermax_public.clone())
        .transport(t.clone())
        .build()
        .unwrap_err();
    assert!(
        matches!(err, BuildError::Missing(Setting::PrivateKey)),
        "{err}"
    );
    assert!(err.to_string().contains("private_key"));

    let err = Client::builder(env())
        .app_id("a")
        .merchant_no("m")
        .private_key(keys.merchant_private.clone())
        .transport(t.clone())
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        BuildError::Missing(Setting::PayerMaxPublicKey)
    ));

    let keyed = || {
        Client::builder(env())
            .private_key(keys.merchant_private.clone())
            .payermax_public_key(keys.payermax_public.clone())
            .transport(t.clone())
    };
    assert!(matches!(
        keyed().build().unwrap_err(),
        BuildError::Missing(Setting::AppId)
    ));
    assert!(matches!(
        keyed().app_id("a").build().unwrap_err(),
        BuildError::Incomplete {
            given: Setting::AppId,
            missing: Setting::MerchantNo
        }
    ));
    assert!(matches!(
        keyed().merchant_no("m").build().unwrap_err(),
        BuildError::Incomplete {
            given: Setting::MerchantNo,
            missing: Setting::AppId
        }
    ));
    assert!(matches!(
        keyed().app_id("").merchant_no("m").build().unwrap_err(),
        BuildError::Invalid {
            setting: "app_id",
            ..
        }
    ));
    assert!(keyed().merchant_id("legacy-only").build().is_ok());
    assert!(keyed().app_id("a").merchant_no("m").build().is_ok());
}

/// A complete builder for the base URL `url`.
fn custom(url: &str) -> payermax_http::ClientBuilder {
    let keys = test_keys();
    Client::builder(Environment::Custom(url.into()))
        .app_id("a")
        .merchant_no("m")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .transport(ReplayingTransport::unsigned())
}

#[test]
fn builder_checks_base_url_and_environments() {
    let build = |url: &str| custom(url).build();
    for bad in [
        "127.0.0.1:8080",
        "ftp://x",
        "http://",
        "not a url",
        "http://h/?q=1",
    ] {
        let err = build(bad).unwrap_err();
        assert!(
            matches!(err, BuildError::InvalidBaseUrl { .. }),
            "{bad}: {err}"
        );
    }
    for good in [
        "http://127.0.0.1:8080",
        "http://127.3.4.5",
        "http://localhost:8080",
        "http://LOCALHOST",
        "http://[::1]:8080",
        "https://sandbox.example/prefix/",
        "https://10.0.0.1",
    ] {
        assert!(build(good).is_ok(), "{good}");
    }
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_needs_the_danger_opt_in() {
    let builder = custom;
    for insecure in [
        "http://sandbox.example",
        "http://pay-gate.payermax.com",
        "http://10.0.0.1:8080/prefix",
        "http://[2001:db8::1]",
        "http://localhost.evil.example",
        "http://128.0.0.1",
    ] {
        let err = builder(insecure).build().unwrap_err();
        assert!(
            matches!(&err, BuildError::InsecureHttp { host } if insecure.contains(host.as_str())),
            "{insecure}: {err:?}"
        );
        assert!(err.to_string().contains("danger_allow_insecure_http"));
        assert!(
            builder(insecure)
                .danger_allow_insecure_http()
                .build()
                .is_ok(),
            "{insecure}"
        );
    }
    assert_eq!(
        Environment::Uat.base_url(),
        "https://pay-gate-uat.payermax.com"
    );
    assert_eq!(
        Environment::Production.base_url(),
        "https://pay-gate.payermax.com"
    );
    assert_eq!(
        Environment::Custom("http://127.0.0.1:1234/".into()).base_url(),
        "http://127.0.0.1:1234"
    );
}

// ---------------------------------------------------------------- wire format

#[tokio::test]
async fn gateway_call_wire_format_and_decoding() {
    let t = signed_replayer();
    t.push_gateway_success(success_data());
    let (_, clock) = stepping_clock();
    let client = builder().transport(t.clone()).clock(clock).build().unwrap();

    let reply = client.call::<Query>(&query("R-1")).await.unwrap();
    assert_eq!(
        reply.data.status, "REFUND_PENDING",
        "business status is data"
    );
    assert_eq!(reply.data.out_refund_no, "R-1");
    assert_eq!(reply.code, ResultCode::ApplySuccess);
    assert_eq!(reply.message, "Success.");
    assert!(reply.signature_verified);
    assert_eq!(reply.attempts, 1);

    let reqs = t.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, http::Method::POST);
    assert_eq!(
        r.uri.to_string(),
        "http://127.0.0.1:9/aggregate-pay/api/gateway/refundQuery"
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        r#"{"version":"1.5","keyVersion":"1","requestTime":"2026-01-02T03:04:05.678+00:00","appId":"app-1","merchantNo":"P01010113865434","data":{"outRefundNo":"R-1"}}"#
    );
    // The signature is over exactly the bytes sent, with the merchant's key.
    let sig = r.sign().expect("sign header");
    test_keys().merchant_public.verify(&r.body, sig).unwrap();
    assert!(
        test_keys()
            .merchant_public
            .verify(&r.body[1..], sig)
            .is_err()
    );
}

#[tokio::test]
async fn legacy_call_is_flat_and_uses_biz_code() {
    let t = signed_replayer();
    t.push_legacy_success(json!({"refundId": "R-9"}));
    let client = client_with(&t);
    let req = LegacyApplyRequest {
        refund_id: "R-9".into(),
        order_id: "O-1".into(),
        amount: "10.50".into(),
        currency: "USD".into(),
    };
    let reply = client.call::<LegacyApply>(&req).await.unwrap();
    assert_eq!(reply.data.refund_id, "R-9");
    assert_eq!(reply.code, ResultCode::LegacySuccess);
    let r = &t.requests()[0];
    assert_eq!(
        r.uri.to_string(),
        "http://127.0.0.1:9/aggregate-pay-gate/api/gateway"
    );
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        r#"{"merchantId":"M-legacy","bizType":"refundApply","version":"2.1","refundId":"R-9","orderId":"O-1","amount":"10.50","currency":"USD"}"#
    );
    test_keys()
        .merchant_public
        .verify(&r.body, r.sign().unwrap())
        .unwrap();

    // A legacy refusal.
    t.push(CannedReply::legacy("0001", "refund amount mismatch", None));
    let err = client.call::<LegacyApply>(&req).await.unwrap_err();
    match err {
        Error::Refused { code, message, raw } => {
            assert_eq!(raw.status(), 200);
            assert!(raw.sign().is_some());
            assert!(
                std::str::from_utf8(raw.body())
                    .unwrap()
                    .contains("refund amount mismatch")
            );
            assert_eq!(code, ResultCode::Unknown("0001".into()));
            assert_eq!(message, "refund amount mismatch");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn version_override_and_missing_setting() {
    let t = signed_replayer();
    t.push_gateway_success(success_data());
    let client = builder()
        .transport(t.clone())
        .operation_version::<Query>("1.4")
        .build()
        .unwrap();
    client.call::<Query>(&query("R-1")).await.unwrap();
    assert_eq!(t.requests()[0].json().unwrap()["version"], "1.4");

    // A legacy operation on a client without merchant_id: nothing is sent.
    let keys = test_keys();
    let gateway_only = Client::builder(Environment::Custom(BASE.into()))
        .app_id("a")
        .merchant_no("m")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .transport(t.clone())
        .build()
        .unwrap();
    let req = LegacyApplyRequest {
        refund_id: "R".into(),
        order_id: "O".into(),
        amount: "1".into(),
        currency: "USD".into(),
    };
    let err = gateway_only.call::<LegacyApply>(&req).await.unwrap_err();
    assert!(matches!(
        err,
        Error::MissingSetting {
            setting: Setting::MerchantId
        }
    ));
    let legacy_only = Client::builder(Environment::Custom(BASE.into()))
        .merchant_id("M")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .transport(t.clone())
        .build()
        .unwrap();
    let err = legacy_only.call::<Query>(&query("R")).await.unwrap_err();
    assert!(matches!(
        err,
        Error::MissingSetting {
            setting: Setting::AppId
        }
    ));
    assert_eq!(t.requests().len(), 1);
}

// ---------------------------------------------------------------- error variants

#[tokio::test]
async fn validation_fails_before_sending() {
    let t = signed_replayer();
    let client = builder()
        .transport(t.clone())
        .retry(RetryPolicy::new())
        .build()
        .unwrap();
    let err = client
        .call::<Query>(&query(&"x".repeat(65)))
        .await
        .unwrap_err();
    let v = err.validation_errors().expect("validation error");
    assert_eq!(v.violations[0].path, "outRefundNo");
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("outRefundNo"));
    assert!(t.requests().is_empty(), "nothing sent");
}

#[tokio::test]
async fn transport_failure() {
    let t = signed_replayer();
    t.push_raw(CannedReply::transport_error("connection refused"));
    let err = client_with(&t)
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains("connection refused"));
}

#[tokio::test]
async fn io_timeout_from_transport_is_a_timeout() {
    #[derive(Clone)]
    struct TimedOut;
    impl tower_service::Service<http::Request<payermax_http::RequestBody>> for TimedOut {
        type Response = http::Response<http_body_util::Full<bytes::Bytes>>;
        type Error = std::io::Error;
        type Future = std::future::Ready<Result<Self::Response, Self::Error>>;
        fn poll_ready(
            &mut self,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Result<(), Self::Error>> {
            std::task::Poll::Ready(Ok(()))
        }
        fn call(&mut self, _: http::Request<payermax_http::RequestBody>) -> Self::Future {
            std::future::ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "connect timed out",
            )))
        }
    }
    let client = builder()
        .transport(TimedOut)
        .connect_timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    // The client does not know how long a custom transport waited: it does
    // not claim the (default transport's) connect timeout, it reports the
    // transport's own error, which is a timeout.
    assert!(
        matches!(&err, Error::Transport { source } if source.to_string() == "connect timed out"),
        "{err:?}"
    );
    assert!(err.is_timeout() && err.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn request_timeout() {
    let t = signed_replayer();
    t.push_raw(CannedReply::hang());
    let client = builder()
        .transport(t.clone())
        .request_timeout(Some(Duration::from_secs(5)))
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after } if after == Duration::from_secs(5)),
        "{err:?}"
    );
    assert!(err.is_timeout() && err.is_retryable());
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[tokio::test]
async fn non_2xx_status_keeps_a_bounded_body_copy() {
    let t = signed_replayer();
    let big = format!("<html>{}</html>", "x".repeat(10_000));
    t.push(CannedReply::json(502, big));
    let err = client_with(&t)
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    match &err {
        Error::Status { status, body, .. } => {
            assert_eq!(*status, 502);
            assert!(body.starts_with("<html>xxx"));
            assert_eq!(body.len(), payermax_http::BODY_EXCERPT_LIMIT);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(502));
    assert!(err.is_retryable());

    t.push(CannedReply::json(400, "bad"));
    let err = client_with(&t)
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Status { status: 400, body, .. } if body == "bad"));
    assert!(!err.is_retryable());
    t.push(CannedReply::json(429, ""));
    let err = client_with(&t)
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
}

#[tokio::test]
async fn undecodable_replies_keep_a_body_copy() {
    let t = signed_replayer();
    // Signed, accepted, but data of the wrong shape.
    t.push(CannedReply::gateway(
        "APPLY_SUCCESS",
        "",
        Some(json!({"outRefundNo": 5})),
    ));
    let err = client_with(&t)
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    match &err {
        Error::Decode { body, .. } => assert!(body.contains("\"outRefundNo\":5")),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    // Signed, not JSON at all.
    t.push(CannedReply::json(200, "not json"));
    let err = client_with(&t)
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Decode { body, .. } if body == "not json"));
    // Success without data for an operation whose response is not optional.
    t.push(CannedReply::gateway("APPLY_SUCCESS", "", None));
    let err = client_with(&t)
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }));
}

#[tokio::test]
async fn body_cap() {
    let t = signed_replayer();
    let body = json!({"code":"APPLY_SUCCESS","msg":"","data":{"outRefundNo":"R","status":"x".repeat(300)}}).to_string();
    assert!(body.len() > 256);
    let client = builder()
        .transport(t.clone())
        .max_reply_bytes(256)
        .build()
        .unwrap();
    // Streamed past the cap.
    t.push(CannedReply::json(200, body.clone()));
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 256 }), "{err:?}");
    assert!(!err.is_retryable());
    // Announced past the cap.
    t.push(CannedReply::json(200, "{}").header("content-length", "100000"));
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 256 }), "{err:?}");
    // Exactly at the cap is fine.
    let data = json!({"outRefundNo":"R","status":"S"});
    let exact = json!({"code":"APPLY_SUCCESS","msg":"","data":data}).to_string();
    let client = builder()
        .transport(t.clone())
        .max_reply_bytes(exact.len())
        .build()
        .unwrap();
    t.push(CannedReply::json(200, exact));
    client.call::<Query>(&query("R")).await.unwrap();
}

// ---------------------------------------------------------------- signature rule

#[tokio::test]
async fn signature_rule() {
    let keys = test_keys();
    let t = ReplayingTransport::unsigned();
    let client = client_with(&t);
    let success = || CannedReply::gateway("APPLY_SUCCESS", "", Some(success_data()));
    let refusal = || CannedReply::gateway("ORDER_NOT_EXIST", "no such refund", None);

    // Signed success: accepted.
    t.push(success().signed(&keys.payermax_private));
    assert!(
        client
            .call::<Query>(&query("R"))
            .await
            .unwrap()
            .signature_verified
    );

    // Unsigned success: never accepted.
    t.push(success());
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Signature {
                problem: SignatureProblem::Missing,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());

    // Success signed by the wrong key (the merchant's): invalid.
    t.push(success().signed(&keys.merchant_private));
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    assert!(matches!(
        err,
        Error::Signature {
            problem: SignatureProblem::Invalid,
            source: Some(_)
        }
    ));

    // Signature of another body: invalid.
    let other_sig = keys.payermax_private.sign(b"{}").unwrap();
    t.push(success().header("sign", other_sig));
    assert!(matches!(
        client.call::<Query>(&query("R")).await.unwrap_err(),
        Error::Signature {
            problem: SignatureProblem::Invalid,
            ..
        }
    ));

    // Garbage and non-ASCII header values, and two sign headers: invalid.
    for bad in ["not base64!!", "\u{e9}t\u{e9}"] {
        t.push(success().header("sign", bad));
        assert!(
            matches!(
                client.call::<Query>(&query("R")).await.unwrap_err(),
                Error::Signature {
                    problem: SignatureProblem::Invalid,
                    ..
                }
            ),
            "{bad}"
        );
    }
    t.push(
        success()
            .signed(&keys.payermax_private)
            .signed(&keys.payermax_private),
    );
    assert!(matches!(
        client.call::<Query>(&query("R")).await.unwrap_err(),
        Error::Signature {
            problem: SignatureProblem::Invalid,
            ..
        }
    ));

    // Unsigned refusal: reported, marked unauthenticated.
    t.push(refusal());
    match client.call::<Query>(&query("R")).await.unwrap_err() {
        Error::UnsignedRefusal { code, message, raw } => {
            assert_eq!(raw.sign(), None);
            assert!(
                std::str::from_utf8(raw.body())
                    .unwrap()
                    .contains("no such refund")
            );
            assert_eq!(code, ResultCode::OrderNotExist);
            assert_eq!(message, "no such refund");
        }
        other => panic!("{other:?}"),
    }
    // Signed refusal: signed.
    t.push(refusal().signed(&keys.payermax_private));
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    assert!(matches!(err, Error::Refused { .. }));
    assert_eq!(err.refusal_code(), Some(&ResultCode::OrderNotExist));
    assert!(!err.is_retryable());
    // Badly signed refusal: a signature error, not a refusal.
    t.push(refusal().signed(&keys.merchant_private));
    assert!(matches!(
        client.call::<Query>(&query("R")).await.unwrap_err(),
        Error::Signature {
            problem: SignatureProblem::Invalid,
            ..
        }
    ));
    // Refusal with garbage data still yields its code.
    t.push(CannedReply::gateway(
        "PARAMS_INVALID",
        "bad",
        Some(json!([1, {"x": null}])),
    ));
    assert!(matches!(
        client.call::<Query>(&query("R")).await.unwrap_err(),
        Error::UnsignedRefusal {
            code: ResultCode::ParamsInvalid,
            ..
        }
    ));
    assert_eq!(t.pending(), 0);
}

#[tokio::test]
async fn danger_accept_unsigned_replies() {
    let keys = test_keys();
    let t = ReplayingTransport::unsigned();
    let client = builder()
        .transport(t.clone())
        .danger_accept_unsigned_replies()
        .build()
        .unwrap();
    t.push(CannedReply::gateway(
        "APPLY_SUCCESS",
        "",
        Some(success_data()),
    ));
    let reply = client.call::<Query>(&query("R")).await.unwrap();
    assert!(!reply.signature_verified);
    // A bad signature is still an error.
    t.push(
        CannedReply::gateway("APPLY_SUCCESS", "", Some(success_data()))
            .signed(&keys.merchant_private),
    );
    assert!(matches!(
        client.call::<Query>(&query("R")).await.unwrap_err(),
        Error::Signature { .. }
    ));
}

// ---------------------------------------------------------------- retries

/// A client on `t` with [`retry_policy`].
fn retrying(t: &ReplayingTransport) -> Client {
    builder()
        .transport(t.clone())
        .retry(retry_policy())
        .build()
        .unwrap()
}

fn retry_policy() -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(100))
        .max_backoff(Duration::from_secs(1))
        .deadline(Duration::from_secs(60))
        .jitter(false)
}

#[tokio::test(start_paused = true)]
async fn retries_resend_same_payload_with_fresh_time_and_signature() {
    let t = signed_replayer();
    t.push(CannedReply::gateway("SYSTEM_ERROR", "busy", None));
    t.push(CannedReply::json(503, "unavailable"));
    t.push_raw(CannedReply::transport_error("reset"));
    t.push_gateway_success(success_data());
    let (_, clock) = stepping_clock();
    let client = builder()
        .transport(t.clone())
        .clock(clock)
        .retry(retry_policy())
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let reply = client.call::<Query>(&query("R-1")).await.unwrap();
    assert_eq!(reply.attempts, 4);
    // Waits of 100 + 200 + 400 ms, no jitter.
    assert_eq!(start.elapsed(), Duration::from_millis(700));

    let reqs = t.requests();
    assert_eq!(reqs.len(), 4);
    let mut times = Vec::new();
    let mut sigs = Vec::new();
    for r in &reqs {
        let body = r.json().unwrap();
        assert_eq!(body["data"], json!({"outRefundNo": "R-1"}), "same payload");
        times.push(body["requestTime"].as_str().unwrap().to_owned());
        let sig = r.sign().unwrap().to_owned();
        test_keys().merchant_public.verify(&r.body, &sig).unwrap();
        sigs.push(sig);
    }
    times.dedup();
    sigs.dedup();
    assert_eq!(times.len(), 4, "fresh requestTime each attempt: {times:?}");
    assert_eq!(sigs.len(), 4, "fresh signature each attempt");
}

#[tokio::test(start_paused = true)]
async fn retries_give_up_after_max_attempts_with_last_error() {
    let t = signed_replayer();
    for _ in 0..4 {
        t.push(CannedReply::gateway("TOO_MANY_REQUEST", "slow down", None));
    }
    t.push(CannedReply::json(429, "x"));
    let client = retrying(&t);
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    assert!(matches!(
        err,
        Error::Refused {
            code: ResultCode::TooManyRequest,
            ..
        }
    ));
    assert_eq!(t.requests().len(), 4);
    assert_eq!(t.pending(), 1);
}

#[tokio::test(start_paused = true)]
async fn never_retried_failures() {
    let keys = test_keys();
    let cases: Vec<(CannedReply, &str)> = vec![
        (
            CannedReply::gateway("APPLY_SUCCESS", "", Some(success_data())),
            "signature",
        ),
        (
            CannedReply::gateway("APPLY_SUCCESS", "", Some(success_data()))
                .signed(&keys.merchant_private),
            "signature",
        ),
        (
            CannedReply::gateway("PARAMS_INVALID", "", None),
            "unsigned_refusal",
        ),
        (
            CannedReply::gateway("PARAMS_INVALID", "", None).signed(&keys.payermax_private),
            "refused",
        ),
        (
            CannedReply::json(200, "nope").signed(&keys.payermax_private),
            "decode",
        ),
        (CannedReply::json(404, "nope"), "status"),
    ];
    for (reply, kind) in cases {
        let t = ReplayingTransport::unsigned();
        t.push(reply);
        t.push_raw(
            CannedReply::gateway("APPLY_SUCCESS", "", Some(success_data()))
                .signed(&keys.payermax_private),
        );
        let client = retrying(&t);
        let err = client.call::<Query>(&query("R")).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{err:?}");
        assert_eq!(t.requests().len(), 1, "{kind} was retried");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_deadline_is_respected() {
    // Every attempt hangs; 10 s per attempt, 25 s overall.
    let t = CapturingTransport::new(|_| CannedReply::hang());
    let client = builder()
        .transport(t.clone())
        .request_timeout(Some(Duration::from_secs(10)))
        .retry(
            retry_policy()
                .max_attempts(100)
                .deadline(Duration::from_secs(25)),
        )
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    let elapsed = start.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(elapsed <= Duration::from_secs(25), "{elapsed:?}");
    // 10 s, wait 0.1, 10 s, wait 0.2, then the rest of the budget.
    assert_eq!(t.requests().len(), 3);
    assert_eq!(elapsed, Duration::from_secs(25));
}

#[tokio::test(start_paused = true)]
async fn retries_are_off_by_default() {
    let t = signed_replayer();
    t.push(CannedReply::gateway("SYSTEM_ERROR", "busy", None));
    t.push_gateway_success(success_data());
    let err = client_with(&t)
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(t.requests().len(), 1);
}

// ---------------------------------------------------------------- concurrency, Send

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_is_shared_across_tasks() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let keys = test_keys();
    let t = CapturingTransport::new(move |req| {
        c.fetch_add(1, Ordering::SeqCst);
        let no = req.json().unwrap()["data"]["outRefundNo"].clone();
        CannedReply::gateway(
            "APPLY_SUCCESS",
            "",
            Some(json!({"outRefundNo": no, "status": "REFUND_SUCCESS"})),
        )
        .signed(&keys.payermax_private)
    });
    let client = builder().transport(t.clone()).build().unwrap();
    let mut handles = Vec::new();
    for i in 0..8 {
        let client = client.clone();
        handles.push(tokio::spawn(async move {
            let no = format!("R-{i}");
            let r = client.call::<Query>(&query(&no)).await.unwrap();
            assert_eq!(r.data.out_refund_no, no);
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(count.load(Ordering::SeqCst), 8);
}

// ---------------------------------------------------------------- redaction

#[test]
fn debug_output_is_redacted() {
    let client = builder()
        .transport(ReplayingTransport::unsigned())
        .build()
        .unwrap();
    let dbg = format!("{client:?}");
    assert!(dbg.contains("<redacted>"));
    assert!(dbg.contains("app-1"));
    for line in payermax_test_keys::private_key_lines() {
        assert!(!dbg.contains(line), "key material in Debug");
    }
    let b = format!("{:?}", builder());
    assert!(b.contains("<redacted>"));
    assert!(!b.contains("MII"));
}

// ---------------------------------------------------------------- notifications

#[test]
fn notifications_verify_then_decode() {
    use payermax_http::notification::{NotificationError, acknowledgement};
    use payermax_http::verify_notification;
    let keys = test_keys();
    let body =
        br#"{"merchantId":"M","refundId":"R-1","status":1,"refundAmount":"10.00","currency":"USD","new":true}"#;
    let sig = keys.payermax_private.sign(body).unwrap();
    let n = verify_notification::<RefundNotify>(&keys.payermax_public, body, Some(&sig)).unwrap();
    assert_eq!(n.refund_id, "R-1");
    assert_eq!(n.refund_amount, "10.00");
    assert_eq!(n.status, 1);
    assert_eq!(
        acknowledgement::<RefundNotify>(),
        br#"{"bizCode":"0000","message":"success"}"#
    );

    assert!(matches!(
        verify_notification::<RefundNotify>(&keys.payermax_public, body, None),
        Err(NotificationError::MissingSignature)
    ));
    let mut tampered = body.to_vec();
    tampered[30] ^= 1;
    assert!(matches!(
        verify_notification::<RefundNotify>(&keys.payermax_public, &tampered, Some(&sig)),
        Err(NotificationError::InvalidSignature(_))
    ));
    let wrong = keys.merchant_private.sign(body).unwrap();
    assert!(matches!(
        verify_notification::<RefundNotify>(&keys.payermax_public, body, Some(&wrong)),
        Err(NotificationError::InvalidSignature(_))
    ));
    let odd = br#"{"refundId":7}"#;
    let sig = keys.payermax_private.sign(odd).unwrap();
    match verify_notification::<RefundNotify>(&keys.payermax_public, odd, Some(&sig)) {
        Err(NotificationError::Decode { body, .. }) => assert_eq!(body, r#"{"refundId":7}"#),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- generated operations

#[tokio::test]
async fn generated_operations_through_the_pipeline() {
    use payermax_types::Amount;
    use payermax_types::legacy_refund_apply::{
        LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired, LegacyRefundApplyStatus,
    };
    use payermax_types::refund_query::{
        RefundQueryRequest, RefundQueryRequestRequired, RefundQueryStatus, RefundRef,
    };

    let t = signed_replayer();
    // The doc's reply example uses `totalAmount`; amounts stay exact.
    t.push(CannedReply::json(
        200,
        r#"{"code":"APPLY_SUCCESS","msg":"","data":{"outRefundNo":"R-1","totalAmount":10000.50,"refundCurrency":"IDR","status":"REFUND_PENDING","brandNew":1}}"#,
    ));
    t.push(CannedReply::json(
        200,
        r#"{"bizCode":"0000","message":"success","data":{"refundId":"R-2","tradeNo":"T","orderId":"O","status":0}}"#,
    ));
    let client = client_with(&t);

    let reply = client
        .send(&RefundQueryRequest::new(RefundQueryRequestRequired {
            refund_ref: RefundRef::OutRefundNo("R-1".into()),
        }))
        .await
        .unwrap();
    let data = reply.data.expect("the reply has data");
    assert_eq!(data.status, Some(RefundQueryStatus::RefundPending));
    assert_eq!(
        data.refund_amount.unwrap().to_string(),
        "10000.50",
        "scale kept"
    );
    assert_eq!(
        t.requests()[0].json().unwrap()["data"],
        json!({"outRefundNo": "R-1"})
    );

    let amount: Amount = "10.50".parse().unwrap();
    let req = LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
        refund_id: "R-2".into(),
        order_id: "O".into(),
        amount,
        currency: "USD".into(),
    });
    let reply = client.send(&req).await.unwrap();
    assert_eq!(reply.data.status, LegacyRefundApplyStatus::from(0));
    let sent = std::str::from_utf8(&t.requests()[1].body)
        .unwrap()
        .to_owned();
    assert_eq!(
        sent,
        r#"{"merchantId":"M-legacy","bizType":"refundApply","version":"2.1","refundId":"R-2","orderId":"O","amount":"10.50","currency":"USD"}"#
    );

    // Generated validation runs before anything is sent.
    let err = client
        .send(&RefundQueryRequest::new(RefundQueryRequestRequired {
            refund_ref: RefundRef::RefundTradeNo("9".repeat(65)),
        }))
        .await
        .unwrap_err();
    assert_eq!(
        err.validation_errors().unwrap().violations[0].path,
        "data.refundTradeNo"
    );
    assert_eq!(t.requests().len(), 2);
}

#[tokio::test]
async fn encode_failure_sends_nothing() {
    let t = signed_replayer();
    let err = client_with(&t)
        .call::<LegacyScalar>(&Scalar("x".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Encode { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert!(t.requests().is_empty());
}

#[cfg(not(feature = "hyper"))]
#[test]
fn without_hyper_a_transport_is_required() {
    let keys = test_keys();
    let err = Client::builder(Environment::Uat)
        .app_id("a")
        .merchant_no("m")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::Missing(Setting::Transport)));
}

// ---------------------------------------------------------------- hostile replies

#[test]
fn error_is_send_sync_static() {
    fn check<T: std::error::Error + Send + Sync + 'static>() {}
    check::<Error>();
    check::<BuildError>();
    check::<payermax_http::NotificationError>();
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever comes back (any status, any bytes, signed or not), the
        /// client returns without panicking, and never accepts an unsigned
        /// or badly signed success.
        #[test]
        fn any_reply_is_handled(
            status in prop_oneof![Just(200u16), 100u16..600],
            body in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..300),
                Just(br#"{"code":"APPLY_SUCCESS","msg":"","data":{"outRefundNo":"R","status":"S"}}"#.to_vec()),
                Just(br#"{"code":"APPLY_SUCCESS"}"#.to_vec()),
                Just(br#"{"code":7,"data":[]}"#.to_vec()),
            ],
            signing in 0u8..3,
        ) {
            let keys = test_keys();
            let reply = CannedReply::json(status, body);
            let reply = match signing {
                1 => reply.signed(&keys.payermax_private),
                2 => reply.signed(&keys.merchant_private),
                _ => reply,
            };
            let t = ReplayingTransport::unsigned();
            t.push(reply);
            let client = client_with(&t);
            let result = runtime().block_on(client.call::<Query>(&query("R")));
            if let Ok(r) = &result {
                prop_assert_eq!(signing, 1, "accepted without a valid signature");
                prop_assert!(r.signature_verified);
            }
        }
    }
}

// ---------------------------------------------------------------- writes

/// A write that may have reached PayerMax is sent once, whatever the policy,
/// and reported as ambiguous with its identifiers and settling query.
#[tokio::test(start_paused = true)]
async fn a_write_is_never_resent_after_it_may_have_arrived() {
    let keys = test_keys();
    let cases: Vec<(CannedReply, &str)> = vec![
        (
            CannedReply::transport_error("connection closed"),
            "transport",
        ),
        (CannedReply::hang(), "timeout"),
        (CannedReply::json(503, "unavailable"), "status"),
        (CannedReply::json(429, "slow down"), "status"),
        (CannedReply::json(400, "bad"), "status"),
        (
            CannedReply::gateway("SYSTEM_ERROR", "", None).signed(&keys.payermax_private),
            "refused",
        ),
        (
            CannedReply::gateway("TOO_MANY_REQUEST", "forged", None),
            "unsigned_refusal",
        ),
        (
            CannedReply::gateway("APPLY_SUCCESS", "", Some(json!({}))),
            "signature",
        ),
        (
            CannedReply::json(200, "garbage").signed(&keys.payermax_private),
            "decode",
        ),
    ];
    for (reply, cause) in cases {
        let t = ReplayingTransport::unsigned();
        t.push(reply);
        t.push_raw(
            CannedReply::gateway("APPLY_SUCCESS", "", Some(json!({})))
                .signed(&keys.payermax_private),
        );
        let client = builder()
            .transport(t.clone())
            .request_timeout(Some(Duration::from_secs(5)))
            .retry(retry_policy())
            .build()
            .unwrap();
        let err = client.call::<Refund>(&refund("RF-1")).await.unwrap_err();
        assert_eq!(t.requests().len(), 1, "{cause}: a write was sent again");
        assert!(!err.is_retryable());
        assert_eq!(err.kind(), "ambiguous", "{err:?}");
        let Error::Ambiguous(outcome) = err else {
            unreachable!()
        };
        assert_eq!(outcome.cause.kind(), cause, "{outcome:?}");
        assert_eq!(outcome.operation, "refund");
        assert_eq!(
            outcome.identifiers,
            vec![("outRefundNo", "RF-1".to_owned())]
        );
        assert_eq!(outcome.identifier("outRefundNo"), Some("RF-1"));
        assert_eq!(outcome.attempts, 1);
        assert_eq!(outcome.settled_by.map(|s| s.operation), Some("refundQuery"));
        let text = outcome.to_string();
        assert!(
            text.contains("refund") && text.contains("RF-1") && text.contains("refundQuery"),
            "{text}"
        );
    }
}

/// Failures that prove nothing was processed are retried for writes too:
/// no connection, and a signed `TOO_MANY_REQUEST`.
#[tokio::test(start_paused = true)]
async fn a_write_is_retried_when_nothing_was_processed() {
    let keys = test_keys();
    let t = ReplayingTransport::unsigned();
    t.push(CannedReply::not_sent("connection refused"));
    t.push(CannedReply::gateway("TOO_MANY_REQUEST", "", None).signed(&keys.payermax_private));
    t.push(
        CannedReply::gateway(
            "APPLY_SUCCESS",
            "",
            Some(json!({"status": "REFUND_PENDING"})),
        )
        .signed(&keys.payermax_private),
    );
    let client = retrying(&t);
    let reply = client.call::<Refund>(&refund("RF-2")).await.unwrap();
    assert_eq!(reply.attempts, 3);
    assert_eq!(t.requests().len(), 3);

    // Without a policy, a write that was not sent is the plain error.
    t.push(CannedReply::not_sent("connection refused"));
    let client = builder().transport(t.clone()).build().unwrap();
    let err = client.call::<Refund>(&refund("RF-2")).await.unwrap_err();
    assert_eq!(err.kind(), "transport");
}

/// A duplicate-number refusal after an earlier attempt of the same call
/// means the earlier attempt may have been processed: ambiguous, never a
/// plain refusal. On the first attempt it is the merchant's own duplicate.
#[tokio::test(start_paused = true)]
async fn a_duplicate_refusal_after_an_earlier_attempt_is_ambiguous() {
    let keys = test_keys();
    let t = ReplayingTransport::unsigned();
    t.push(CannedReply::gateway("TOO_MANY_REQUEST", "", None).signed(&keys.payermax_private));
    t.push(CannedReply::gateway("ORDER_REPEAT", "dup", None).signed(&keys.payermax_private));
    let client = retrying(&t);
    let err = client.call::<Refund>(&refund("RF-3")).await.unwrap_err();
    let outcome = err.ambiguous().expect("ambiguous");
    assert_eq!(outcome.attempts, 2);
    assert!(matches!(
        outcome.cause,
        Error::Refused {
            code: ResultCode::OrderRepeat,
            ..
        }
    ));

    t.push(CannedReply::gateway("ORDER_REPEAT", "dup", None).signed(&keys.payermax_private));
    let err = client.call::<Refund>(&refund("RF-3")).await.unwrap_err();
    assert!(matches!(
        err,
        Error::Refused {
            code: ResultCode::OrderRepeat,
            ..
        }
    ));
}

/// `Client::settle` runs the settling query with the write's identifiers;
/// another query is refused without sending anything.
#[tokio::test(start_paused = true)]
async fn settle_runs_the_settling_query() {
    let keys = test_keys();
    let t = ReplayingTransport::unsigned();
    t.push(CannedReply::transport_error("connection closed"));
    t.push(
        CannedReply::gateway(
            "APPLY_SUCCESS",
            "",
            Some(json!({"outRefundNo": "RF-4", "status": "REFUND_SUCCESS"})),
        )
        .signed(&keys.payermax_private),
    );
    let client = builder().transport(t.clone()).build().unwrap();
    let err = client.call::<Refund>(&refund("RF-4")).await.unwrap_err();
    let Error::Ambiguous(outcome) = err else {
        panic!("{err:?}")
    };
    let settled = client.settle::<Query>(&outcome).await.unwrap();
    assert_eq!(settled.data.status, "REFUND_SUCCESS");
    let sent = t.requests();
    assert_eq!(sent.len(), 2);
    assert!(sent[1].uri.path().ends_with("/refundQuery"));
    assert_eq!(
        sent[1].json().unwrap()["data"],
        json!({"outRefundNo": "RF-4"})
    );

    let err = client.settle::<Refund>(&outcome).await.unwrap_err();
    assert!(matches!(
        err,
        Error::NotTheSettlingQuery {
            operation: "refund",
            expected: Some("refundQuery"),
            given: "refund"
        }
    ));
    assert_eq!(t.requests().len(), 2);
}

/// Reads keep the policy's retries.
#[tokio::test(start_paused = true)]
async fn a_read_is_retried_after_it_may_have_arrived() {
    let keys = test_keys();
    let t = ReplayingTransport::unsigned();
    t.push(CannedReply::transport_error("connection closed"));
    t.push(CannedReply::json(503, "unavailable"));
    t.push(
        CannedReply::gateway("APPLY_SUCCESS", "", Some(success_data()))
            .signed(&keys.payermax_private),
    );
    let client = retrying(&t);
    let reply = client.call::<Query>(&query("R")).await.unwrap();
    assert_eq!(reply.attempts, 3);
}

/// The reply as PayerMax sent it stays reachable: status, headers, exact
/// body; `Debug` redacts the signature.
#[tokio::test]
async fn the_raw_reply_is_kept_with_the_signature_redacted_in_debug() {
    let keys = test_keys();
    let t = ReplayingTransport::unsigned();
    let body = r#"{"code":"APPLY_SUCCESS","msg":"","data":{"outRefundNo":"R-1","status":"REFUND_PENDING"}}"#;
    t.push(
        CannedReply::json(200, body)
            .signed(&keys.payermax_private)
            .header("x-trace", "t-1"),
    );
    let client = builder().transport(t.clone()).build().unwrap();
    let reply = client.call::<Query>(&query("R-1")).await.unwrap();
    assert_eq!(reply.raw.status(), 200);
    assert_eq!(reply.raw.body().as_ref(), body.as_bytes());
    assert_eq!(reply.raw.headers()["x-trace"], "t-1");
    let sign = reply.raw.sign().expect("sign kept").to_owned();
    keys.payermax_public
        .verify(reply.raw.body(), &sign)
        .unwrap();
    let debug = format!("{reply:?}");
    assert!(!debug.contains(&sign), "{debug}");
    assert!(!debug.contains(&sign[..16]), "{debug}");
    assert!(
        debug.contains("<redacted>")
            && debug.contains("x-trace")
            && debug.contains("REFUND_PENDING"),
        "{debug}"
    );
}

/// `Retry-After` on 429 and 503 is honoured for reads, within the deadline.
#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_within_the_deadline() {
    let keys = test_keys();
    let t = ReplayingTransport::unsigned();
    t.push(CannedReply::json(503, "busy").header("retry-after", "7"));
    t.push(CannedReply::json(429, "slow").header("retry-after", "3"));
    t.push(
        CannedReply::gateway("APPLY_SUCCESS", "", Some(success_data()))
            .signed(&keys.payermax_private),
    );
    let client = retrying(&t);
    let start = tokio::time::Instant::now();
    let reply = client.call::<Query>(&query("R")).await.unwrap();
    assert_eq!(reply.attempts, 3);
    // 7 s and 3 s instead of the policy's 100 ms and 200 ms.
    assert_eq!(start.elapsed(), Duration::from_secs(10));

    // Past the deadline (60 s): not retried; the error says how long to wait.
    t.push(CannedReply::json(503, "busy").header("retry-after", "120"));
    let start = tokio::time::Instant::now();
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(t.pending(), 0);
    assert!(start.elapsed() < Duration::from_secs(1));

    // An HTTP-date is not read: the policy's backoff applies.
    t.push(CannedReply::json(503, "busy").header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"));
    t.push(
        CannedReply::gateway("APPLY_SUCCESS", "", Some(success_data()))
            .signed(&keys.payermax_private),
    );
    let start = tokio::time::Instant::now();
    client.call::<Query>(&query("R")).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}
