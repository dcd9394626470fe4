//! The default hyper transport over loopback (plain http://) against a tiny
//! in-test hyper server that checks signatures like PayerMax does.
#![cfg(feature = "hyper")]

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use payermax_http::{Client, Environment, Error, HyperTransport, SignatureProblem};
use payermax_test_keys::test_keys;
use serde_json::json;
use tokio::net::TcpListener;

async fn handle(
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let keys = test_keys();
    let path = req.uri().path().to_owned();
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let sign = req
        .headers()
        .get("sign")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = req.into_body().collect().await.unwrap().to_bytes();

    let reply = |status: u16, body: String, signed: bool| {
        let mut b = http::Response::builder()
            .status(status)
            .header("content-type", "application/json");
        if signed {
            b = b.header("sign", keys.payermax_private.sign(body.as_bytes()).unwrap());
        }
        Ok(b.body(Full::new(Bytes::from(body))).unwrap())
    };

    if path.starts_with("/slow/") {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    if path.starts_with("/big/") {
        return reply(200, "x".repeat(2 * 1024 * 1024), false);
    }
    if path.starts_with("/down/") {
        return reply(503, "maintenance".into(), false);
    }
    if path.starts_with("/unsigned/") {
        let body = json!({"code": "APPLY_SUCCESS", "msg": "", "data": {"outRefundNo": "R", "status": "REFUND_SUCCESS"}});
        return reply(200, body.to_string(), false);
    }
    // PayerMax's checks: content type, signature over the raw body.
    let verified = sign
        .as_deref()
        .is_some_and(|s| keys.merchant_public.verify(&body, s).is_ok());
    if content_type.as_deref() != Some("application/json") || !verified {
        let body = json!({"code": "SIGN_VERIFY_FAILED", "msg": "bad signature"});
        return reply(200, body.to_string(), false);
    }
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let no = v["data"]["outRefundNo"].clone();
    let body = json!({"code": "APPLY_SUCCESS", "msg": "Success.", "data": {"outRefundNo": no, "status": "REFUND_SUCCESS", "path": path}});
    reply(200, body.to_string(), true)
}

async fn server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(handle))
                    .await;
            });
        }
    });
    addr
}

fn client(base: String) -> Client {
    client_with_timeout(base, Duration::from_secs(10))
}

fn client_with_timeout(base: String, timeout: Duration) -> Client {
    let keys = test_keys();
    Client::builder(Environment::Custom(base))
        .app_id("app-1")
        .merchant_no("P01010113865434")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .request_timeout(Some(timeout))
        .build()
        .unwrap()
}

#[tokio::test]
async fn round_trip_over_plain_http() {
    let addr = server().await;
    let client = client(format!("http://{addr}"));
    for i in 0..3 {
        let no = format!("R-{i}");
        let reply = client.call::<Query>(&query(&no)).await.unwrap();
        assert_eq!(reply.data.out_refund_no, no);
        assert_eq!(reply.data.status, "REFUND_SUCCESS");
        assert!(reply.signature_verified);
    }
    // An explicit default transport, and a path prefix on the base URL.
    let keys = test_keys();
    let client = Client::builder(Environment::Custom(format!("http://{addr}/prefix/")))
        .app_id("app-1")
        .merchant_no("m")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .transport(HyperTransport::new(Duration::from_secs(1)).unwrap())
        .build()
        .unwrap();
    client.call::<Query>(&query("R")).await.unwrap();
}

#[tokio::test]
async fn server_side_refusal_when_signed_with_the_wrong_key() {
    let addr = server().await;
    let keys = test_keys();
    let client = Client::builder(Environment::Custom(format!("http://{addr}")))
        .app_id("app-1")
        .merchant_no("m")
        .private_key(keys.payermax_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .build()
        .unwrap();
    let err = client.call::<Query>(&query("R")).await.unwrap_err();
    assert!(matches!(err, Error::UnsignedRefusal { .. }), "{err:?}");
}

#[tokio::test]
async fn timeout_status_cap_signature_and_refused_connection() {
    let addr = server().await;
    let err = client_with_timeout(format!("http://{addr}/slow"), Duration::from_millis(500))
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after } if after == Duration::from_millis(500)),
        "{err:?}"
    );
    let err = client(format!("http://{addr}/big"))
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit } if limit == 1024 * 1024),
        "{err:?}"
    );
    let err = client(format!("http://{addr}/down"))
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Status { status: 503, body, .. } if body == "maintenance"),
        "{err:?}"
    );
    let err = client(format!("http://{addr}/unsigned"))
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
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

    // TLS towards a plain-HTTP server: the handshake fails, as a transport error.
    let err = client(format!("https://{addr}"))
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");

    // Nothing listens on this port any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let err = client(format!("http://{closed}"))
        .call::<Query>(&query("R"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
}
